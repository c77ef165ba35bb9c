import type { Database } from '../../db/client.js';
import { type Deps, transaction } from '../../deps.js';
import { type Actor, actorUserId } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import { prepareImages, resolveAlignments } from './achievement.content.js';
import { type AchievementView, presentAchievement } from './achievement.presenter.js';
import * as repo from './achievement.repository.js';
import {
  type AchievementCreateInput,
  type AchievementEditInput,
  achievementCreateSchema,
  achievementEditSchema,
  parseOrThrow,
} from './achievement.schema.js';
import { findScoped, issuerScope, notFound } from './badges.scope.js';
import { isUuid } from './urls.js';

/**
 * Achievements (issue 4 §3): what a badge certifies, per issuing organisation and optionally per programme.
 * Content lives in versions: a new achievement starts as draft version 1; publishing makes it the version
 * badges are issued from; editing a published achievement makes a new draft version (the published one stays
 * as it was, frozen, and keeps being issued until the draft is published, which retires it). Alignments are
 * checked against the skill items of the chosen framework version and stored as a snapshot with their pages.
 */

export type AchievementSaved = AchievementView & {
  /** What sanitising an uploaded SVG removed (scripts, outside references…), for the form to tell. */
  svgRemoved: string[];
};

const achievementNotFound = () => notFound('バッジ(達成基準)');

async function view(deps: Deps, db: Database, achievementId: string): Promise<AchievementView> {
  const a = await repo.findAchievement(db, achievementId);
  if (!a) throw achievementNotFound();
  return presentAchievement(deps.config.baseUrl, a, await repo.listVersions(db, a.id));
}

function scopeOf(deps: Deps, actor: Actor, action: 'badges.view' | 'badges.manage', achievementId: string) {
  return findScoped(
    deps,
    actor,
    action,
    { type: 'achievement', id: achievementId, what: 'バッジ(達成基準)' },
    repo.findAchievement,
  );
}

/** A new achievement with its first (draft) version. CONFLICT at `key` when the key is taken. */
export async function createAchievement(
  deps: Deps,
  actor: Actor,
  input: AchievementCreateInput,
): Promise<AchievementSaved> {
  const data = parseOrThrow(achievementCreateSchema, input);
  const scope = await issuerScope(deps, actor, 'badges.manage', data.orgId);
  if (data.programmeId) {
    const programme = await repo.findProgrammeOwner(deps.db, data.programmeId);
    if (programme?.organisation_id !== scope.orgId) {
      throw new AppError('VALIDATION', 'プログラムが見つかりません', {
        fields: { programmeId: 'プログラムが見つかりません' },
      });
    }
  }
  const alignments = await resolveAlignments(deps, data.frameworkId, data.skillCodes);
  const { removed, ...images } = prepareImages(input.images);
  const now = deps.clock.now();
  const by = actorUserId(actor);
  const saved = await transaction(deps, async (tx) => {
    const id = await repo.insertAchievement(tx, {
      organisation_id: scope.orgId,
      programme_id: data.programmeId,
      key: data.key,
      created_by: by,
    });
    if (!id) {
      const message = 'このキーは既に使われています';
      throw new AppError('CONFLICT', message, { fields: { key: message } });
    }
    await repo.insertVersion(tx, {
      achievement_id: id,
      version: 1,
      name: data.name,
      description: data.description,
      criteria_narrative: data.criteriaNarrative,
      achievement_type: data.achievementType,
      skill_framework_id: alignments[0]?.frameworkId ?? data.frameworkId,
      alignments: JSON.stringify(alignments),
      valid_days: data.validDays,
      ...images,
      created_by: by,
      created_at: now,
      updated_at: now,
    });
    await audit(
      deps,
      tx,
      actor,
      'badges.achievement.created',
      { type: 'achievement', id },
      {
        key: data.key,
        programmeId: data.programmeId,
        skillCodes: alignments.map((a) => a.code),
      },
    );
    return view(deps, tx, id);
  });
  return { ...saved, svgRemoved: removed };
}

/**
 * Edits the achievement: the draft if there is one, otherwise a new draft version copied from the latest
 * version with the changes applied (a published version is never changed).
 */
export async function editAchievement(
  deps: Deps,
  actor: Actor,
  input: AchievementEditInput,
): Promise<AchievementSaved> {
  const data = parseOrThrow(achievementEditSchema, input);
  const achievement = await scopeOf(deps, actor, 'badges.manage', data.achievementId);
  const { removed, ...images } = prepareImages(input.images);
  // The latest version is the draft when there is one (a new draft always takes the next number). Everything
  // that reads other modules (the framework's items) happens before the transaction, which then checks that
  // the version it edits is still the one read here.
  const base = await repo.latestVersion(deps.db, achievement.id);
  if (!base) throw achievementNotFound();
  const alignments =
    data.frameworkId !== undefined || data.skillCodes !== undefined
      ? await resolveAlignments(
          deps,
          data.frameworkId === undefined ? base.skill_framework_id : data.frameworkId,
          data.skillCodes ?? base.alignments.map((a) => a.code),
        )
      : base.alignments;
  const now = deps.clock.now();
  const content = {
    name: data.name ?? base.name,
    description: data.description ?? base.description,
    criteria_narrative: data.criteriaNarrative ?? base.criteria_narrative,
    achievement_type: data.achievementType ?? base.achievement_type,
    valid_days: data.validDays === undefined ? base.valid_days : data.validDays,
    skill_framework_id:
      alignments[0]?.frameworkId ??
      (data.frameworkId === undefined ? base.skill_framework_id : data.frameworkId),
    alignments: JSON.stringify(alignments),
    image_png: images.image_png ?? base.image_png,
    image_svg: images.image_svg ?? base.image_svg,
    updated_at: now,
  };
  const saved = await transaction(deps, async (tx) => {
    await repo.lockAchievement(tx, achievement.id);
    const latest = await repo.latestVersion(tx, achievement.id);
    if (
      latest?.id !== base.id ||
      latest.status !== base.status ||
      latest.updated_at.getTime() !== base.updated_at.getTime()
    ) {
      throw new AppError('CONFLICT', '他の操作と重なりました。もう一度読み込んでから編集してください');
    }
    const isDraft = base.status === 'draft';
    const version = isDraft ? base.version : base.version + 1;
    if (isDraft) {
      if (!(await repo.updateDraft(tx, base.id, content)))
        throw new AppError('CONFLICT', '他の操作と重なりました');
    } else {
      await repo.insertVersion(tx, {
        achievement_id: achievement.id,
        version,
        in_language: base.in_language,
        ...content,
        created_by: actorUserId(actor),
        created_at: now,
      });
    }
    await audit(
      deps,
      tx,
      actor,
      'badges.achievement.edited',
      { type: 'achievement', id: achievement.id },
      {
        version,
        newVersion: !isDraft,
        changed: Object.keys(data).filter((k) => k !== 'achievementId'),
        imagesChanged: Object.keys(images),
      },
    );
    return view(deps, tx, achievement.id);
  });
  return { ...saved, svgRemoved: removed };
}

/** The draft becomes the published version (badges are issued from it); the previous one is retired. */
export async function publishAchievement(
  deps: Deps,
  actor: Actor,
  input: { achievementId: string },
): Promise<AchievementView> {
  const achievement = await scopeOf(deps, actor, 'badges.manage', input.achievementId);
  return transaction(deps, async (tx) => {
    await repo.lockAchievement(tx, achievement.id);
    const draft = await repo.lockDraft(tx, achievement.id);
    if (!draft) throw new AppError('INVALID_STATE', '公開する下書きがありません');
    if (!draft.image_png) {
      const message = 'バッジ画像(PNG)を登録してから公開してください';
      throw new AppError('VALIDATION', message, { fields: { imagePng: message } });
    }
    const now = deps.clock.now();
    const retired = await repo.retirePublished(tx, achievement.id, now);
    if (!(await repo.publishDraft(tx, draft.id, now, actorUserId(actor)))) {
      throw new AppError('CONFLICT', '他の操作と重なりました');
    }
    await audit(
      deps,
      tx,
      actor,
      'badges.achievement.published',
      { type: 'achievement', id: achievement.id },
      {
        version: draft.version,
        versionId: draft.id,
        retiredVersionId: retired,
      },
    );
    return view(deps, tx, achievement.id);
  });
}

/** No more badges from this achievement (until a draft is published again); issued badges stay valid. */
export async function retireAchievement(
  deps: Deps,
  actor: Actor,
  input: { achievementId: string },
): Promise<AchievementView> {
  const achievement = await scopeOf(deps, actor, 'badges.manage', input.achievementId);
  return transaction(deps, async (tx) => {
    await repo.lockAchievement(tx, achievement.id);
    const retired = await repo.retirePublished(tx, achievement.id, deps.clock.now());
    if (!retired) throw new AppError('INVALID_STATE', '公開中の版がありません');
    await audit(
      deps,
      tx,
      actor,
      'badges.achievement.retired',
      { type: 'achievement', id: achievement.id },
      {
        versionId: retired,
      },
    );
    return view(deps, tx, achievement.id);
  });
}

export async function getAchievement(
  deps: Deps,
  actor: Actor,
  achievementId: string,
): Promise<AchievementView> {
  const a = await scopeOf(deps, actor, 'badges.view', achievementId);
  return view(deps, deps.db, a.id);
}

export async function listAchievements(
  deps: Deps,
  actor: Actor,
  input: { orgId: string },
): Promise<AchievementView[]> {
  const scope = await issuerScope(deps, actor, 'badges.view', input.orgId);
  const rows = await repo.listAchievements(deps.db, scope.orgId);
  const versions = await repo.listVersionsOf(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => presentAchievement(deps.config.baseUrl, r, versions));
}

/** A published or retired version's image for the public route (drafts are not public), or null. */
export async function getAchievementImage(
  deps: Deps,
  input: { achievementId: string; version: number; type: 'png' | 'svg' },
): Promise<{ bytes: Uint8Array; contentType: string; updatedAt: Date } | null> {
  if (!isUuid(input.achievementId) || !Number.isSafeInteger(input.version) || input.version < 1) return null;
  const row = await repo.findPublicImage(deps.db, input.achievementId, input.version);
  if (!row) return null;
  if (input.type === 'png') {
    return row.image_png
      ? { bytes: row.image_png, contentType: 'image/png', updatedAt: row.updated_at }
      : null;
  }
  return row.image_svg
    ? { bytes: Buffer.from(row.image_svg, 'utf8'), contentType: 'image/svg+xml', updatedAt: row.updated_at }
    : null;
}

/**
 * The published version a completion list's achievement cell (or a form) names, within one issuing
 * organisation: the achievement's id or its key. Null when there is none (unknown, or not published).
 */
export async function findIssuableVersion(
  db: Database,
  orgId: string,
  ref: string,
): Promise<{ versionId: string; achievementId: string; name: string } | null> {
  const trimmed = ref.normalize('NFKC').trim();
  const achievement = isUuid(trimmed)
    ? await repo.findAchievement(db, trimmed.toLowerCase())
    : await repo.findAchievementByKey(db, orgId, trimmed.toLowerCase());
  if (!achievement || achievement.organisation_id !== orgId) return null;
  const versions = await repo.listVersions(db, achievement.id);
  const published = versions.find((v) => v.status === 'published');
  return published ? { versionId: published.id, achievementId: achievement.id, name: published.name } : null;
}
