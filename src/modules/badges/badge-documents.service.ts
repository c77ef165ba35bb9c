import type { Deps } from '../../deps.js';
import * as badges from './badge.repository.js';
import { isUuid } from './urls.js';

/**
 * The downloadable forms of an issued badge (issue 4 §5): the signed JSON (`application/vc+ld+json`), the
 * VC-JWT when it was issued so, and the baked PNG and SVG. Public: a badge's id is a random UUID, its earner
 * shares it, and it holds no personal data (the earner is a salted hash). A revoked badge is still served
 * (verifiers must be able to say "revoked").
 */

export type BadgeFileKind = 'json' | 'jwt' | 'png' | 'svg';
export type BadgeFile = { body: Uint8Array | string; contentType: string; issuedAt: Date };

export const CONTENT_TYPES: Record<BadgeFileKind, string> = {
  json: 'application/vc+ld+json',
  jwt: 'application/vc+jwt',
  png: 'image/png',
  svg: 'image/svg+xml',
};

export async function getBadgeFile(
  deps: Deps,
  credentialId: string,
  kind: BadgeFileKind,
): Promise<BadgeFile | null> {
  if (!isUuid(credentialId)) return null;
  const row = await badges.findFiles(deps.db, credentialId.toLowerCase());
  if (!row) return null;
  const contentType = CONTENT_TYPES[kind];
  switch (kind) {
    case 'json':
      // The json column keeps the signed text; serialising the parsed value gives those bytes back.
      return { body: JSON.stringify(row.credential), contentType, issuedAt: row.issued_at };
    case 'jwt':
      return row.jwt ? { body: row.jwt, contentType, issuedAt: row.issued_at } : null;
    case 'png':
      return { body: row.baked_png, contentType, issuedAt: row.issued_at };
    case 'svg':
      return { body: row.baked_svg, contentType, issuedAt: row.issued_at };
  }
}
