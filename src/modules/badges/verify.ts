import { createHash } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { JWT_CLAIMS, normaliseEmail } from './credential.js';
import { parseCredentialDate } from './datetime.js';
import { type BadgeDocumentLoader, createDocumentLoader, type IssuerKeyResolver } from './document-loader.js';
import { isEd25519Multibase } from './multibase.js';
import { validateAchievementCredential } from './schema.js';
import { type BitstringStatusListEntry, parseStatusIndex, type StatusPurpose } from './status-list.js';
import { MSG } from './verify.labels.js';

/**
 * Verification of an Open Badges 3.0 credential (OPEN-BADGES.md §Delivery, issue 4 item 6), as a list of
 * steps: parse → schema → proof → status → validity window → recipient (optional). Every step is reported
 * with a Japanese message; nothing throws, whatever the input. No step makes a network request: contexts are
 * bundled, keys are did:key or our own issuers' (through `resolveIssuerKey`), and status comes from
 * `checkStatus`. "Could not check" is its own outcome (`unknown`), never shown as passed.
 */

export type VerificationStepName = 'parse' | 'schema' | 'proof' | 'status' | 'validity' | 'recipient';
export type StepOutcome = 'passed' | 'failed' | 'unknown' | 'skipped';
export type VerificationStep = {
  step: VerificationStepName;
  /** True for passed, and for skipped steps that did not apply (no status entry, no e-mail given). */
  ok: boolean;
  outcome: StepOutcome;
  /** For people, in Japanese. */
  message: string;
  /** For developers and logs: the library's own words, in English; may be absent. */
  detail?: string;
};
export type VerificationSummary = 'valid' | 'invalid' | 'revoked' | 'indeterminate';
export type VerificationResult = {
  verified: boolean;
  summary: VerificationSummary;
  format: 'json-ld' | 'jwt' | null;
  /** The credential that was checked (the JWT payload without its JWT claims), if the input could be read. */
  credential: Record<string, unknown> | null;
  steps: VerificationStep[];
  /** URLs the document loader refused: what the credential would have needed from outside. None was fetched. */
  refusedUrls: string[];
};

/** The bit of the entry in its status list: true = set (revoked/suspended), false = clear, or 'unknown'. */
export type StatusAnswer = boolean | 'unknown';
export type StatusChecker = (entry: BitstringStatusListEntry) => Promise<StatusAnswer>;

export type VerifyOptions = {
  /** Looks up the status bit (our own lists from the database; anything else → 'unknown'). */
  checkStatus?: StatusChecker;
  /** Our issuers' key documents, for the document loader. */
  resolveIssuerKey?: IssuerKeyResolver;
  /** When the validity window is judged; defaults to now. */
  now?: Date;
  /** The earner's e-mail address, to compare with the credential's hashed identity. */
  recipientEmail?: string;
  /** A loader to use instead of a new one (tests inspect what it was asked). */
  documentLoader?: BadgeDocumentLoader;
};

/** Input larger than this is refused before parsing (our credentials stay under 16 KB). */
export const MAX_VERIFY_INPUT_BYTES = 256 * 1024;
/** Clock skew allowed at the edges of the validity window, as the Digital Bazaar library does. */
const CLOCK_SKEW_MS = 300_000;
const JWT_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

type Json = Record<string, unknown>;
type Parsed = { format: 'json-ld' | 'jwt'; credential: Json; jwt?: string };

const passed = (step: VerificationStepName, message: string, detail?: string): VerificationStep =>
  withDetail({ step, ok: true, outcome: 'passed', message }, detail);
const failed = (step: VerificationStepName, message: string, detail?: string): VerificationStep =>
  withDetail({ step, ok: false, outcome: 'failed', message }, detail);
const unknown = (step: VerificationStepName, message: string, detail?: string): VerificationStep =>
  withDetail({ step, ok: false, outcome: 'unknown', message }, detail);
const skipped = (step: VerificationStepName, message: string, ok = true): VerificationStep => ({
  step,
  ok,
  outcome: 'skipped',
  message,
});

function withDetail(step: VerificationStep, detail: string | undefined): VerificationStep {
  return detail ? { ...step, detail: detail.slice(0, 500) } : step;
}

export async function verifyOpenBadge(
  input: unknown,
  options: VerifyOptions = {},
): Promise<VerificationResult> {
  const loader =
    options.documentLoader ?? createDocumentLoader({ resolveIssuerKey: options.resolveIssuerKey });
  const parsed = parseInput(input);
  if ('error' in parsed) {
    const rest: VerificationStepName[] = ['schema', 'proof', 'status', 'validity', 'recipient'];
    return {
      verified: false,
      summary: 'invalid',
      format: null,
      credential: null,
      steps: [parsed.error, ...rest.map((s) => skipped(s, MSG.skippedAfterFailure, false))],
      refusedUrls: [],
    };
  }

  const { credential } = parsed;
  const steps: VerificationStep[] = [passed('parse', MSG.parseOk)];
  steps.push(await guard('schema', MSG.schemaFailed, async () => checkSchema(credential)));
  steps.push(await guard('proof', MSG.proofFailed, () => checkProof(parsed, loader)));
  let revoked = false;
  steps.push(
    await guard('status', MSG.statusMalformed, async () => {
      const status = await checkStatus(credential, options.checkStatus);
      revoked = status.revoked;
      return status.step;
    }),
  );
  steps.push(
    await guard('validity', MSG.validityNoStart, async () =>
      checkValidity(credential, options.now ?? new Date()),
    ),
  );
  steps.push(
    await guard('recipient', MSG.recipientMismatch, async () =>
      checkRecipient(credential, options.recipientEmail),
    ),
  );

  const summary = summarise(steps, revoked);
  return {
    verified: summary === 'valid',
    summary,
    format: parsed.format,
    credential,
    steps,
    refusedUrls: loader.refused(),
  };
}

function summarise(steps: VerificationStep[], revoked: boolean): VerificationSummary {
  const outcome = (name: VerificationStepName) => steps.find((s) => s.step === name)?.outcome;
  if (['parse', 'schema', 'proof'].some((n) => outcome(n as VerificationStepName) === 'failed'))
    return 'invalid';
  if (revoked) return 'revoked';
  if (steps.some((s) => s.outcome === 'failed')) return 'invalid';
  if (steps.some((s) => s.outcome === 'unknown')) return 'indeterminate';
  return 'valid';
}

/** A step that throws (a library bug, a hostile input we did not foresee) is reported, never propagated. */
async function guard(
  name: VerificationStepName,
  message: string,
  run: () => Promise<VerificationStep>,
): Promise<VerificationStep> {
  try {
    return await run();
  } catch (error) {
    return failed(name, message, errorText(error));
  }
}

// ——— parse ———

function parseInput(input: unknown): Parsed | { error: VerificationStep } {
  const error = (message: string, detail?: string) => ({ error: failed('parse', message, detail) });
  if (input === null || input === undefined || input === '') return error(MSG.parseEmpty);
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > MAX_VERIFY_INPUT_BYTES) {
      return error(MSG.parseTooLarge(MAX_VERIFY_INPUT_BYTES / 1024));
    }
    const text = input.trim().replace(/^\uFEFF/, '');
    if (text.startsWith('{') || text.startsWith('[')) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        return error(MSG.parseNotJson, errorText(e));
      }
      return isJsonObject(value) ? { format: 'json-ld', credential: value } : error(MSG.parseNotObject);
    }
    if (JWT_PATTERN.test(text)) return parseJwt(text);
    return error(MSG.parseUnknownFormat);
  }
  if (typeof input === 'object' && !Array.isArray(input)) {
    let text: string;
    try {
      text = JSON.stringify(input);
    } catch (e) {
      return error(MSG.parseNotObject, errorText(e));
    }
    if (Buffer.byteLength(text, 'utf8') > MAX_VERIFY_INPUT_BYTES) {
      return error(MSG.parseTooLarge(MAX_VERIFY_INPUT_BYTES / 1024));
    }
    // A plain-JSON copy: no prototypes, getters or shared references reach the libraries.
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? { format: 'json-ld', credential: value } : error(MSG.parseNotObject);
  }
  return error(MSG.parseNotObject);
}

function parseJwt(jwt: string): Parsed | { error: VerificationStep } {
  try {
    decodeProtectedHeader(jwt);
    const payload = decodeJwt(jwt) as Json;
    const credential = Object.fromEntries(
      Object.entries(payload).filter(([k]) => !(JWT_CLAIMS as readonly string[]).includes(k)),
    );
    return { format: 'jwt', credential, jwt };
  } catch (e) {
    return { error: failed('parse', MSG.parseNotJwt, errorText(e)) };
  }
}

function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ——— schema ———

function checkSchema(credential: Json): VerificationStep {
  // OPEN-BADGES.md: a single proof object is accepted too (the Digital Bazaar library emits one).
  const copy = isJsonObject(credential.proof) ? { ...credential, proof: [credential.proof] } : credential;
  const result = validateAchievementCredential(copy);
  return result.ok
    ? passed('schema', MSG.schemaOk)
    : failed('schema', MSG.schemaFailed, result.errors.join('; '));
}

// ——— proof ———

/**
 * The proof is checked at a moment inside the credential's own validity window, so that an expired badge
 * is reported by the validity step (as expired) rather than as a bad signature.
 */
function proofTime(credential: Json): Date {
  return (
    parseCredentialDate(credential.validFrom) ?? parseCredentialDate(credential.issuanceDate) ?? new Date()
  );
}

async function checkProof(parsed: Parsed, loader: BadgeDocumentLoader): Promise<VerificationStep> {
  if (parsed.format === 'jwt' && parsed.jwt) return checkJwtProof(parsed.jwt, parsed.credential, loader);
  const { credential } = parsed;
  const proofs = Array.isArray(credential.proof)
    ? credential.proof
    : credential.proof
      ? [credential.proof]
      : [];
  if (proofs.length === 0) return failed('proof', MSG.proofMissing);
  const supported = proofs.some(
    (p) => isJsonObject(p) && p.type === 'DataIntegrityProof' && p.cryptosuite === cryptosuite.name,
  );
  if (!supported) return failed('proof', MSG.proofUnsupported);

  const result = await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({ cryptosuite }),
    documentLoader: loader,
    // Status is a step of its own (checkStatus below); the library only needs to be told not to do it.
    checkStatus: async () => ({ verified: true }),
    now: proofTime(credential),
  });
  if (result.verified) return passed('proof', MSG.proofOk);
  return classifyProofFailure(loader, collectErrors(result));
}

function classifyProofFailure(loader: BadgeDocumentLoader, errors: string[]): VerificationStep {
  const detail = errors.join(' | ');
  const refused = loader.requests.filter((r) => r.source === 'refused');
  if (refused.some((r) => r.reason === 'key_lookup_failed'))
    return unknown('proof', MSG.proofKeyLookupFailed, detail);
  if (refused.some((r) => r.reason === 'invalid_did_key')) return failed('proof', MSG.proofBadDidKey, detail);
  if (refused.length > 0) {
    const urls = [...new Set(refused.map((r) => r.url))].slice(0, 3).join(', ');
    return failed('proof', MSG.proofRemoteDocument(urls), detail);
  }
  if (errors.some((e) => /safe mode/i.test(e))) return failed('proof', MSG.proofUnknownTerms, detail);
  if (errors.some((e) => /invalid signature/i.test(e)))
    return failed('proof', MSG.proofInvalidSignature, detail);
  if (
    errors.some((e) => /not authorized by controller|must match the verification method controller/i.test(e))
  ) {
    return failed('proof', MSG.proofNotIssuersKey, detail);
  }
  if (errors.some((e) => /no matching proofs/i.test(e))) return failed('proof', MSG.proofUnsupported, detail);
  return failed('proof', MSG.proofFailed, detail);
}

/** The messages of a verification result's errors, nested ones included (bounded). */
function collectErrors(result: vc.VerifyCredentialResult): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const visit = (error: unknown, depth: number) => {
    if (!error || typeof error !== 'object' || seen.has(error) || depth > 5 || out.length > 20) return;
    seen.add(error);
    const e = error as {
      message?: unknown;
      errors?: unknown;
      cause?: unknown;
      details?: { cause?: unknown };
    };
    if (typeof e.message === 'string') out.push(e.message);
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner, depth + 1);
    visit(e.cause, depth + 1);
    visit(e.details?.cause, depth + 1);
  };
  visit(result.error, 0);
  for (const r of result.results ?? []) visit(r.error, 0);
  return out;
}

async function checkJwtProof(
  jwt: string,
  credential: Json,
  loader: BadgeDocumentLoader,
): Promise<VerificationStep> {
  const header = decodeProtectedHeader(jwt);
  const payload = decodeJwt(jwt);
  if ((header.alg !== 'EdDSA' && header.alg !== 'Ed25519') || typeof header.kid !== 'string') {
    return failed('proof', MSG.proofUnsupported, `alg ${String(header.alg)}, kid ${String(header.kid)}`);
  }
  const issuer = issuerId(credential);
  if (!issuer || payload.iss !== issuer || (payload.jti !== undefined && payload.jti !== credential.id)) {
    return failed('proof', MSG.proofJwtClaims, `iss ${String(payload.iss)}, issuer ${String(issuer)}`);
  }
  let method: Json;
  let controller: Json;
  try {
    const loaded = await loader(header.kid);
    method = loaded.document as Json;
    if (
      method.type !== 'Multikey' ||
      typeof method.publicKeyMultibase !== 'string' ||
      !isEd25519Multibase(method.publicKeyMultibase) ||
      typeof method.controller !== 'string'
    ) {
      return failed('proof', MSG.proofUnsupported, 'the kid does not name an Ed25519 Multikey');
    }
    controller = (await loader(method.controller)).document as Json;
  } catch (e) {
    return classifyProofFailure(loader, [errorText(e)]);
  }
  const authorised =
    method.controller === issuer &&
    Array.isArray(controller.assertionMethod) &&
    controller.assertionMethod.some((m) => m === header.kid || (isJsonObject(m) && m.id === header.kid));
  if (!authorised) return failed('proof', MSG.proofNotIssuersKey, `kid ${header.kid}`);

  const keyPair = await Ed25519Multikey.from(method);
  const publicKey = await importJWK({ ...(await Ed25519Multikey.toJwk({ keyPair })) }, 'EdDSA');
  try {
    await jwtVerify(jwt, publicKey, { algorithms: ['EdDSA', 'Ed25519'], currentDate: proofTime(credential) });
  } catch (e) {
    return failed('proof', MSG.proofInvalidSignature, errorText(e));
  }
  return passed('proof', MSG.proofOk);
}

function issuerId(credential: Json): string | undefined {
  const { issuer } = credential;
  if (typeof issuer === 'string') return issuer;
  if (isJsonObject(issuer) && typeof issuer.id === 'string') return issuer.id;
  return undefined;
}

// ——— status ———

async function checkStatus(
  credential: Json,
  checker: StatusChecker | undefined,
): Promise<{ step: VerificationStep; revoked: boolean }> {
  const raw = credential.credentialStatus;
  if (raw === undefined) return { step: skipped('status', MSG.statusNone), revoked: false };
  const entries = Array.isArray(raw) ? raw : [raw];
  if (entries.length === 0 || entries.length > 4) {
    return { step: failed('status', MSG.statusMalformed), revoked: false };
  }
  let allClear = true;
  for (const entry of entries) {
    if (!isJsonObject(entry)) return { step: failed('status', MSG.statusMalformed), revoked: false };
    if (entry.type !== 'BitstringStatusListEntry') {
      return { step: unknown('status', MSG.statusUnsupported, `type ${String(entry.type)}`), revoked: false };
    }
    const purpose = entry.statusPurpose;
    if (
      (purpose !== 'revocation' && purpose !== 'suspension') ||
      typeof entry.statusListCredential !== 'string' ||
      typeof entry.id !== 'string'
    ) {
      return { step: failed('status', MSG.statusMalformed), revoked: false };
    }
    try {
      parseStatusIndex(entry.statusListIndex);
    } catch (e) {
      return { step: failed('status', MSG.statusMalformed, errorText(e)), revoked: false };
    }
    if (!checker) return { step: unknown('status', MSG.statusUnknown, 'no status checker'), revoked: false };
    let answer: StatusAnswer;
    try {
      answer = await checker({
        id: entry.id,
        type: 'BitstringStatusListEntry',
        statusPurpose: purpose as StatusPurpose,
        statusListIndex: String(entry.statusListIndex),
        statusListCredential: entry.statusListCredential,
      });
    } catch (e) {
      return { step: unknown('status', MSG.statusUnknown, errorText(e)), revoked: false };
    }
    if (answer === true) {
      const message = purpose === 'revocation' ? MSG.statusRevoked : MSG.statusSuspended;
      return { step: failed('status', message), revoked: true };
    }
    if (answer !== false) allClear = false;
  }
  return allClear
    ? { step: passed('status', MSG.statusOk), revoked: false }
    : { step: unknown('status', MSG.statusUnknown), revoked: false };
}

// ——— validity window ———

const JST_DATE = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  dateStyle: 'long',
  timeStyle: 'short',
});

function checkValidity(credential: Json, now: Date): VerificationStep {
  const from = parseCredentialDate(credential.validFrom ?? credential.issuanceDate);
  if (!from) return failed('validity', MSG.validityNoStart);
  const untilRaw = credential.validUntil ?? credential.expirationDate;
  const until = untilRaw === undefined ? null : parseCredentialDate(untilRaw);
  if (untilRaw !== undefined && !until) return failed('validity', MSG.validityBadEnd);
  if (now.getTime() + CLOCK_SKEW_MS < from.getTime()) {
    return failed('validity', MSG.validityNotYet(JST_DATE.format(from)));
  }
  if (until && now.getTime() - CLOCK_SKEW_MS > until.getTime()) {
    return failed('validity', MSG.validityExpired(JST_DATE.format(until)));
  }
  return passed('validity', MSG.validityOk(JST_DATE.format(from), until ? JST_DATE.format(until) : null));
}

// ——— recipient ———

function checkRecipient(credential: Json, email: string | undefined): VerificationStep {
  if (email === undefined) return skipped('recipient', MSG.recipientNotChecked);
  const subject = credential.credentialSubject;
  const raw = isJsonObject(subject) ? subject.identifier : undefined;
  const identities = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter(
    (i): i is Json =>
      isJsonObject(i) && i.identityType === 'emailAddress' && typeof i.identityHash === 'string',
  );
  if (identities.length === 0) return failed('recipient', MSG.recipientNoIdentity);
  // Our own badges hash the normalised address; other issuers may hash it as typed, so try both.
  const candidates = [...new Set([normaliseEmail(email), email.trim()])];
  const matches = identities.some((identity) => {
    const stored = String(identity.identityHash);
    if (identity.hashed !== true) return candidates.some((c) => normaliseEmail(stored) === normaliseEmail(c));
    const salt = typeof identity.salt === 'string' ? identity.salt : '';
    const match = /^(sha256|md5)\$([0-9a-fA-F]+)$/.exec(stored);
    if (!match?.[1] || !match[2]) return false;
    const [algorithm, hex] = [match[1], match[2].toLowerCase()];
    return candidates.some(
      (c) =>
        createHash(algorithm)
          .update(c + salt, 'utf8')
          .digest('hex') === hex,
    );
  });
  return matches ? passed('recipient', MSG.recipientOk) : failed('recipient', MSG.recipientMismatch);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
