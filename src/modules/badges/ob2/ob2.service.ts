import { z } from 'zod';
import type { Deps } from '../../../deps.js';
import { BakingError, bakePngText, OB2_PNG_KEYWORD } from '../baking.js';
import { getIssuerProfileDocument } from '../issuer.service.js';
import { isUuid } from '../urls.js';
import {
  type Ob2IssuerDocument,
  presentAssertion,
  presentBadgeClass,
  presentIssuer,
  presentRevokedAssertion,
} from './ob2.presenter.js';
import * as repo from './ob2.repository.js';
import type { Ob2Assertion, Ob2BadgeClass, Ob2RevokedAssertion } from './ob2.schema.js';

/**
 * The optional Open Badges 2.0 export (issue 4 §8(c); OPEN-BADGES.md §Delivery): for earners whose wallets
 * take only OB 2.0, every badge issued here as an OB 3.0 credential is also a hosted OB 2.0 Assertion, with a
 * BadgeClass per achievement version and an issuer Profile per organisation. Public, like the 3.0 files
 * (badge-documents.service.ts): ids are random UUIDs, and no document holds personal data in plaintext.
 * Nothing is stored: each document is derived on request from what was signed, so it cannot drift from it.
 */

export type Ob2AssertionResult =
  | { kind: 'assertion'; document: Ob2Assertion }
  /** OB 2.0 §Revoking Hosted Assertions: answer 410 Gone with this body. */
  | { kind: 'revoked'; document: Ob2RevokedAssertion };

export type Ob2ImageResult =
  | { kind: 'image'; png: Buffer }
  | { kind: 'revoked'; document: Ob2RevokedAssertion };

function revoked(deps: Deps, row: { id: string; revocation_reason: string | null }) {
  return {
    kind: 'revoked' as const,
    document: presentRevokedAssertion({
      baseUrl: deps.config.baseUrl,
      credentialId: row.id,
      revocationReason: row.revocation_reason,
    }),
  };
}

function assertionOf(deps: Deps, row: repo.AssertionSource): Ob2Assertion | null {
  return presentAssertion({
    baseUrl: deps.config.baseUrl,
    credentialId: row.id,
    achievementVersionId: row.achievement_version_id,
    credential: row.credential,
  });
}

/** The hosted Assertion of a credential; null for an unknown id (or one with no hashed e-mail recipient). */
export async function getOb2Assertion(deps: Deps, credentialId: string): Promise<Ob2AssertionResult | null> {
  if (!isUuid(credentialId)) return null;
  const row = await repo.findAssertionSource(deps.db, credentialId.toLowerCase());
  if (!row) return null;
  if (row.revoked_at) return revoked(deps, row);
  const document = assertionOf(deps, row);
  return document ? { kind: 'assertion', document } : null;
}

/**
 * The OB 2.0 baked image (Open Badges Baking Specification 1.0, §PNGs): the achievement's PNG with one
 * uncompressed iTXt chunk, keyword `openbadges`, holding the Assertion's JSON — "the raw JSON for the
 * OpenBadges assertion" (its `id` is the hosted URL, which a verifier fetches: §HostedBadge Verification).
 * The OB 3.0 `openbadgecredential` chunk is not in it: one badge per image. A revoked badge has none.
 */
export async function getOb2BadgeImage(deps: Deps, credentialId: string): Promise<Ob2ImageResult | null> {
  if (!isUuid(credentialId)) return null;
  const row = await repo.findImageSource(deps.db, credentialId.toLowerCase());
  if (!row?.image_png) return null;
  if (row.revoked_at) return revoked(deps, row);
  const document = assertionOf(deps, row);
  if (!document) return null;
  try {
    return { kind: 'image', png: bakePngText(row.image_png, OB2_PNG_KEYWORD, JSON.stringify(document)) };
  } catch (e) {
    // The stored image was re-encoded on upload; a damaged one is a fault to log, not a page to show.
    if (e instanceof BakingError) {
      deps.log.error('ob2 baking failed', { credentialId: row.id, error: e.message });
      return null;
    }
    throw e;
  }
}

/** The BadgeClass of a published or retired achievement version (drafts are not public), or null. */
export async function getOb2BadgeClass(deps: Deps, versionId: string): Promise<Ob2BadgeClass | null> {
  if (!isUuid(versionId)) return null;
  const row = await repo.findBadgeClassSource(deps.db, versionId.toLowerCase());
  if (!row) return null;
  return presentBadgeClass({
    baseUrl: deps.config.baseUrl,
    versionId: row.id,
    achievementId: row.achievement_id,
    version: row.version,
    orgId: row.organisation_id,
    name: row.name,
    description: row.description,
    criteriaNarrative: row.criteria_narrative,
    alignments: row.alignments,
  });
}

/** The OB 3.0 Profile document (issuer.service.ts) as far as an OB 2.0 Profile uses it. */
const profileDocument = z.object({
  name: z.string().min(1),
  url: z.string().min(1),
  email: z.string().optional(),
  description: z.string().optional(),
  image: z.object({ id: z.string() }).optional(),
});

/**
 * The issuer Profile of an issuing organisation, from the same public profile as its OB 3.0 Profile
 * (GET /issuers/:orgId/profile), so it says nothing that is not published already. OB 2.0 §Profile requires an
 * issuer's email: without one in the profile, the site's contact address (CONTACT_EMAIL) stands in.
 */
export async function getOb2Issuer(deps: Deps, orgId: string): Promise<Ob2IssuerDocument | null> {
  if (!isUuid(orgId)) return null;
  const id = orgId.toLowerCase();
  const parsed = profileDocument.safeParse(await getIssuerProfileDocument(deps, id));
  if (!parsed.success) return null;
  const profile = parsed.data;
  return presentIssuer({
    baseUrl: deps.config.baseUrl,
    orgId: id,
    name: profile.name,
    url: profile.url,
    email: profile.email ?? deps.config.contact.email,
    description: profile.description,
    imageUrl: profile.image?.id,
  });
}
