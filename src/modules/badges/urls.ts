/**
 * The stable public identifiers and URLs of badge documents, all derived from config.baseUrl (OPEN-BADGES.md:
 * "issuer identifiers must be stable", "served from a permanent URL"). Changing BASE_URL changes every one of
 * them, so it must not change once badges are issued.
 *
 * Issuers are `did:web` on the platform's host (W3C CCG did:web §3.2 "Read (Resolve)"): the method-specific id
 * is the host, with a port percent-encoded as `%3A`, then the path segments joined by `:`; it resolves to
 * `https://<host>/<path…>/did.json`. So `did:web:dxq.example.jp:issuers:<orgId>` is served at
 * `/issuers/<orgId>/did.json`.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string): boolean => UUID.test(s);

function base(baseUrl: string): URL {
  return new URL(baseUrl.replace(/\/+$/, ''));
}

/** The path prefix of BASE_URL (empty, or e.g. `/dxq` behind a proxy), without a trailing slash. */
function basePath(baseUrl: string): string {
  return base(baseUrl).pathname.replace(/\/+$/, '');
}

/** The issuer id (`issuer.id` in every credential and the controller of its keys) of an organisation. */
export function issuerDid(baseUrl: string, orgId: string): string {
  const url = base(baseUrl);
  const host = url.host.replace(/:/g, '%3A');
  const segments = [...url.pathname.split('/').filter(Boolean), 'issuers', orgId].map(encodeURIComponent);
  return `did:web:${host}:${segments.join(':')}`;
}

/** The organisation id named by one of our issuer DIDs (with or without a `#fragment`), or null. */
export function orgIdOfIssuerDid(baseUrl: string, did: string): string | null {
  const [bare = ''] = did.split('#');
  const prefix = issuerDid(baseUrl, '');
  if (!bare.startsWith(prefix)) return null;
  const orgId = bare.slice(prefix.length);
  return isUuid(orgId) ? orgId.toLowerCase() : null;
}

export const paths = {
  didDocument: (orgId: string) => `/issuers/${orgId}/did.json`,
  issuerProfile: (orgId: string) => `/issuers/${orgId}/profile`,
  issuerImage: (orgId: string, type: 'png' | 'svg') => `/issuers/${orgId}/image.${type}`,
  statusList: (listId: string) => `/status-lists/${listId}`,
  achievement: (achievementId: string, version: number) =>
    `/achievements/${achievementId}/versions/${version}`,
  achievementImage: (achievementId: string, version: number, type: 'png' | 'svg') =>
    `/achievements/${achievementId}/versions/${version}/image.${type}`,
  /** The earner page (built by the pages module); also the public verification link. */
  badge: (credentialId: string) => `/badges/${credentialId}`,
  badgeFile: (credentialId: string, ext: 'json' | 'jwt' | 'png' | 'svg') => `/badges/${credentialId}.${ext}`,
  // Open Badges 2.0 hosted documents (ob2/): the id of each is its URL (OB 2.0 "HostedBadge Verification"),
  // so these paths are as permanent as the badges they describe.
  /** The hosted OB 2.0 Assertion of an issued credential (its `id`); 410 once revoked. */
  ob2Assertion: (credentialId: string) => `/ob2/assertions/${credentialId}`,
  /** The OB 2.0 badge image: the achievement's PNG with the hosted Assertion baked in (iTXt `openbadges`). */
  ob2AssertionImage: (credentialId: string) => `/ob2/assertions/${credentialId}.png`,
  /** The OB 2.0 BadgeClass of one (published or retired) achievement version. */
  ob2BadgeClass: (achievementVersionId: string) => `/ob2/badges/${achievementVersionId}`,
  /** The OB 2.0 issuer Profile of an issuing organisation. */
  ob2Issuer: (orgId: string) => `/ob2/issuers/${orgId}`,
} as const;

/** An absolute URL of this site for one of `paths`. */
export function siteUrl(baseUrl: string, path: string): string {
  return `${base(baseUrl).origin}${basePath(baseUrl)}${path}`;
}

/** `urn:uuid:<id>`, the credential's `id`. */
export const credentialUrn = (id: string): string => `urn:uuid:${id}`;
