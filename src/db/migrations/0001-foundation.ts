import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

// Forward-only: never edit a migration after it has landed; add a new one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table organisations (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('ministry', 'secretariat', 'case_study_operator', 'regional_hub')),
      name text not null unique check (char_length(name) between 1 and 100),
      name_en text check (char_length(name_en) <= 200),
      prefecture_code smallint check (prefecture_code between 1 and 47),
      status text not null default 'active' check (status in ('active', 'archived')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table users (
      id uuid primary key default gen_random_uuid(),
      email text not null unique check (email = lower(email) and char_length(email) <= 254),
      display_name text not null check (char_length(display_name) between 1 and 100),
      kind text not null check (kind in ('staff', 'learner')),
      password_hash text,
      password_changed_at timestamptz,
      totp_secret_enc text,
      totp_enrolled_at timestamptz,
      totp_last_step bigint,
      status text not null default 'active' check (status in ('active', 'disabled')),
      locale text not null default 'ja' check (locale in ('ja', 'en')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table memberships (
      user_id uuid not null references users (id) on delete cascade,
      organisation_id uuid not null references organisations (id),
      role text not null check (role in ('admin', 'staff', 'reviewer', 'viewer')),
      created_at timestamptz not null default now(),
      primary key (user_id, organisation_id)
    );
    create index memberships_organisation_idx on memberships (organisation_id);

    create table invitations (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      email text not null check (email = lower(email)),
      role text not null check (role in ('admin', 'staff', 'reviewer', 'viewer')),
      token_hash text not null unique,
      invited_by uuid references users (id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      accepted_at timestamptz,
      accepted_user_id uuid references users (id),
      revoked_at timestamptz
    );
    create index invitations_organisation_idx on invitations (organisation_id);

    create table sessions (
      id_hash text primary key,
      user_id uuid not null references users (id) on delete cascade,
      stage text not null check (stage in ('mfa_required', 'mfa_enrol', 'full')),
      active_organisation_id uuid references organisations (id),
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      reauth_at timestamptz,
      ip text,
      user_agent text
    );
    create index sessions_user_idx on sessions (user_id);
    create index sessions_expires_idx on sessions (expires_at);

    create table one_time_tokens (
      id uuid primary key default gen_random_uuid(),
      purpose text not null check (purpose in ('magic_link', 'password_reset', 'email_change')),
      token_hash text not null unique,
      user_id uuid references users (id) on delete cascade,
      email text not null,
      data jsonb not null default '{}',
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz
    );
    create index one_time_tokens_expires_idx on one_time_tokens (expires_at);

    create table rate_limits (
      key text primary key,
      window_start timestamptz not null,
      count integer not null
    );

    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor_user_id uuid,
      actor_organisation_id uuid,
      action text not null,
      subject_type text,
      subject_id text,
      ip text,
      request_id text,
      details jsonb not null default '{}'
    );
    create index audit_log_at_idx on audit_log (at);
    create index audit_log_action_idx on audit_log (action, at);
    create index audit_log_actor_idx on audit_log (actor_user_id, at);
    create index audit_log_org_idx on audit_log (actor_organisation_id, at);

    -- SECURITY.md: the audit log is append-only. The application role cannot rewrite history.
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end;
    $$;
    create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_append_only();
    create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_append_only();

    create table jobs (
      id bigint generated always as identity primary key,
      name text not null,
      payload jsonb not null default '{}',
      status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
      run_at timestamptz not null default now(),
      attempts integer not null default 0,
      max_attempts integer not null default 5,
      locked_by text,
      locked_until timestamptz,
      last_error text,
      unique_key text unique,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index jobs_ready_idx on jobs (run_at) where status = 'queued';
    create index jobs_running_idx on jobs (locked_until) where status = 'running';

    create table mail_outbox (
      id uuid primary key default gen_random_uuid(),
      to_address text not null,
      subject text not null,
      body_text text not null,
      template text not null,
      status text not null default 'queued' check (status in ('queued', 'sent', 'stored', 'failed')),
      attempts integer not null default 0,
      last_error text,
      message_id text,
      created_at timestamptz not null default now(),
      sent_at timestamptz
    );
    create index mail_outbox_created_idx on mail_outbox (created_at);
  `,
  );
}
