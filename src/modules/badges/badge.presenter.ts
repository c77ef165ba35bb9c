import type { BadgeRow } from './badge.repository.js';
import type { OpenBadgeCredential } from './credential.js';
import { credentialUrn, paths, siteUrl } from './urls.js';

/**
 * What an earner page shows of a badge (issue 4 §5), read from the signed credential itself (what it
 * certifies is what was signed) plus its status. No personal data: the page is public (it is the badge's
 * verification link), and the credential names its earner only by a salted hash.
 */

export type BadgeStatus = 'valid' | 'revoked' | 'expired';

export type BadgeView = {
  id: string;
  credentialId: string;
  name: string;
  description: string;
  criteria: string;
  achievementType: string;
  achievementId: string;
  achievementVersion: number;
  issuer: { id: string; name: string; url: string };
  /** DSS-P (or other framework) skills the badge is aligned to. */
  skills: { code: string; name: string; url: string; framework: string }[];
  validFrom: Date;
  validUntil: Date | null;
  awardedAt: Date;
  status: BadgeStatus;
  revokedAt: Date | null;
  /** True when the badge was revoked because a corrected one replaced it (see replacedById). */
  corrected: boolean;
  replacedById: string | null;
  format: 'ldp' | 'jwt';
  /** The badge image (the baked PNG: the image with the credential inside). */
  imageUrl: string;
  downloads: { json: string; jwt: string | null; png: string; svg: string };
  /** The public page of the badge (what to share; LinkedIn's certUrl). */
  publicUrl: string;
  /** The verification page with this badge filled in. */
  verifyUrl: string;
  /** LinkedIn "Add to profile" (OPEN-BADGES.md §Delivery). */
  linkedInUrl: string;
};

const JST_PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
});

function jstYearMonth(d: Date): { year: string; month: string } {
  const parts = JST_PARTS.formatToParts(d);
  return {
    year: parts.find((p) => p.type === 'year')?.value ?? '',
    // LinkedIn's issueMonth is 1–12, not "04".
    month: String(Number(parts.find((p) => p.type === 'month')?.value ?? '')),
  };
}

export function linkedInAddUrl(input: {
  name: string;
  organizationName: string;
  issued: Date;
  expires: Date | null;
  certUrl: string;
  certId: string;
}): string {
  const issued = jstYearMonth(input.issued);
  const q = new URLSearchParams({
    startTask: 'CERTIFICATION_NAME',
    name: input.name,
    organizationName: input.organizationName,
    issueYear: issued.year,
    issueMonth: issued.month,
  });
  if (input.expires) {
    const e = jstYearMonth(input.expires);
    q.set('expirationYear', e.year);
    q.set('expirationMonth', e.month);
  }
  q.set('certUrl', input.certUrl);
  q.set('certId', input.certId);
  return `https://www.linkedin.com/profile/add?${q.toString()}`;
}

export function badgeStatus(
  row: { revoked_at: Date | null; valid_until: Date | null },
  now: Date,
): BadgeStatus {
  if (row.revoked_at) return 'revoked';
  if (row.valid_until && row.valid_until.getTime() < now.getTime()) return 'expired';
  return 'valid';
}

export function presentBadge(baseUrl: string, row: BadgeRow, now: Date): BadgeView {
  const credential = row.credential as unknown as OpenBadgeCredential;
  const achievement = credential.credentialSubject.achievement;
  const file = (ext: 'json' | 'jwt' | 'png' | 'svg') => siteUrl(baseUrl, paths.badgeFile(row.id, ext));
  const publicUrl = siteUrl(baseUrl, paths.badge(row.id));
  return {
    id: row.id,
    credentialId: credentialUrn(row.id),
    name: achievement.name,
    description: achievement.description,
    criteria: achievement.criteria.narrative,
    achievementType: achievement.achievementType,
    achievementId: row.achievement_id,
    achievementVersion: row.version,
    issuer: { id: credential.issuer.id, name: credential.issuer.name, url: credential.issuer.url },
    skills: (achievement.alignment ?? []).map((a) => ({
      code: a.targetCode,
      name: a.targetName,
      url: a.targetUrl,
      framework: a.targetFramework,
    })),
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    awardedAt: row.awarded_at,
    status: badgeStatus(row, now),
    revokedAt: row.revoked_at,
    corrected: row.revocation_reason === 'corrected',
    replacedById: row.replaced_by_id,
    format: row.format,
    imageUrl: file('png'),
    downloads: {
      json: file('json'),
      jwt: row.format === 'jwt' ? file('jwt') : null,
      png: file('png'),
      svg: file('svg'),
    },
    publicUrl,
    verifyUrl: `${siteUrl(baseUrl, '/verify')}?url=${encodeURIComponent(publicUrl)}`,
    linkedInUrl: linkedInAddUrl({
      name: achievement.name,
      organizationName: credential.issuer.name,
      issued: row.awarded_at,
      expires: row.valid_until,
      certUrl: publicUrl,
      certId: credentialUrn(row.id),
    }),
  };
}
