import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { xsdDateTime } from './datetime.js';
import { type BadgeDocumentLoader, CONTEXT, createDocumentLoader } from './document-loader.js';
import type { SigningKey } from './keys.js';
import { validateAchievementCredential } from './schema.js';
import { type BitstringStatusListEntry, statusListEntry } from './status-list.js';

/**
 * Building and signing OpenBadgeCredentials exactly as OPEN-BADGES.md §Shape says: contexts in order, every
 * `type` an array, `image`s as objects, `validFrom` (never `issuanceDate`), the recipient only as a salted
 * e-mail hash, DSS-P alignments that name the framework version, a BitstringStatusListEntry, and `proof` as an
 * array. Every credential is checked against the 1EdTech JSON Schema before and after signing.
 */

export const OB_CREDENTIAL_CONTEXT = [CONTEXT.VC_V2, CONTEXT.OB_V3] as const;
export const OB_SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';
/** OPEN-BADGES.md: a credential stays under 16 KB (evidence as links, never data URIs). */
export const MAX_CREDENTIAL_BYTES = 16 * 1024;
/** Our alignment type for a DSS-P skill item (1EdTech allows `ext:` values). */
export const DSSP_TARGET_TYPE = 'ext:DSSPSkillItem';

/** Types whose terms live in the OB extensions context (OPEN-BADGES.md: without it, safe-mode signing fails). */
const EXTENSION_TYPES = [
  '1EdTechJsonSchemaValidator2019',
  '1EdTechRevocationList',
  '1EdTechCredentialRefresh',
];

export type Image = { id: string; type: 'Image'; caption?: string };
export type IssuerProfile = {
  id: string;
  type: ['Profile'];
  name: string;
  url: string;
  email?: string;
  image?: Image;
};
export type Alignment = {
  type: ['Alignment'];
  targetName: string;
  targetUrl: string;
  targetFramework: string;
  targetCode: string;
  targetType: string;
  targetDescription?: string;
};
export type IdentityObject = {
  type: 'IdentityObject';
  identityType: 'emailAddress';
  hashed: true;
  salt: string;
  identityHash: string;
};
export type Achievement = {
  id: string;
  type: ['Achievement'];
  achievementType: string;
  name: string;
  description: string;
  criteria: { id?: string; narrative: string };
  image: Image;
  inLanguage: string;
  version?: string;
  alignment: Alignment[];
};
export type AchievementSubject = {
  id?: string;
  type: ['AchievementSubject'];
  identifier: IdentityObject[];
  achievement: Achievement;
};
export type Evidence = {
  /** A link to the evidence; absent when the evidence is a narrative only (OB 3.0 Evidence: id is optional). */
  id?: string;
  type: ['Evidence'];
  name?: string;
  narrative?: string;
  description?: string;
};
export type DataIntegrityProofValue = {
  type: string;
  created?: string;
  verificationMethod: string;
  cryptosuite?: string;
  proofPurpose: string;
  proofValue: string;
};
export type OpenBadgeCredential = {
  '@context': string[];
  id: string;
  type: ['VerifiableCredential', 'OpenBadgeCredential'];
  name: string;
  description?: string;
  image?: Image;
  issuer: IssuerProfile;
  validFrom: string;
  validUntil?: string;
  awardedDate?: string;
  credentialSubject: AchievementSubject;
  evidence?: Evidence[];
  credentialSchema?: { id: string; type: '1EdTechJsonSchemaValidator2019' }[];
  credentialStatus?: BitstringStatusListEntry;
  proof?: DataIntegrityProofValue[];
};
export type SignedOpenBadgeCredential = OpenBadgeCredential & { proof: DataIntegrityProofValue[] };

// ——— recipient identity ———

/** How dxq normalises an e-mail address before hashing it, at issuance and in the recipient check alike. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/** OB 3.0 IdentityObject hash: `sha256$` + hex(SHA-256(UTF-8(identity + salt))). */
export function identityHash(identity: string, salt: string): string {
  return `sha256$${createHash('sha256')
    .update(identity + salt, 'utf8')
    .digest('hex')}`;
}

export function hashEmail(email: string, salt: string): string {
  return identityHash(normaliseEmail(email), salt);
}

/** A fresh per-credential salt, so the same address gives unlinkable hashes in different badges. */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

// ——— input ———

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine(isHttpUrl, { message: 'http(s) の URL を指定してください(data: URI は使えません)' });
const issuerIdentifier = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => isHttpUrl(v) || /^did:(web|key):[A-Za-z0-9._:%#-]+$/.test(v), {
    message: '発行者 ID は URL または did:web / did:key を指定してください',
  });
const subjectIdentifier = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => isHttpUrl(v) || /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/.test(v), {
    message: '受領者 ID は URL または DID を指定してください(メールアドレスは使えません)',
  });
const text = (max: number) => z.string().trim().min(1).max(max);
const imageInput = z.object({ id: httpUrl, caption: text(500).optional() });

/** One DSS-P (or other framework) item an achievement is aligned to. */
export const alignmentInputSchema = z.object({
  framework: z.object({ name: text(200), version: text(50) }),
  code: text(100),
  name: text(300),
  url: httpUrl,
  description: text(2000).optional(),
});

export const openBadgeInputSchema = z.object({
  id: z
    .string()
    .regex(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    .optional(),
  /** Defaults to the achievement's name. */
  name: text(300).optional(),
  description: text(2000).optional(),
  issuer: z.object({
    id: issuerIdentifier,
    name: text(300),
    url: httpUrl,
    email: z.email().optional(),
    image: imageInput.optional(),
  }),
  validFrom: z.coerce.date(),
  validUntil: z.coerce.date().optional(),
  awardedDate: z.coerce.date().optional(),
  recipient: z.object({
    email: z.email(),
    /** Defaults to a fresh random salt. */
    salt: z.string().min(8).max(128).optional(),
    /** A DID or URL of the earner, if they have one; never an e-mail address. */
    subjectId: subjectIdentifier.optional(),
  }),
  achievement: z.object({
    id: httpUrl,
    name: text(300),
    description: text(2000),
    criteria: z.object({ narrative: text(5000), id: httpUrl.optional() }),
    image: imageInput,
    achievementType: z
      .string()
      .regex(/^([A-Z][A-Za-z]+|ext:[A-Za-z0-9._-]+)$/)
      .default('CertificateOfCompletion'),
    inLanguage: z
      .string()
      .regex(/^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$/)
      .default('ja'),
    version: text(50).optional(),
    alignments: z.array(alignmentInputSchema).max(100).default([]),
  }),
  evidence: z
    .array(
      z
        .object({
          id: httpUrl.optional(),
          name: text(300).optional(),
          narrative: text(2000).optional(),
          description: text(2000).optional(),
        })
        .refine((e) => e.id !== undefined || e.narrative !== undefined, {
          message: '根拠には URL か説明文のどちらかが必要です',
        }),
    )
    .max(20)
    .optional(),
  status: z
    .object({
      statusListCredential: httpUrl,
      statusListIndex: z.number().int().min(0),
      statusPurpose: z.enum(['revocation', 'suspension']).default('revocation'),
    })
    .optional(),
  /** Adds `credentialSchema` (1EdTechJsonSchemaValidator2019) pointing at the 1EdTech schema. */
  includeCredentialSchema: z.boolean().default(false),
});

export type OpenBadgeInput = z.input<typeof openBadgeInputSchema>;

/** `targetFramework` names the standard and its version (OPEN-BADGES.md), e.g. "デジタルスキル標準 ver.1.2". */
export function targetFramework(framework: { name: string; version: string }): string {
  return `${framework.name} ver.${framework.version.replace(/^(ver\.?|v)\s*/i, '')}`;
}

function image(input: { id: string; caption?: string | undefined }): Image {
  return input.caption
    ? { id: input.id, type: 'Image', caption: input.caption }
    : { id: input.id, type: 'Image' };
}

/** Drops undefined members, so the JSON (and the signed graph) has no empty keys. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The unsigned credential for one earner. Throws AppError VALIDATION (with `fields`) for bad input; the
 * result always passes the 1EdTech schema.
 */
export function buildOpenBadgeCredential(rawInput: OpenBadgeInput): OpenBadgeCredential {
  const parsed = openBadgeInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
    throw new AppError('VALIDATION', 'バッジの内容が正しくありません', { fields });
  }
  const input = parsed.data;
  if (input.validUntil && input.validUntil <= input.validFrom) {
    throw new AppError('VALIDATION', '有効期限は有効開始日より後にしてください', {
      fields: { validUntil: '有効期限は有効開始日より後にしてください' },
    });
  }
  const salt = input.recipient.salt ?? newSalt();
  const achievement = input.achievement;

  const credential: OpenBadgeCredential = compact({
    '@context': [...OB_CREDENTIAL_CONTEXT],
    id: input.id ?? `urn:uuid:${randomUUID()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: input.name ?? achievement.name,
    description: input.description,
    issuer: compact({
      id: input.issuer.id,
      type: ['Profile'],
      name: input.issuer.name,
      url: input.issuer.url,
      email: input.issuer.email,
      image: input.issuer.image ? image(input.issuer.image) : undefined,
    }) as IssuerProfile,
    validFrom: xsdDateTime(input.validFrom),
    validUntil: input.validUntil ? xsdDateTime(input.validUntil) : undefined,
    awardedDate: input.awardedDate ? xsdDateTime(input.awardedDate) : undefined,
    credentialSubject: compact({
      id: input.recipient.subjectId,
      type: ['AchievementSubject'],
      identifier: [
        {
          type: 'IdentityObject',
          identityType: 'emailAddress',
          hashed: true,
          salt,
          identityHash: hashEmail(input.recipient.email, salt),
        },
      ],
      achievement: compact({
        id: achievement.id,
        type: ['Achievement'],
        achievementType: achievement.achievementType,
        name: achievement.name,
        description: achievement.description,
        criteria: compact({ id: achievement.criteria.id, narrative: achievement.criteria.narrative }),
        image: image(achievement.image),
        inLanguage: achievement.inLanguage,
        version: achievement.version,
        alignment: achievement.alignments.map((a) =>
          compact({
            type: ['Alignment'],
            targetName: a.name,
            targetUrl: a.url,
            targetFramework: targetFramework(a.framework),
            targetCode: a.code,
            targetType: DSSP_TARGET_TYPE,
            targetDescription: a.description,
          }),
        ),
      }) as Achievement,
    }) as AchievementSubject,
    evidence: input.evidence?.map((e) =>
      compact({
        id: e.id,
        type: ['Evidence'],
        name: e.name,
        narrative: e.narrative,
        description: e.description,
      }),
    ) as Evidence[] | undefined,
    credentialSchema: input.includeCredentialSchema
      ? [{ id: OB_SCHEMA_URL, type: '1EdTechJsonSchemaValidator2019' }]
      : undefined,
    credentialStatus: input.status
      ? statusListEntry(
          input.status.statusListCredential,
          input.status.statusListIndex,
          input.status.statusPurpose,
        )
      : undefined,
  });
  withExtensionsContext(credential);

  const check = validateAchievementCredential(credential);
  if (!check.ok) {
    // Our own builder produced something the schema refuses: a bug, not bad input.
    throw new Error(`built credential fails the OB 3.0 schema: ${check.errors.join('; ')}`);
  }
  return credential;
}

/** Adds the OB extensions context (third, after VC v2 and OB 3.0) when an extension type is used. */
function withExtensionsContext(credential: OpenBadgeCredential): void {
  const json = JSON.stringify(credential);
  const needed = EXTENSION_TYPES.some((t) => json.includes(`"${t}"`));
  if (needed && !credential['@context'].includes(CONTEXT.OB_EXTENSIONS)) {
    credential['@context'].push(CONTEXT.OB_EXTENSIONS);
  }
}

// ——— signing ———

export type SignOptions = {
  /** `proof.created`; defaults to now. */
  created?: Date | string;
  /** A loader to reuse (e.g. to inspect what it was asked); defaults to a fresh bundled-only loader. */
  documentLoader?: BadgeDocumentLoader;
};

function issuerIdOf(credential: { issuer?: unknown }): string | undefined {
  const { issuer } = credential;
  if (typeof issuer === 'string') return issuer;
  if (issuer && typeof issuer === 'object' && typeof (issuer as { id?: unknown }).id === 'string') {
    return (issuer as { id: string }).id;
  }
  return undefined;
}

/**
 * Adds an `eddsa-rdfc-2022` DataIntegrityProof (proofPurpose assertionMethod) made with `key`, and returns
 * a copy with `proof` as an array. The key's controller must be the credential's issuer.
 */
export async function signDataIntegrity<T extends { issuer?: unknown }>(
  credential: T,
  key: SigningKey,
  options: SignOptions = {},
): Promise<T & { proof: DataIntegrityProofValue[] }> {
  if (issuerIdOf(credential) !== key.controller) {
    throw new Error(`the signing key's controller (${key.controller}) is not the credential's issuer`);
  }
  const { proof: _previous, ...unsigned } = credential as T & { proof?: unknown };
  const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite, date: options.created });
  const signed = await vc.issue({
    credential: structuredClone(unsigned) as Record<string, unknown>,
    suite,
    documentLoader: options.documentLoader ?? createDocumentLoader(),
  });
  const proof = signed.proof as DataIntegrityProofValue | DataIntegrityProofValue[];
  // The library emits one proof as an object; the 1EdTech schema wants an array (verifiers accept both).
  return { ...(signed as T), proof: Array.isArray(proof) ? proof : [proof] };
}

/** Signs an OpenBadgeCredential: schema check before and after, proof as an array, at most 16 KB. */
export async function signOpenBadge(
  credential: OpenBadgeCredential,
  key: SigningKey,
  options: SignOptions = {},
): Promise<SignedOpenBadgeCredential> {
  const before = validateAchievementCredential(credential);
  if (!before.ok) throw new Error(`credential fails the OB 3.0 schema: ${before.errors.join('; ')}`);
  const signed = await signDataIntegrity(credential, key, options);
  const after = validateAchievementCredential(signed);
  if (!after.ok) throw new Error(`signed credential fails the OB 3.0 schema: ${after.errors.join('; ')}`);
  if (Buffer.byteLength(JSON.stringify(signed), 'utf8') > MAX_CREDENTIAL_BYTES) {
    throw new AppError(
      'VALIDATION',
      'バッジのデータが 16KB を超えています。説明文や根拠の記述を短くしてください',
    );
  }
  return signed;
}

/** Registered JWT claims the VC-JWT payload adds to the credential (OB 3.0 §8.2). */
export const JWT_CLAIMS = ['iss', 'jti', 'nbf', 'exp', 'sub', 'iat', 'aud'] as const;

function epochSeconds(xsd: string): number {
  return Math.floor(new Date(xsd).getTime() / 1000);
}

/**
 * VC-JWT (OB 3.0 §8.2): JOSE header `{alg: "EdDSA", kid, typ: "JWT"}` only; payload = the credential
 * (without `proof`) plus `iss` (issuer id), `jti` (credential id), `nbf` (validFrom), `sub` (subject id, if
 * any) and `exp` (validUntil, if any).
 */
export async function signOpenBadgeJwt(credential: OpenBadgeCredential, key: SigningKey): Promise<string> {
  const issuer = issuerIdOf(credential);
  if (issuer !== key.controller) {
    throw new Error(`the signing key's controller (${key.controller}) is not the credential's issuer`);
  }
  const check = validateAchievementCredential(credential);
  if (!check.ok) throw new Error(`credential fails the OB 3.0 schema: ${check.errors.join('; ')}`);
  const { proof: _proof, ...body } = credential;
  const payload: JWTPayload = {
    ...body,
    iss: issuer,
    jti: credential.id,
    nbf: epochSeconds(credential.validFrom),
  };
  if (credential.credentialSubject.id) payload.sub = credential.credentialSubject.id;
  if (credential.validUntil) payload.exp = epochSeconds(credential.validUntil);
  const privateKey = await importJWK({ ...(await key.privateJwk()) }, 'EdDSA');
  return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: key.id, typ: 'JWT' }).sign(privateKey);
}
