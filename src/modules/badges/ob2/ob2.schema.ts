import { z } from 'zod';
import { CONTEXT } from '../document-loader.js';

/**
 * The Open Badges 2.0 documents dxq publishes, as zod schemas (IMS Global, Open Badges v2.0 Final Release,
 * 2018: §Assertion, §BadgeClass, §Profile, §IdentityObject, §VerificationObject, §Evidence, §Criteria,
 * §AlignmentObject, §Primitive datatypes). Required properties are those the specification marks bold (and,
 * for an issuer Profile, "id, type, name, url and email"). The objects are strict: every property dxq writes
 * is a term of the bundled OB 2.0 context (anything else would carry no meaning, §Open Badges Vocabulary),
 * and a property that is not listed here cannot slip personal data into a public document.
 */

const httpUrl = z.string().refine((v) => {
  if (!URL.canParse(v)) return false;
  const { protocol } = new URL(v);
  return protocol === 'https:' || protocol === 'http:';
}, 'an http(s) URL');

/** §Primitive datatypes, DateTime: ISO 8601 with the time and a time zone indicator. */
const dateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'ISO 8601 with a time zone');

/** "JSON-LD type (multiple values allowed)": the string, or an array that includes it. */
const jsonLdType = (...names: string[]) =>
  z.union([
    z.enum(names as [string, ...string[]]),
    z
      .array(z.string())
      .refine((types) => types.some((t) => names.includes(t)), `includes ${names.join('/')}`),
  ]);

const context = z.literal(CONTEXT.OB_V2);

/** §IdentityObject with an IdentityHash (§Primitive datatypes): `sha256$` + hex, salted. */
export const ob2IdentityObjectSchema = z.strictObject({
  type: z.literal('email'),
  hashed: z.literal(true),
  salt: z.string().min(1),
  identity: z.string().regex(/^sha256\$[0-9a-f]{64}$/),
});

/** §VerificationObject for an Assertion: HostedBadge (alias `hosted`). */
const hostedVerification = z.strictObject({ type: z.enum(['hosted', 'HostedBadge']) });

/** §Evidence: every property optional; dxq always gives a link or a narrative. */
export const ob2EvidenceSchema = z
  .strictObject({
    type: z.literal('Evidence').optional(),
    id: httpUrl.optional(),
    name: z.string().min(1).optional(),
    narrative: z.string().min(1).optional(),
    description: z.string().min(1).optional(),
  })
  .refine((e) => e.id !== undefined || e.narrative !== undefined, 'a link or a narrative');

/** §Assertion: id, type, recipient, badge, verification and issuedOn are required. */
export const ob2AssertionSchema = z.strictObject({
  '@context': context,
  id: httpUrl,
  type: jsonLdType('Assertion'),
  recipient: ob2IdentityObjectSchema,
  badge: httpUrl,
  verification: hostedVerification,
  issuedOn: dateTime,
  image: httpUrl.optional(),
  evidence: z.array(ob2EvidenceSchema).min(1).optional(),
  narrative: z.string().min(1).optional(),
  expires: dateTime.optional(),
});

/** §Revoking Hosted Assertions: "for revoked Assertions, only id and revoked are required". */
export const ob2RevokedAssertionSchema = z.strictObject({
  '@context': context,
  id: httpUrl,
  revoked: z.literal(true),
  revocationReason: z.string().min(1).optional(),
});

/** §AlignmentObject: targetName and targetUrl are required. */
export const ob2AlignmentSchema = z.strictObject({
  targetName: z.string().min(1),
  targetUrl: httpUrl,
  targetDescription: z.string().min(1).optional(),
  targetFramework: z.string().min(1).optional(),
  targetCode: z.string().min(1).optional(),
});

/** §Criteria: a URL, or an embedded document with a narrative (and optionally its page). */
const criteria = z.union([
  httpUrl,
  z.strictObject({
    type: z.literal('Criteria').optional(),
    id: httpUrl.optional(),
    narrative: z.string().min(1),
  }),
]);

/** §BadgeClass: id, type, name, description, image, criteria and issuer are required. */
export const ob2BadgeClassSchema = z.strictObject({
  '@context': context,
  id: httpUrl,
  type: jsonLdType('BadgeClass'),
  name: z.string().min(1),
  description: z.string().min(1),
  image: httpUrl,
  criteria,
  issuer: httpUrl,
  alignment: z.array(ob2AlignmentSchema).optional(),
  tags: z.array(z.string().min(1)).optional(),
  version: z.string().min(1).optional(),
});

/** §VerificationObject in an issuer Profile: the scope its hosted Assertions must be in. */
const profileVerification = z.strictObject({
  type: z.literal('VerificationObject'),
  verificationProperty: z.literal('id').optional(),
  startsWith: z.union([httpUrl, z.array(httpUrl).min(1)]).optional(),
  allowedOrigins: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
});

/** §Profile (Issuer): "as a badge issuer, id, type, name, url, and email are required". */
export const ob2IssuerSchema = z.strictObject({
  '@context': context,
  id: httpUrl,
  type: jsonLdType('Issuer', 'Profile'),
  name: z.string().min(1),
  url: httpUrl,
  email: z.email(),
  description: z.string().min(1).optional(),
  image: httpUrl.optional(),
  verification: profileVerification.optional(),
});

export type Ob2Assertion = z.infer<typeof ob2AssertionSchema>;
export type Ob2Evidence = z.infer<typeof ob2EvidenceSchema>;
export type Ob2RevokedAssertion = z.infer<typeof ob2RevokedAssertionSchema>;
export type Ob2BadgeClass = z.infer<typeof ob2BadgeClassSchema>;
export type Ob2Issuer = z.infer<typeof ob2IssuerSchema>;
