import { type Kysely, sql } from 'kysely';
import dssp from '../../modules/credentials/data/dss-p-v2.0.json' with { type: 'json' };

/**
 * DSS-P (デジタルスキル標準 DX推進スキル標準) common skill list, as the 'v2.0' list circulates: the first skill
 * framework dxq ships (OPEN-BADGES.md §Skill frameworks). Frameworks are data: the items come from the JSON
 * file beside the credentials module, with its provenance stored on the framework row, because the list's
 * official status is unconfirmed. A framework version is immutable once inserted (achievements and
 * programmes align to it): an official list from IPA is loaded as a new version, never over this one, so
 * that file must not change either.
 */
type SkillFile = {
  what: string;
  source: string;
  categories: {
    id: string;
    name: string;
    subcategories: { id: string; name: string; skills: { id: string; name: string; name_en?: string }[] }[];
  }[];
};

export async function up(db: Kysely<unknown>): Promise<void> {
  const file: SkillFile = dssp;
  const provenance = `${file.what}\n出典 / source: ${file.source}`;
  const inserted = await sql<{ id: string }>`
    insert into skill_frameworks (slug, version, name, provenance)
    values ('dss-p', '2.0', 'デジタルスキル標準(DSS-P) 共通スキルリスト', ${provenance})
    returning id`.execute(db);
  const frameworkId = inserted.rows[0]?.id;
  if (!frameworkId) throw new Error('0003: the DSS-P framework row was not inserted');

  // Position is the list's own order (category → subcategory → item), which is how pages group them.
  const items = file.categories.flatMap((c) =>
    c.subcategories.flatMap((s) => s.skills.map((k) => ({ c, s, k }))),
  );
  const values = items.map(
    ({ c, s, k }, i) =>
      sql`(${frameworkId}::uuid, ${k.id}, ${k.name}, ${k.name_en ?? null}, ${c.id}, ${c.name}, ${s.id}, ${s.name}, ${i + 1})`,
  );
  await sql`
    insert into skill_items
      (framework_id, code, name, name_en, category_code, category_name, subcategory_code, subcategory_name, position)
    values ${sql.join(values)}`.execute(db);
}
