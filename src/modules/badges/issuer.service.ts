import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, actorUserId } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { normalizeMultiline, normalizeText } from '../../lib/text.js';
import { audit } from '../audit/audit.service.js';
import { prepareImage } from './badge-image.js';
import { canIssueAs } from './badges.policy.js';
import { issuerScope, notFound } from './badges.scope.js';
import { CONTEXT, type IssuerKeyResolver, type KeyDocument } from './document-loader.js';
import * as repo from './issuer.repository.js';
import {
  controllerDocument,
  generateIssuerKey,
  loadSigningKey,
  type PublicMultikey,
  type SigningKey,
  verificationMethodDocument,
} from './keys.js';
import { issuerDid, isUuid, orgIdOfIssuerDid, paths, siteUrl } from './urls.js';

/**
 * Issuers (issue 4 §2): each issuing organisation has an OB 3.0 Profile and Ed25519 keys generated in dxq.
 * The issuer id is `did:web:<host>:issuers:<orgId>` (urls.ts); its controller document lists the active key
 * and every retired one, so badges signed before a rotation still verify. Keys are sealed at rest (keys.ts)
 * and never leave this module in clear: no function here returns a secret key or a sealed box.
 */

export type IssuerProfileView = {
  orgId: string;
  issuerId: string;
  name: string;
  url: string;
  email: string | null;
  description: string;
  /** The image's public URL, or null when none was uploaded. */
  imageUrl: string | null;
  /** False until the organisation saved a profile: the values above are then the defaults. */
  saved: boolean;
};

export type IssuerKeyView = {
  id: string;
  verificationMethod: string;
  publicKeyMultibase: string;
  status: 'active' | 'retired';
  createdAt: Date;
};

async function profileView(deps: Deps, db: Database, orgId: string): Promise<IssuerProfileView | null> {
  const org = await repo.findOrganisation(db, orgId);
  if (!org) return null;
  const row = await repo.findProfile(db, orgId);
  const base = deps.config.baseUrl;
  return {
    orgId,
    issuerId: issuerDid(base, orgId),
    name: row?.name ?? org.name,
    url: row?.url ?? base,
    email: row?.email ?? null,
    description: row?.description ?? '',
    imageUrl: row?.image_type
      ? siteUrl(base, paths.issuerImage(orgId, row.image_type === 'image/png' ? 'png' : 'svg'))
      : null,
    saved: !!row,
  };
}

/** The profile as the issuer's staff see and edit it (defaults from the organisation until saved). */
export async function getIssuerProfile(deps: Deps, actor: Actor, orgId: string): Promise<IssuerProfileView> {
  await issuerScope(deps, actor, 'badges.view', orgId);
  const view = await profileView(deps, deps.db, orgId);
  if (!view) throw notFound('組織');
  return view;
}

const httpUrl = z
  .string()
  .trim()
  .max(2000, 'URL が長すぎます')
  .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), 'http(s) の URL を入力してください');

export const issuerProfileSchema = z.object({
  name: z
    .string()
    .transform(normalizeText)
    .pipe(z.string().min(1, '必須です').max(200, '200文字以内で入力してください')),
  url: httpUrl,
  email: z
    .string()
    .transform((s) => s.normalize('NFKC').trim().toLowerCase())
    .pipe(z.union([z.literal(''), z.email('メールアドレスの形式が正しくありません').max(254)]))
    .optional(),
  description: z
    .string()
    .transform(normalizeMultiline)
    .pipe(z.string().max(2000, '2000文字以内で入力してください'))
    .optional(),
});
export type IssuerProfileInput = z.input<typeof issuerProfileSchema> & {
  orgId: string;
  /** An uploaded PNG or SVG (re-encoded / sanitised before it is stored); undefined keeps the current one. */
  image?: Uint8Array;
};

function invalid(error: z.ZodError): AppError {
  const fields = Object.fromEntries(error.issues.map((i) => [i.path.join('.'), i.message]));
  return new AppError('VALIDATION', '入力内容を確認してください', { fields });
}

/** Saves the issuer profile shown in every badge issued after this (badges already issued keep theirs). */
export async function updateIssuerProfile(
  deps: Deps,
  actor: Actor,
  input: IssuerProfileInput,
): Promise<IssuerProfileView> {
  const scope = await issuerScope(deps, actor, 'badges.manage', input.orgId);
  const parsed = issuerProfileSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  let image: { bytes: Uint8Array; type: 'image/png' | 'image/svg+xml' } | undefined;
  if (input.image) {
    const prepared = prepareImage(input.image, 'image');
    image =
      prepared.type === 'png'
        ? { bytes: prepared.bytes, type: 'image/png' }
        : { bytes: Buffer.from(prepared.svg, 'utf8'), type: 'image/svg+xml' };
  }
  const p = parsed.data;
  return transaction(deps, async (tx) => {
    await repo.upsertProfile(tx, {
      organisation_id: scope.orgId,
      name: p.name,
      url: p.url,
      email: p.email || null,
      description: p.description ?? '',
      ...(image ? { image: image.bytes, image_type: image.type } : {}),
      updated_by: actorUserId(actor),
      updated_at: deps.clock.now(),
    });
    await audit(
      deps,
      tx,
      actor,
      'badges.issuer.profile_updated',
      { type: 'organisation', id: scope.orgId },
      {
        name: p.name,
        url: p.url,
        imageChanged: !!image,
      },
    );
    return (await profileView(deps, tx, scope.orgId)) as IssuerProfileView;
  });
}

/** The public OB 3.0 Profile JSON of an issuer (GET /issuers/:orgId/profile), or null. */
export async function getIssuerProfileDocument(
  deps: Deps,
  orgId: string,
): Promise<Record<string, unknown> | null> {
  if (!isUuid(orgId)) return null;
  const org = await repo.findOrganisation(deps.db, orgId);
  if (!org || !canIssueAs(org.kind)) return null;
  const view = await profileView(deps, deps.db, orgId);
  if (!view) return null;
  const doc: Record<string, unknown> = {
    '@context': [CONTEXT.VC_V2, CONTEXT.OB_V3],
    id: view.issuerId,
    type: ['Profile'],
    name: view.name,
    url: view.url,
  };
  if (view.email) doc.email = view.email;
  if (view.description) doc.description = view.description;
  if (view.imageUrl) doc.image = { id: view.imageUrl, type: 'Image' };
  return doc;
}

/** The issuer's uploaded image (already re-encoded or sanitised when stored), for the public route. */
export async function getIssuerImage(deps: Deps, orgId: string) {
  if (!isUuid(orgId)) return null;
  const row = await repo.findProfileImage(deps.db, orgId);
  if (!row?.image || !row.image_type) return null;
  return { bytes: row.image, contentType: row.image_type, updatedAt: row.updated_at };
}

/** What a credential names as its issuer: the profile's values under the issuer's DID. */
export async function issuerForCredential(deps: Deps, db: Database, orgId: string) {
  const view = await profileView(deps, db, orgId);
  if (!view) throw notFound('組織');
  return {
    id: view.issuerId,
    name: view.name,
    url: view.url,
    ...(view.email ? { email: view.email } : {}),
    ...(view.imageUrl ? { image: { id: view.imageUrl } } : {}),
  };
}

// ——— keys ———

function publicKeyOf(row: { controller: string; verification_method: string; public_key_multibase: string }) {
  return {
    id: row.verification_method,
    type: 'Multikey',
    controller: row.controller,
    publicKeyMultibase: row.public_key_multibase,
  } satisfies PublicMultikey;
}

/**
 * The organisation's active key, generated on first need in the caller's transaction (the first issuance).
 * Two first issuances at once: the partial unique index keeps one key, and the loser reads the winner's.
 */
export async function ensureIssuerKey(deps: Deps, tx: Database, actor: Actor, orgId: string) {
  const found = await repo.findActiveKey(tx, orgId);
  if (found) return found;
  const stored = await generateIssuerKey(deps.config.secretKey, issuerDid(deps.config.baseUrl, orgId));
  const inserted = await repo.insertActiveKey(tx, {
    organisation_id: orgId,
    controller: stored.publicKey.controller,
    verification_method: stored.publicKey.id,
    public_key_multibase: stored.publicKey.publicKeyMultibase,
    sealed_secret_key: stored.sealedSecretKey,
    created_by: actorUserId(actor),
  });
  if (!inserted) {
    const winner = await repo.findActiveKey(tx, orgId);
    if (!winner) throw new Error('issuer key: neither inserted nor found');
    return winner;
  }
  await audit(
    deps,
    tx,
    actor,
    'badges.issuer.key_created',
    { type: 'organisation', id: orgId },
    {
      verificationMethod: inserted.verification_method,
    },
  );
  return inserted;
}

/** Unseals a stored key for signing (keep the result only as long as a batch needs it). */
export function signingKeyOf(deps: Deps, row: repo.IssuerKeyRow): Promise<SigningKey> {
  return loadSigningKey(deps.config.secretKey, {
    publicKey: publicKeyOf(row),
    sealedSecretKey: row.sealed_secret_key,
  });
}

/** The issuer's active and retired keys, public halves only (for the staff page). */
export async function listIssuerKeys(deps: Deps, actor: Actor, orgId: string): Promise<IssuerKeyView[]> {
  const scope = await issuerScope(deps, actor, 'badges.view', orgId);
  const rows = await repo.listPublishedKeys(deps.db, scope.orgId);
  return rows.map((r) => ({
    id: r.id,
    verificationMethod: r.verification_method,
    publicKeyMultibase: r.public_key_multibase,
    status: r.status as 'active' | 'retired',
    createdAt: r.created_at,
  }));
}

/**
 * Key rotation: the active key is retired (it stays in the controller document, so every badge it signed
 * still verifies) and a new active key signs from now on.
 */
export async function rotateIssuerKey(
  deps: Deps,
  actor: Actor,
  input: { orgId: string },
): Promise<IssuerKeyView> {
  const scope = await issuerScope(deps, actor, 'badges.manage', input.orgId);
  const stored = await generateIssuerKey(deps.config.secretKey, issuerDid(deps.config.baseUrl, scope.orgId));
  return transaction(deps, async (tx) => {
    await repo.lockOrganisation(tx, scope.orgId);
    const retired = await repo.retireActiveKey(tx, scope.orgId, deps.clock.now());
    const row = await repo.insertActiveKey(tx, {
      organisation_id: scope.orgId,
      controller: stored.publicKey.controller,
      verification_method: stored.publicKey.id,
      public_key_multibase: stored.publicKey.publicKeyMultibase,
      sealed_secret_key: stored.sealedSecretKey,
      created_by: actorUserId(actor),
    });
    if (!row) throw new AppError('CONFLICT', '鍵の更新が同時に行われました。もう一度お試しください');
    await audit(
      deps,
      tx,
      actor,
      'badges.issuer.key_rotated',
      { type: 'organisation', id: scope.orgId },
      {
        retiredKeyId: retired ?? null,
        verificationMethod: row.verification_method,
      },
    );
    return {
      id: row.id,
      verificationMethod: row.verification_method,
      publicKeyMultibase: row.public_key_multibase,
      status: 'active',
      createdAt: row.created_at,
    };
  });
}

/** The issuer's DID document (GET /issuers/:orgId/did.json): active and retired keys; null if it has none. */
export async function getControllerDocument(deps: Deps, orgId: string): Promise<KeyDocument | null> {
  if (!isUuid(orgId)) return null;
  const keys = await repo.listPublishedKeys(deps.db, orgId);
  if (keys.length === 0) return null;
  return controllerDocument(issuerDid(deps.config.baseUrl, orgId), keys.map(publicKeyOf));
}

/**
 * Our issuers' key documents straight from the database, for verifying in-process (the JSON-LD loader's
 * `resolveIssuerKey`): the controller document for an issuer DID, the Multikey for `<DID>#<key>`.
 */
export function issuerKeyResolver(deps: Deps): IssuerKeyResolver {
  return async (url) => {
    const orgId = orgIdOfIssuerDid(deps.config.baseUrl, url);
    if (!orgId) return null;
    const doc = await getControllerDocument(deps, orgId);
    if (!doc) return null;
    if (!url.includes('#')) return doc.id === url ? doc : null;
    const keys = (doc.verificationMethod ?? []) as PublicMultikey[];
    const key = keys.find((k) => k.id === url);
    return key ? verificationMethodDocument(key) : null;
  };
}
