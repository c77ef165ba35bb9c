import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

// Recruitment (issue 3): skill frameworks (minimal, extended by credentials), programmes, applications,
// review rubrics and scores, decision mail templates, and the public-content version used for caching.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table skill_frameworks (
      id uuid primary key default gen_random_uuid(),
      slug text not null check (slug ~ '^[a-z0-9-]{1,40}$'),
      version text not null check (version ~ '^[0-9A-Za-z.-]{1,20}$'),
      name text not null check (char_length(name) between 1 and 200),
      provenance text not null default '',
      created_at timestamptz not null default now(),
      unique (slug, version)
    );

    create table skill_items (
      framework_id uuid not null references skill_frameworks (id),
      code text not null check (char_length(code) between 1 and 40),
      name text not null check (char_length(name) between 1 and 200),
      name_en text,
      category_code text not null default '',
      category_name text not null default '',
      subcategory_code text not null default '',
      subcategory_name text not null default '',
      position integer not null,
      primary key (framework_id, code)
    );

    create table programmes (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      fiscal_year smallint not null check (fiscal_year between 2022 and 2100),
      layer smallint not null check (layer in (2, 3)),
      title text not null check (char_length(title) between 1 and 120),
      summary text not null default '' check (char_length(summary) <= 400),
      description_md text not null default '' check (char_length(description_md) <= 20000),
      format text not null check (format in ('venue', 'online', 'hybrid')),
      prefecture_codes smallint[] not null default '{}',
      venue text not null default '' check (char_length(venue) <= 200),
      starts_on date,
      ends_on date,
      schedule_note text not null default '' check (char_length(schedule_note) <= 2000),
      opens_at timestamptz,
      closes_at timestamptz,
      capacity integer check (capacity between 1 and 100000),
      fee_yen integer not null default 0 check (fee_yen between 0 and 10000000),
      target_learners text not null default '' check (char_length(target_learners) <= 2000),
      weekly_hours numeric(4, 1) check (weekly_hours between 0 and 80),
      commitment_required boolean not null default true,
      dx_stage text check (dx_stage in ('pattern1', 'pattern2', 'pattern3')),
      skill_framework_id uuid references skill_frameworks (id),
      skill_codes text[] not null default '{}',
      eligibility_questions jsonb not null default '[]',
      extra_questions jsonb not null default '[]',
      status text not null default 'draft' check (status in ('draft', 'submitted', 'published', 'closed', 'archived')),
      review_comment text,
      submitted_at timestamptz,
      published_at timestamptz,
      closed_at timestamptz,
      created_by uuid references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (closes_at is null or opens_at is null or closes_at > opens_at),
      check (ends_on is null or starts_on is null or ends_on >= starts_on)
    );
    create index programmes_organisation_idx on programmes (organisation_id);
    create index programmes_public_idx on programmes (status, closes_at);

    create sequence application_number_seq;

    create table applications (
      id uuid primary key default gen_random_uuid(),
      number text unique,
      programme_id uuid not null references programmes (id),
      applicant_user_id uuid references users (id),
      status text not null default 'draft' check (status in ('draft', 'submitted', 'under_review', 'accepted', 'waitlisted', 'rejected', 'enrolled', 'withdrawn')),
      full_name text check (char_length(full_name) <= 100),
      furigana text check (char_length(furigana) <= 100),
      email text check (char_length(email) <= 254),
      prefecture_code smallint check (prefecture_code between 1 and 47),
      occupation text check (occupation in ('student', 'worker')),
      affiliation text check (char_length(affiliation) <= 200),
      eligibility_answers jsonb not null default '{}',
      answers jsonb not null default '{}',
      pledge_accepted boolean not null default false,
      consent_notice_version text,
      consented_at timestamptz,
      idempotency_key text unique,
      waitlist_position integer,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      submitted_at timestamptz,
      decided_at timestamptz,
      enrolled_at timestamptz,
      withdrawn_at timestamptz,
      anonymised_at timestamptz,
      unique (programme_id, applicant_user_id)
    );
    create index applications_programme_idx on applications (programme_id, status);
    create index applications_applicant_idx on applications (applicant_user_id);
    create index applications_submitted_idx on applications (submitted_at);

    create table application_status_history (
      id bigint generated always as identity primary key,
      application_id uuid not null references applications (id) on delete cascade,
      from_status text,
      to_status text not null,
      at timestamptz not null,
      actor_user_id uuid references users (id),
      note text
    );
    create index application_status_history_app_idx on application_status_history (application_id, at);

    create table rubric_criteria (
      id uuid primary key default gen_random_uuid(),
      programme_id uuid not null references programmes (id) on delete cascade,
      label text not null check (char_length(label) between 1 and 100),
      description text not null default '' check (char_length(description) <= 1000),
      scale_max smallint not null default 5 check (scale_max between 1 and 10),
      weight numeric(5, 2) not null default 1 check (weight > 0 and weight <= 100),
      position integer not null default 0
    );
    create index rubric_criteria_programme_idx on rubric_criteria (programme_id, position);

    create table application_reviews (
      application_id uuid not null references applications (id) on delete cascade,
      reviewer_user_id uuid not null references users (id),
      conflict_of_interest boolean not null default false,
      comment text not null default '' check (char_length(comment) <= 4000),
      updated_at timestamptz not null default now(),
      primary key (application_id, reviewer_user_id)
    );

    create table application_scores (
      application_id uuid not null references applications (id) on delete cascade,
      reviewer_user_id uuid not null references users (id),
      criterion_id uuid not null references rubric_criteria (id) on delete cascade,
      score smallint not null check (score >= 0),
      primary key (application_id, reviewer_user_id, criterion_id)
    );

    create table decision_mail_templates (
      organisation_id uuid not null references organisations (id),
      kind text not null check (kind in ('accepted', 'waitlisted', 'rejected', 'enrolled')),
      body text not null check (char_length(body) between 1 and 5000),
      updated_at timestamptz not null default now(),
      updated_by uuid references users (id),
      primary key (organisation_id, kind)
    );

    create table content_versions (
      key text primary key,
      version bigint not null default 0,
      updated_at timestamptz not null default now()
    );
    insert into content_versions (key, version) values ('public', 0);
  `,
  );
}
