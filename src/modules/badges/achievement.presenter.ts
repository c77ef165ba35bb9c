import type { AchievementVersionStatus, StoredAlignment } from '../../db/schema-badges.js';
import type { AchievementRow, VersionRow } from './achievement.repository.js';
import { paths, siteUrl } from './urls.js';

/** What pages see of an achievement and its versions (STYLE.md 8: rows never reach a page). */

export type AchievementVersionView = {
  id: string;
  version: number;
  status: AchievementVersionStatus;
  name: string;
  description: string;
  criteriaNarrative: string;
  achievementType: string;
  inLanguage: string;
  validDays: number | null;
  frameworkId: string | null;
  alignments: StoredAlignment[];
  hasPng: boolean;
  hasSvg: boolean;
  /** The achievement's `id` in badges of this version (a stable HTTPS URL). */
  achievementUrl: string;
  /** Public image URLs (published and retired versions only; drafts are not public). */
  imageUrls: { png: string | null; svg: string | null };
  publishedAt: Date | null;
  retiredAt: Date | null;
  updatedAt: Date;
};

export type AchievementView = {
  id: string;
  orgId: string;
  programmeId: string | null;
  key: string;
  /** The version new badges are issued from, if any. */
  published: AchievementVersionView | null;
  /** The version being edited, if any. */
  draft: AchievementVersionView | null;
  /** Every version, newest first. */
  versions: AchievementVersionView[];
};

export function presentVersion(
  baseUrl: string,
  achievementId: string,
  v: VersionRow,
): AchievementVersionView {
  const isPublic = v.status !== 'draft';
  return {
    id: v.id,
    version: v.version,
    status: v.status,
    name: v.name,
    description: v.description,
    criteriaNarrative: v.criteria_narrative,
    achievementType: v.achievement_type,
    inLanguage: v.in_language,
    validDays: v.valid_days,
    frameworkId: v.skill_framework_id,
    alignments: v.alignments,
    hasPng: v.has_png,
    hasSvg: v.has_svg,
    achievementUrl: siteUrl(baseUrl, paths.achievement(achievementId, v.version)),
    imageUrls: {
      png:
        isPublic && v.has_png
          ? siteUrl(baseUrl, paths.achievementImage(achievementId, v.version, 'png'))
          : null,
      svg:
        isPublic && v.has_svg
          ? siteUrl(baseUrl, paths.achievementImage(achievementId, v.version, 'svg'))
          : null,
    },
    publishedAt: v.published_at,
    retiredAt: v.retired_at,
    updatedAt: v.updated_at,
  };
}

export function presentAchievement(
  baseUrl: string,
  a: AchievementRow,
  versions: VersionRow[],
): AchievementView {
  const views = versions
    .filter((v) => v.achievement_id === a.id)
    .sort((x, y) => y.version - x.version)
    .map((v) => presentVersion(baseUrl, a.id, v));
  return {
    id: a.id,
    orgId: a.organisation_id,
    programmeId: a.programme_id,
    key: a.key,
    published: views.find((v) => v.status === 'published') ?? null,
    draft: views.find((v) => v.status === 'draft') ?? null,
    versions: views,
  };
}
