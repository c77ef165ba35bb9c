import { z } from 'zod';
import type { StoredAlignment } from '../../../db/schema-badges.js';
import { targetFramework } from '../credential.js';
import { parseCredentialDate, xsdDateTime } from '../datetime.js';
import { CONTEXT } from '../document-loader.js';
import { CORRECTED } from '../revocation.service.js';
import { paths, siteUrl } from '../urls.js';
import { OB2_REVOCATION_REASON } from './ob2.labels.js';
import type {
  Ob2Assertion,
  Ob2BadgeClass,
  Ob2Evidence,
  Ob2Issuer,
  Ob2RevokedAssertion,
} from './ob2.schema.js';

/**
 * Open Badges 2.0 documents (IMS Global, Open Badges v2.0, 2018) for badges dxq issued as OB 3.0 credentials.
 * Every value comes from the signed credential, the frozen achievement version or the issuer's public profile:
 * nothing here is new information about the earner. The recipient is the credential's own salted hash of their
 * address (the same salt and hash, so the one address verifies both), never the address or the name.
 *
 * Hosted verification (OB 2.0 §HostedBadge Verification): each document's `id` is the URL it is served at on
 * this site, and the issuer Profile declares that its Assertions live under `<base>/ob2/` (`startsWith`).
 */

export const OB2_CONTEXT = CONTEXT.OB_V2;

/** What of a stored OB 3.0 credential an Assertion needs, read defensively (it is JSON from the database). */
const credentialSchema = z.object({
  validFrom: z.string(),
  validUntil: z.string().optional(),
  awardedDate: z.string().optional(),
  credentialSubject: z.object({
    identifier: z
      .array(
        z.object({
          type: z.literal('IdentityObject'),
          identityType: z.string(),
          hashed: z.boolean(),
          salt: z.string().optional(),
          identityHash: z.string(),
        }),
      )
      .optional(),
  }),
  evidence: z
    .array(
      z.object({
        id: z.string().optional(),
        name: z.string().optional(),
        narrative: z.string().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
});

const SHA256_IDENTITY = /^sha256\$[0-9a-f]{64}$/;

function dateOf(value: string | undefined): string | undefined {
  const date = parseCredentialDate(value);
  return date ? xsdDateTime(date) : undefined;
}

/** Drops undefined members, so the JSON has no empty keys. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export type AssertionInput = {
  baseUrl: string;
  credentialId: string;
  achievementVersionId: string;
  /** The signed OB 3.0 credential as stored. */
  credential: Record<string, unknown>;
};

/**
 * The hosted Assertion, or null when the credential does not name its earner by a salted SHA-256 hash of an
 * e-mail address (OB 2.0 recipients are an IdentityObject; dxq never publishes a plaintext identity).
 *
 * - recipient: OB 3.0 `identifier` {identityType: emailAddress, hashed, salt, identityHash} → OB 2.0
 *   IdentityObject {type: email, hashed, salt, identity}; both are `sha256$` + hex(SHA-256(address + salt)).
 * - issuedOn: "when the achievement was awarded" (§Assertion) — the credential's awardedDate, which a
 *   correction keeps (OB 3.0 AchievementCredential.awardedDate); validFrom when there is none.
 * - expires: validUntil. evidence: the credential's evidence (links and narratives), as §Evidence objects.
 */
export function presentAssertion(input: AssertionInput): Ob2Assertion | null {
  const parsed = credentialSchema.safeParse(input.credential);
  if (!parsed.success) return null;
  const credential = parsed.data;
  const identity = credential.credentialSubject.identifier?.find(
    (i) => i.identityType === 'emailAddress' && i.hashed && !!i.salt && SHA256_IDENTITY.test(i.identityHash),
  );
  const issuedOn = dateOf(credential.awardedDate) ?? dateOf(credential.validFrom);
  if (!identity?.salt || !issuedOn) return null;
  const url = (path: string) => siteUrl(input.baseUrl, path);
  const evidence = (credential.evidence ?? [])
    .filter((e) => (e.id !== undefined && URL.canParse(e.id)) || !!e.narrative)
    .map((e) =>
      compact<Ob2Evidence>({
        type: 'Evidence',
        id: e.id !== undefined && URL.canParse(e.id) ? e.id : undefined,
        name: e.name || undefined,
        narrative: e.narrative || undefined,
        description: e.description || undefined,
      }),
    );
  return compact<Ob2Assertion>({
    '@context': OB2_CONTEXT,
    id: url(paths.ob2Assertion(input.credentialId)),
    type: 'Assertion',
    recipient: { type: 'email', hashed: true, salt: identity.salt, identity: identity.identityHash },
    badge: url(paths.ob2BadgeClass(input.achievementVersionId)),
    verification: { type: 'hosted' },
    issuedOn,
    // The baked OB 2.0 image (§Assertion image: "should be prepared via the Baking specification").
    image: url(paths.ob2AssertionImage(input.credentialId)),
    evidence: evidence.length > 0 ? evidence : undefined,
    expires: dateOf(credential.validUntil),
  });
}

/**
 * What a revoked Assertion's URL answers, with HTTP 410 Gone (§Revoking Hosted Assertions: only `id` and
 * `revoked` are required). The published reason says only whether a correction replaced it.
 */
export function presentRevokedAssertion(input: {
  baseUrl: string;
  credentialId: string;
  revocationReason: string | null;
}): Ob2RevokedAssertion {
  return {
    '@context': OB2_CONTEXT,
    id: siteUrl(input.baseUrl, paths.ob2Assertion(input.credentialId)),
    revoked: true,
    revocationReason:
      input.revocationReason === CORRECTED ? OB2_REVOCATION_REASON.corrected : OB2_REVOCATION_REASON.revoked,
  };
}

export type BadgeClassInput = {
  baseUrl: string;
  versionId: string;
  achievementId: string;
  version: number;
  orgId: string;
  name: string;
  description: string;
  criteriaNarrative: string;
  alignments: StoredAlignment[];
};

/**
 * The BadgeClass of an achievement version: what the OB 3.0 Achievement of its credentials says (name,
 * description, criteria narrative, the same image URL), with each DSS-P alignment as a §AlignmentObject
 * (targetName, targetUrl, targetFramework naming the framework and its version, targetCode).
 */
export function presentBadgeClass(input: BadgeClassInput): Ob2BadgeClass {
  const url = (path: string) => siteUrl(input.baseUrl, path);
  return {
    '@context': OB2_CONTEXT,
    id: url(paths.ob2BadgeClass(input.versionId)),
    type: 'BadgeClass',
    name: input.name,
    description: input.description,
    image: url(paths.achievementImage(input.achievementId, input.version, 'png')),
    criteria: { narrative: input.criteriaNarrative },
    issuer: url(paths.ob2Issuer(input.orgId)),
    alignment: input.alignments.map((a) => ({
      targetName: a.name,
      targetUrl: a.url,
      targetFramework: targetFramework({ name: a.frameworkName, version: a.frameworkVersion }),
      targetCode: a.code,
    })),
    version: String(input.version),
  };
}

/** An issuer Profile; `email` is required of issuers by §Profile, absent only when none is configured. */
export type Ob2IssuerDocument = Omit<Ob2Issuer, 'email'> & { email?: string };

export type IssuerInput = {
  baseUrl: string;
  orgId: string;
  name: string;
  url: string;
  /** The profile's contact address, else the site's 問い合わせ窓口 (both organisational, published already). */
  email: string | undefined;
  description: string | undefined;
  imageUrl: string | undefined;
};

export function presentIssuer(input: IssuerInput): Ob2IssuerDocument {
  return compact<Ob2IssuerDocument>({
    '@context': OB2_CONTEXT,
    id: siteUrl(input.baseUrl, paths.ob2Issuer(input.orgId)),
    type: 'Profile',
    name: input.name,
    url: input.url,
    email: input.email,
    description: input.description || undefined,
    image: input.imageUrl,
    // §VerificationObject: hosted Assertions (and BadgeClasses) of this issuer are only those under /ob2/ of
    // this site — not any URL of the origin, which also serves pages and uploads.
    verification: { type: 'VerificationObject', startsWith: siteUrl(input.baseUrl, '/ob2/') },
  });
}
