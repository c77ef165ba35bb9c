import { type Kysely, sql } from 'kysely';
import dssp from '../../modules/credentials/data/dss-p-v2.0.json' with { type: 'json' };
import { runStatements } from './run-statements.js';

/**
 * Skill frameworks as imported data (issue 4 §1, OPEN-BADGES.md §Skill frameworks): the roles of a framework
 * version and the skill items each emphasises, a record of every import (its dry-run report, who checked
 * it, who imported it), whether a version is an officially published one, and the rules that make a
 * version immutable once it exists. Achievements and programmes align to one version by id and badges
 * carry its item codes and pages (/frameworks/<slug>/<version>/<code>), so a version never changes:
 * a corrected or official list is imported as a new version beside it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    -- Codes are stable identifiers: they are in URLs and in signed badges (targetCode), so only characters
    -- that need no escaping. Category and subcategory codes may be empty (a flat list).
    alter table skill_items add constraint skill_items_code_shape
      check (code ~ '^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$');
    alter table skill_items add constraint skill_items_group_codes_shape
      check ((category_code = '' or category_code ~ '^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$')
        and (subcategory_code = '' or subcategory_code ~ '^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$'));
    alter table skill_items add constraint skill_items_text_lengths
      check (char_length(category_name) <= 200 and char_length(subcategory_name) <= 200
        and (name_en is null or char_length(name_en) between 1 and 200));

    -- /frameworks/<slug>/<version>.json is the machine-readable version, so no version may end in .json.
    alter table skill_frameworks add constraint skill_frameworks_version_not_json
      check (version !~* '[.]json$');
    alter table skill_frameworks add constraint skill_frameworks_provenance_length
      check (char_length(provenance) <= 4000);
    -- 'unconfirmed' until the secretariat states the list is the one its owner published (the DSS-P 'v2.0'
    -- list of 0003 is a third-party extraction: its pages say its official status is unconfirmed).
    alter table skill_frameworks add column official_status text not null default 'unconfirmed'
      check (official_status in ('official', 'unconfirmed'));

    create table skill_roles (
      framework_id uuid not null references skill_frameworks (id),
      code text not null check (code ~ '^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$'),
      name text not null check (char_length(name) between 1 and 200),
      name_en text check (char_length(name_en) between 1 and 200),
      role_group text not null default '' check (char_length(role_group) <= 200),
      description text not null default '' check (char_length(description) <= 2000),
      position integer not null,
      primary key (framework_id, code)
    );

    create table skill_role_items (
      framework_id uuid not null,
      role_code text not null,
      item_code text not null,
      position integer not null,
      primary key (framework_id, role_code, item_code),
      foreign key (framework_id, role_code) references skill_roles (framework_id, code),
      foreign key (framework_id, item_code) references skill_items (framework_id, code)
    );
    create index skill_role_items_item_idx on skill_role_items (framework_id, item_code);

    -- One row per uploaded file set: the dry run writes it ('checked' when it may be imported, 'rejected'
    -- when the report has errors) with the validated framework in payload; importing moves it to 'imported'
    -- in the transaction that creates the version, and drops the payload (the tables hold the data then).
    create table framework_imports (
      id uuid primary key default gen_random_uuid(),
      status text not null check (status in ('checked', 'rejected', 'imported')),
      format text not null check (format in ('json', 'csv', 'xlsx')),
      files jsonb not null default '[]',
      slug text check (char_length(slug) <= 40),
      version text check (char_length(version) <= 20),
      name text check (char_length(name) <= 200),
      item_count integer not null default 0 check (item_count >= 0),
      role_count integer not null default 0 check (role_count >= 0),
      error_count integer not null default 0 check (error_count >= 0),
      warning_count integer not null default 0 check (warning_count >= 0),
      report jsonb not null,
      payload jsonb,
      checked_by uuid references users (id),
      checked_at timestamptz not null,
      imported_by uuid references users (id),
      imported_at timestamptz,
      framework_id uuid unique references skill_frameworks (id),
      check ((status = 'imported') = (framework_id is not null and imported_at is not null)),
      check (status <> 'checked' or (payload is not null and error_count = 0)),
      check (status <> 'rejected' or error_count > 0)
    );
    create index framework_imports_checked_at_idx on framework_imports (checked_at desc);
  `,
  );

  await backfillDsspRoles(db);

  await runStatements(
    db,
    `
    -- A version is immutable once it exists (see the comment at the top): no update or delete of its items
    -- or roles, and none of the columns that say what it is. New columns of skill_frameworks stay writable.
    create function skill_framework_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'skill framework versions are immutable (% on %)', tg_op, tg_table_name;
    end;
    $$;
    create trigger skill_frameworks_immutable
      before update of slug, version, name, provenance, official_status or delete on skill_frameworks
      for each row execute function skill_framework_immutable();
    create trigger skill_items_immutable before update or delete on skill_items
      for each row execute function skill_framework_immutable();
    create trigger skill_roles_immutable before update or delete on skill_roles
      for each row execute function skill_framework_immutable();
    create trigger skill_role_items_immutable before update or delete on skill_role_items
      for each row execute function skill_framework_immutable();
  `,
  );
}

/**
 * The DSS-P data file of 0003 also names its five 人材類型 (`types`), which 0003 had no table for: they
 * become the roles of that version, coded from their English names (business-architect, …) and grouped as
 * 人材類型. The file names no items per type, so none are linked. Done before the immutability triggers.
 */
async function backfillDsspRoles(db: Kysely<unknown>): Promise<void> {
  const found = await sql<{ id: string }>`
    select id from skill_frameworks where slug = 'dss-p' and version = '2.0'`.execute(db);
  const frameworkId = found.rows[0]?.id;
  if (!frameworkId) return;
  const rows = dssp.types.map(
    (t, i) =>
      sql`(${frameworkId}::uuid, ${roleCode(t.name_en)}, ${t.name}, ${t.name_en}, '人材類型', ${i + 1})`,
  );
  await sql`
    insert into skill_roles (framework_id, code, name, name_en, role_group, position)
    values ${sql.join(rows)}`.execute(db);
}

function roleCode(nameEn: string): string {
  return nameEn
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
