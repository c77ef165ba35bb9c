import { type Insertable, sql, type Updateable } from 'kysely';
import type { Database } from '../../db/client.js';
import type { AchievementVersionsTable } from '../../db/schema-badges.js';

/** SQL for achievements and their versions. Published and retired versions are frozen by a trigger (0004). */

export function findAchievement(db: Database, id: string) {
  return db
    .selectFrom('achievements')
    .select(['id', 'organisation_id', 'programme_id', 'key', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}
export type AchievementRow = NonNullable<Awaited<ReturnType<typeof findAchievement>>>;

export function findAchievementByKey(db: Database, orgId: string, key: string) {
  return db
    .selectFrom('achievements')
    .select(['id', 'organisation_id', 'programme_id', 'key', 'created_at'])
    .where('organisation_id', '=', orgId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export function listAchievements(db: Database, orgId: string) {
  return db
    .selectFrom('achievements')
    .select(['id', 'organisation_id', 'programme_id', 'key', 'created_at'])
    .where('organisation_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Achievements linked to a programme (for issuing to its completers), newest first. */
export function findByProgramme(db: Database, orgId: string, programmeId: string) {
  return db
    .selectFrom('achievements')
    .select(['id', 'organisation_id', 'programme_id', 'key', 'created_at'])
    .where('organisation_id', '=', orgId)
    .where('programme_id', '=', programmeId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function insertAchievement(
  db: Database,
  row: { organisation_id: string; programme_id: string | null; key: string; created_by: string | null },
): Promise<string | null> {
  const r = await db
    .insertInto('achievements')
    .values(row)
    .onConflict((oc) => oc.columns(['organisation_id', 'key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id ?? null;
}

const VERSION_COLUMNS = [
  'v.id',
  'v.achievement_id',
  'v.version',
  'v.status',
  'v.name',
  'v.description',
  'v.criteria_narrative',
  'v.achievement_type',
  'v.in_language',
  'v.skill_framework_id',
  'v.alignments',
  'v.valid_days',
  sql<boolean>`v.image_png is not null`.as('has_png'),
  sql<boolean>`v.image_svg is not null`.as('has_svg'),
  'v.created_at',
  'v.updated_at',
  'v.published_at',
  'v.retired_at',
] as const;

export function listVersions(db: Database, achievementId: string) {
  return db
    .selectFrom('achievement_versions as v')
    .select(VERSION_COLUMNS)
    .where('v.achievement_id', '=', achievementId)
    .orderBy('v.version', 'desc')
    .execute();
}
export type VersionRow = Awaited<ReturnType<typeof listVersions>>[number];

/** The versions of several achievements at once (for lists). */
export function listVersionsOf(db: Database, achievementIds: string[]) {
  if (achievementIds.length === 0) return Promise.resolve([] as VersionRow[]);
  return db
    .selectFrom('achievement_versions as v')
    .select(VERSION_COLUMNS)
    .where('v.achievement_id', 'in', achievementIds)
    .orderBy('v.version', 'desc')
    .execute();
}

/** One version with its achievement and organisation, and its images: what issuing a badge needs. */
export function findVersionForIssue(db: Database, versionId: string) {
  return db
    .selectFrom('achievement_versions as v')
    .innerJoin('achievements as a', 'a.id', 'v.achievement_id')
    .select([
      ...VERSION_COLUMNS,
      'v.image_png',
      'v.image_svg',
      'a.organisation_id',
      'a.key',
      'a.programme_id',
    ])
    .where('v.id', '=', versionId)
    .executeTakeFirst();
}
export type VersionForIssue = NonNullable<Awaited<ReturnType<typeof findVersionForIssue>>>;

/** The published version's id of an achievement, if any. */
export async function findPublishedVersionId(db: Database, achievementId: string): Promise<string | null> {
  const r = await db
    .selectFrom('achievement_versions')
    .select('id')
    .where('achievement_id', '=', achievementId)
    .where('status', '=', 'published')
    .executeTakeFirst();
  return r?.id ?? null;
}

/** The draft, locked for an edit or its publication. */
export function lockDraft(db: Database, achievementId: string) {
  return db
    .selectFrom('achievement_versions as v')
    .select([...VERSION_COLUMNS, 'v.image_png', 'v.image_svg'])
    .where('v.achievement_id', '=', achievementId)
    .where('v.status', '=', 'draft')
    .forUpdate()
    .executeTakeFirst();
}

/** The latest version (whatever its status), with its images: the base of a new draft. */
export function latestVersion(db: Database, achievementId: string) {
  return db
    .selectFrom('achievement_versions as v')
    .select([...VERSION_COLUMNS, 'v.image_png', 'v.image_svg'])
    .where('v.achievement_id', '=', achievementId)
    .orderBy('v.version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Serialises version changes of one achievement (new draft, publication) in the caller's transaction. */
export async function lockAchievement(db: Database, achievementId: string): Promise<void> {
  await db.selectFrom('achievements').select('id').where('id', '=', achievementId).forUpdate().execute();
}

export async function insertVersion(
  db: Database,
  row: Insertable<AchievementVersionsTable>,
): Promise<string> {
  const r = await db.insertInto('achievement_versions').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** Updates a draft; false when the version is no longer a draft (guarded). */
export async function updateDraft(
  db: Database,
  versionId: string,
  set: Updateable<AchievementVersionsTable>,
): Promise<boolean> {
  const r = await db
    .updateTable('achievement_versions')
    .set(set)
    .where('id', '=', versionId)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** published → retired for the achievement's published version (if any); returns its id. */
export async function retirePublished(db: Database, achievementId: string, at: Date): Promise<string | null> {
  const r = await db
    .updateTable('achievement_versions')
    .set({ status: 'retired', retired_at: at })
    .where('achievement_id', '=', achievementId)
    .where('status', '=', 'published')
    .returning('id')
    .executeTakeFirst();
  return r?.id ?? null;
}

export async function publishDraft(
  db: Database,
  versionId: string,
  at: Date,
  by: string | null,
): Promise<boolean> {
  const r = await db
    .updateTable('achievement_versions')
    .set({ status: 'published', published_at: at, published_by: by, updated_at: at })
    .where('id', '=', versionId)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A published or retired version's image (drafts are not public). */
export function findPublicImage(db: Database, achievementId: string, version: number) {
  return db
    .selectFrom('achievement_versions')
    .select(['image_png', 'image_svg', 'updated_at'])
    .where('achievement_id', '=', achievementId)
    .where('version', '=', version)
    .where('status', 'in', ['published', 'retired'])
    .executeTakeFirst();
}

export function findProgrammeOwner(db: Database, programmeId: string) {
  return db
    .selectFrom('programmes')
    .select(['id', 'organisation_id', 'title', 'fiscal_year'])
    .where('id', '=', programmeId)
    .executeTakeFirst();
}
