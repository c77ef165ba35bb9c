import type { StoredAlignment } from '../../db/schema-badges.js';
import type { Deps } from '../../deps.js';
import { AppError, isAppError } from '../../lib/errors.js';
import { getFrameworkById } from '../credentials/skill-framework.service.js';
import type { AchievementImages } from './achievement.schema.js';
import { prepareImage } from './badge-image.js';
import { siteUrl } from './urls.js';

/**
 * What an achievement version's content needs checked before it is stored: its skill alignments (against the
 * framework version, through the credentials module's service) and its uploaded images (re-encoded PNG,
 * sanitised SVG). Both read outside any transaction.
 */

/** Alignments as stored: each code checked against the framework version, in the framework's order. */
export async function resolveAlignments(
  deps: Deps,
  frameworkId: string | null,
  codes: readonly string[],
): Promise<StoredAlignment[]> {
  const wanted = [...new Set(codes.map((c) => c.normalize('NFKC').trim()).filter(Boolean))];
  const invalid = (message: string) =>
    new AppError('VALIDATION', message, { fields: { skillCodes: message } });
  if (wanted.length === 0) return [];
  if (!frameworkId) throw invalid('スキル標準を選んでください');
  let framework: Awaited<ReturnType<typeof getFrameworkById>>;
  try {
    framework = await getFrameworkById(deps, frameworkId);
  } catch (e) {
    if (isAppError(e, 'NOT_FOUND')) throw invalid('スキル標準が見つかりません');
    throw e;
  }
  const unknown = wanted.filter((c) => !framework.items.some((i) => i.code === c));
  if (unknown.length > 0) throw invalid(`スキル標準にない項目です: ${unknown.slice(0, 5).join(', ')}`);
  return framework.items
    .filter((i) => wanted.includes(i.code))
    .map((i) => ({
      frameworkId: framework.id,
      frameworkSlug: framework.slug,
      frameworkVersion: framework.version,
      frameworkName: framework.name,
      code: i.code,
      name: i.name,
      // The stable public page of the skill item (OPEN-BADGES.md: targetUrl, a page dxq hosts per item).
      url: siteUrl(deps.config.baseUrl, `/frameworks/${framework.slug}/${framework.version}/${i.code}`),
    }));
}

export function prepareImages(images: AchievementImages | undefined) {
  const out: { image_png?: Buffer; image_svg?: string; removed: string[] } = { removed: [] };
  if (images?.png) {
    const png = prepareImage(images.png, 'imagePng');
    if (png.type !== 'png') {
      throw new AppError('VALIDATION', 'PNG 画像を選んでください', {
        fields: { imagePng: 'PNG 画像を選んでください' },
      });
    }
    out.image_png = png.bytes;
  }
  if (images?.svg) {
    const svg = prepareImage(images.svg, 'imageSvg');
    if (svg.type !== 'svg') {
      throw new AppError('VALIDATION', 'SVG 画像を選んでください', {
        fields: { imageSvg: 'SVG 画像を選んでください' },
      });
    }
    out.image_svg = svg.svg;
    out.removed = svg.removed;
  }
  return out;
}
