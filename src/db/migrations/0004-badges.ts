import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * Open Badges 3.0 (issue 4, OPEN-BADGES.md): issuer profiles and signing keys per organisation, achievements
 * and their versions, bitstring status lists, issued credentials, and bulk issuance batches with their rows.
 *
 * - Nothing is mutated after signing (OPEN-BADGES.md §Status and lifecycle): triggers refuse changes to a
 *   published achievement version's content and to a credential's signed parts; a correction is a new
 *   credential that replaces the old one, which is revoked.
 * - Idempotency per (earner, achievement version): at most one live (not revoked) credential per
 *   (achievement_version_id, recipient_email), enforced by a partial unique index.
 * - Status list indexes are unique per list; status list bits are stored raw, bit i = W3C index i (the most
 *   significant bit of byte 0 is index 0). PostgreSQL's set_bit numbers bits from the least significant bit
 *   of each byte, so code that flips a bit in SQL converts the index (status-list.repository.ts).
 * - Signed documents are stored as `json`, not `jsonb`: `json` keeps the text exactly as signed and baked,
 *   so the .json download is byte-identical to what the baked PNG/SVG carry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table issuer_profiles (
      organisation_id uuid primary key references organisations (id),
      name text not null check (char_length(name) between 1 and 200),
      url text not null check (url ~ '^https?://' and char_length(url) <= 2000),
      email text check (char_length(email) between 3 and 254),
      description text not null default '' check (char_length(description) <= 2000),
      image bytea,
      image_type text check (image_type in ('image/png', 'image/svg+xml')),
      updated_by uuid references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check ((image is null) = (image_type is null))
    );

    -- Ed25519 Multikeys (keys.ts): the secret half sealed with AES-256-GCM under a key derived from the
    -- server secret, bound to the key id. One active key per organisation; retired keys stay published in
    -- the controller document so old badges still verify; revoked (compromised) keys are not published.
    create table issuer_keys (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      controller text not null check (char_length(controller) <= 500),
      verification_method text not null unique,
      public_key_multibase text not null check (public_key_multibase ~ '^z[1-9A-HJ-NP-Za-km-z]+$'),
      sealed_secret_key text not null,
      status text not null default 'active' check (status in ('active', 'retired', 'revoked')),
      created_by uuid references users (id),
      created_at timestamptz not null default now(),
      retired_at timestamptz,
      revoked_at timestamptz,
      check (verification_method = controller || '#' || public_key_multibase),
      check ((status = 'active') = (retired_at is null and revoked_at is null))
    );
    create unique index issuer_keys_one_active on issuer_keys (organisation_id) where status = 'active';

    -- An achievement is what a badge certifies, per organisation (and optionally per programme); its
    -- content lives in versions. key is the short name a completion list uses in its achievement column.
    create table achievements (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      programme_id uuid references programmes (id),
      key text not null check (key ~ '^[a-z0-9][a-z0-9._-]{0,39}$'),
      created_by uuid references users (id),
      created_at timestamptz not null default now(),
      unique (organisation_id, key)
    );
    create index achievements_programme_idx on achievements (programme_id);

    -- draft → published → retired. At most one draft and one published version per achievement; editing a
    -- published achievement makes a new draft version (published and retired versions are frozen below).
    create table achievement_versions (
      id uuid primary key default gen_random_uuid(),
      achievement_id uuid not null references achievements (id),
      version integer not null check (version >= 1),
      status text not null default 'draft' check (status in ('draft', 'published', 'retired')),
      name text not null check (char_length(name) between 1 and 200),
      description text not null check (char_length(description) between 1 and 2000),
      criteria_narrative text not null check (char_length(criteria_narrative) between 1 and 5000),
      achievement_type text not null default 'CertificateOfCompletion'
        check (achievement_type ~ '^([A-Z][A-Za-z]{1,60}|ext:[A-Za-z0-9._-]{1,60})$'),
      in_language text not null default 'ja' check (in_language ~ '^[a-z]{2,4}(-[A-Za-z0-9]{2,8})*$'),
      skill_framework_id uuid references skill_frameworks (id),
      alignments jsonb not null default '[]',
      valid_days integer check (valid_days between 1 and 36500),
      image_png bytea,
      image_svg text,
      created_by uuid references users (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      published_at timestamptz,
      published_by uuid references users (id),
      retired_at timestamptz,
      unique (achievement_id, version),
      check (jsonb_typeof(alignments) = 'array'),
      check (status = 'draft' or image_png is not null),
      check ((status = 'draft') = (published_at is null)),
      check ((status = 'retired') = (retired_at is not null))
    );
    create unique index achievement_versions_one_draft on achievement_versions (achievement_id)
      where status = 'draft';
    create unique index achievement_versions_one_published on achievement_versions (achievement_id)
      where status = 'published';

    create function achievement_version_frozen() returns trigger language plpgsql as $$
    begin
      if old.status <> 'draft' and row(new.achievement_id, new.version, new.name, new.description,
          new.criteria_narrative, new.achievement_type, new.in_language, new.skill_framework_id,
          new.alignments, new.valid_days, new.image_png, new.image_svg)
        is distinct from row(old.achievement_id, old.version, old.name, old.description,
          old.criteria_narrative, old.achievement_type, old.in_language, old.skill_framework_id,
          old.alignments, old.valid_days, old.image_png, old.image_svg) then
        raise exception 'a published achievement version is frozen: edit a new version instead';
      end if;
      if old.status <> 'draft' and new.status = 'draft' then
        raise exception 'a published achievement version cannot go back to draft';
      end if;
      return new;
    end;
    $$;
    create trigger achievement_versions_frozen before update on achievement_versions
      for each row execute function achievement_version_frozen();

    -- W3C Bitstring Status List: at least 131,072 entries (16 KB) for herd privacy. version is bumped on
    -- every bit change; the signed list credential is cached with the version it was signed for and
    -- re-signed when served after a change.
    create table status_lists (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      purpose text not null default 'revocation' check (purpose in ('revocation', 'suspension')),
      size integer not null default 131072 check (size >= 131072 and size % 8 = 0),
      bits bytea not null,
      used_count integer not null default 0,
      version integer not null default 1 check (version >= 1),
      signed_credential json,
      signed_version integer,
      signed_at timestamptz,
      created_at timestamptz not null default now(),
      check (octet_length(bits) * 8 = size),
      check (used_count between 0 and size),
      check ((signed_credential is null) = (signed_version is null))
    );
    create index status_lists_org_idx on status_lists (organisation_id, purpose, created_at);

    create table issuance_batches (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations (id),
      created_by uuid references users (id),
      source text not null check (source in ('upload', 'programme', 'single')),
      filename text check (char_length(filename) <= 255),
      programme_id uuid references programmes (id),
      format text not null default 'ldp' check (format in ('ldp', 'jwt')),
      status text not null default 'dry_run'
        check (status in ('dry_run', 'queued', 'running', 'done', 'failed')),
      total_rows integer not null default 0 check (total_rows >= 0),
      pending_count integer not null default 0 check (pending_count >= 0),
      issued_count integer not null default 0 check (issued_count >= 0),
      skipped_count integer not null default 0 check (skipped_count >= 0),
      failed_count integer not null default 0 check (failed_count >= 0),
      report jsonb not null default '{}',
      last_error text check (char_length(last_error) <= 2000),
      created_at timestamptz not null default now(),
      queued_at timestamptz,
      queued_by uuid references users (id),
      started_at timestamptz,
      finished_at timestamptz
    );
    create index issuance_batches_org_idx on issuance_batches (organisation_id, created_at desc);

    create table credentials (
      id uuid primary key,
      organisation_id uuid not null references organisations (id),
      achievement_version_id uuid not null references achievement_versions (id),
      issuer_key_id uuid not null references issuer_keys (id),
      recipient_user_id uuid references users (id),
      -- Personal data, never in the credential itself (which carries a salted hash): needed to mail the
      -- claim link and for idempotency. Normalised (NFKC, trimmed, lower case) as hashEmail does.
      recipient_email text not null check (char_length(recipient_email) between 3 and 254),
      recipient_name text not null default '' check (char_length(recipient_name) <= 100),
      salt text not null,
      format text not null check (format in ('ldp', 'jwt')),
      credential json not null,
      jwt text,
      status_list_id uuid not null references status_lists (id),
      status_index integer not null check (status_index >= 0),
      evidence_url text check (char_length(evidence_url) <= 2000),
      narrative text check (char_length(narrative) <= 2000),
      valid_from timestamptz not null,
      valid_until timestamptz,
      awarded_at timestamptz not null,
      issued_at timestamptz not null,
      issued_by uuid references users (id),
      revoked_at timestamptz,
      revocation_reason text check (char_length(revocation_reason) between 1 and 500),
      revoked_by uuid references users (id),
      replaces_id uuid references credentials (id),
      replaced_by_id uuid references credentials (id),
      claim_token_hash text,
      claimed_at timestamptz,
      batch_id uuid references issuance_batches (id),
      baked_png bytea not null,
      baked_svg text not null,
      unique (status_list_id, status_index),
      check ((format = 'jwt') = (jwt is not null)),
      check ((revoked_at is null) = (revocation_reason is null)),
      check (replaced_by_id is null or revoked_at is not null)
    );
    create unique index credentials_one_live_per_recipient on credentials (achievement_version_id, recipient_email)
      where revoked_at is null;
    create index credentials_org_awarded_idx on credentials (organisation_id, awarded_at, id);
    create index credentials_awarded_idx on credentials (awarded_at, id);
    create index credentials_recipient_user_idx on credentials (recipient_user_id);
    create index credentials_recipient_email_idx on credentials (recipient_email);
    create index credentials_batch_idx on credentials (batch_id);

    create function credential_signed_immutable() returns trigger language plpgsql as $$
    begin
      if row(new.id, new.organisation_id, new.achievement_version_id, new.issuer_key_id, new.salt,
          new.format, new.credential::text, new.jwt, new.status_list_id, new.status_index, new.valid_from,
          new.valid_until, new.awarded_at, new.issued_at, new.baked_png, new.baked_svg, new.replaces_id)
        is distinct from row(old.id, old.organisation_id, old.achievement_version_id, old.issuer_key_id,
          old.salt, old.format, old.credential::text, old.jwt, old.status_list_id, old.status_index,
          old.valid_from, old.valid_until, old.awarded_at, old.issued_at, old.baked_png, old.baked_svg,
          old.replaces_id) then
        raise exception 'a signed credential is never changed: correct it by issuing a replacement';
      end if;
      if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
        raise exception 'a revoked credential stays revoked';
      end if;
      return new;
    end;
    $$;
    create trigger credentials_signed_immutable before update on credentials
      for each row execute function credential_signed_immutable();

    -- One row per line of a completion list (or per enrolled learner): written by the dry run with what was
    -- found (problems) and whether it will be issued ('pending'), skipped (already issued) or refused
    -- ('failed'); the issuing job moves each pending row to issued/skipped/failed in its own transaction.
    create table issuance_rows (
      batch_id uuid not null references issuance_batches (id),
      row_number integer not null check (row_number >= 1),
      email text not null default '' check (char_length(email) <= 320),
      name text not null default '' check (char_length(name) <= 200),
      user_id uuid references users (id),
      achievement_ref text not null default '' check (char_length(achievement_ref) <= 200),
      achievement_version_id uuid references achievement_versions (id),
      evidence_url text check (char_length(evidence_url) <= 2000),
      narrative text check (char_length(narrative) <= 2000),
      status text not null check (status in ('pending', 'issued', 'skipped', 'failed')),
      problems jsonb not null default '[]',
      error text check (char_length(error) <= 2000),
      credential_id uuid references credentials (id),
      processed_at timestamptz,
      primary key (batch_id, row_number),
      check (status <> 'pending' or achievement_version_id is not null),
      check (status <> 'issued' or credential_id is not null)
    );
    create index issuance_rows_pending_idx on issuance_rows (batch_id, row_number) where status = 'pending';
  `,
  );
}
