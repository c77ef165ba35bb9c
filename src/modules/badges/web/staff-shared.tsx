import type { Child } from 'hono/jsx';
import type { IssuanceBatchStatus, IssuanceRowStatus } from '../../../db/schema-badges.js';
import { AppError, type ErrorCode, type FieldErrors, isAppError } from '../../../lib/errors.js';
import { assertUploadClean } from '../../../lib/malware-scan.js';
import type { AppContext } from '../../../web/context.js';
import { formFields } from '../../../web/forms.js';
import { listOrganisations } from '../../organisations/organisation.service.js';
import type { BadgeStatus } from '../badge.presenter.js';
import { type BadgeAction, can, canIssueAs } from '../badges.policy.js';
import { getIssuerProfile } from '../issuer.service.js';
import { isUuid } from '../urls.js';
import { OVERVIEW_PATH } from './staff-overview.page.js';

// What the staff badge pages (/admin/badges…) share: their paths, the issuing organisation a page is about,
// labels, the sub-navigation and the upload steps. The organisation comes from `?org=` (or a form's hidden
// `orgId`), defaulting to the staff member's own; the services decide whether the actor may act for it, so a
// hub naming another organisation gets "not found" (and the attempt is audited) exactly as for an edited id.

export const BASE = '/admin/badges';

export const staffPaths = {
  home: (org: string) => `${BASE}?org=${org}`,
  newAchievement: (org: string) => `${BASE}/achievements/new?org=${org}`,
  achievement: (id: string) => `${BASE}/achievements/${id}`,
  editAchievement: (id: string) => `${BASE}/achievements/${id}/edit`,
  issuer: (org: string) => `${BASE}/issuer?org=${org}`,
  rotate: (org: string) => `${BASE}/issuer/rotate?org=${org}`,
  issue: (org: string) => `${BASE}/issue?org=${org}`,
  bulk: (org: string) => `${BASE}/bulk?org=${org}`,
  template: (org: string, ext: 'xlsx' | 'csv') => `${BASE}/bulk/template.${ext}?org=${org}`,
  batches: (org: string) => `${BASE}/batches?org=${org}`,
  batch: (id: string) => `${BASE}/batches/${id}`,
  credentials: (org: string) => `${BASE}/credentials?org=${org}`,
  credential: (id: string) => `${BASE}/credentials/${id}`,
  export: (org: string) => `${BASE}/export?org=${org}`,
} as const;

export type OrgContext = {
  orgId: string;
  /** The issuer's name as its badges show it (the profile's, else the organisation's). */
  issuerName: string;
  /** The secretariat's choice of organisation (issuing organisations only); empty for everyone else. */
  choices: { id: string; name: string }[];
  can: (action: BadgeAction) => boolean;
};

/** Anonymous visitors are sent to sign in, learners refused (403), before anything is looked up. */
export function staffActorOf(c: AppContext) {
  const actor = c.get('actor');
  if (actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  if (actor.type !== 'staff') throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
  return actor;
}

/** The organisation named by `requested` (or the actor's own), checked by the issuer service (404 if foreign). */
export async function orgContext(c: AppContext, requested?: string | undefined): Promise<OrgContext> {
  const actor = staffActorOf(c);
  const deps = c.get('deps');
  const wanted = requested ?? c.req.query('org') ?? actor.org.id;
  const orgId = isUuid(wanted) ? wanted.toLowerCase() : wanted;
  const profile = await getIssuerProfile(deps, actor, orgId); // the scope check: 404 / 403 / 409
  const choices =
    actor.org.kind === 'secretariat'
      ? (await listOrganisations(deps, actor))
          .filter((o) => o.status === 'active' && canIssueAs(o.kind))
          .map((o) => ({ id: o.id, name: o.name }))
      : [];
  return {
    orgId: profile.orgId,
    issuerName: profile.name,
    choices,
    can: (action) => can(actor, action, { orgId: profile.orgId }),
  };
}

/** Refuses (403) a page whose form the actor could not submit (viewers see the lists, not the forms). */
export function requireCan(ctx: OrgContext, action: BadgeAction): void {
  if (!ctx.can(action)) throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
}

/** A path id: a malformed one is "not found" before it reaches a query. */
export function idParam(c: AppContext, name: string, what: string): string {
  const v = c.req.param(name) ?? '';
  if (!isUuid(v)) throw new AppError('NOT_FOUND', `${what}が見つかりません`);
  return v.toLowerCase();
}

/** Every string field of a posted form (first value of repeated ones), without the CSRF token. */
export async function formStrings(c: AppContext): Promise<Record<string, string>> {
  const body = await formFields(c);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === '_csrf') continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/** All values of a repeated field (checkbox groups). */
export async function formList(c: AppContext, name: string): Promise<string[]> {
  const v = (await formFields(c))[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(
    (x): x is string => typeof x === 'string',
  );
}

export type Upload = { name: string; bytes: Uint8Array };

/** The chosen files of a multipart body by field (a form without a chosen file sends an empty, nameless part). */
async function chosenFiles<F extends string>(
  c: AppContext,
  fields: readonly F[],
): Promise<Partial<Record<F, Upload>>> {
  const body = await formFields(c);
  const files: Partial<Record<F, Upload>> = {};
  for (const field of fields) {
    const v = body[field];
    const f = Array.isArray(v) ? v[0] : v;
    if (f instanceof File && (f.size > 0 || f.name !== '')) {
      files[field] = { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
    }
  }
  return files;
}

export const FILE_REQUIRED = 'ファイルを選んでください';

/**
 * The steps every badge upload form takes (SECURITY.md "Uploads"; completion lists, achievement images, the
 * issuer image): take the chosen files; scan each with clamd before anything parses it (lib/malware-scan.ts;
 * every file, so that each infected one is named at its own field); then `use` them (the service parses,
 * checks and stores). What the person can fix — a required file not chosen, an infected file, a VALIDATION
 * error of the service or another of `formCodes` — re-renders the same page with 422 and the messages at
 * their fields, and nothing is stored. A scanner that is configured but down is UNAVAILABLE (503): uploads
 * fail closed.
 */
export async function handleUpload<F extends string, R extends F = never>(
  c: AppContext,
  spec: { files: readonly F[]; required?: readonly R[]; formCodes?: readonly ErrorCode[] },
  use: (files: Partial<Record<F, Upload>> & Record<R, Upload>) => Promise<Response>,
  rerender: (errors: FieldErrors, status: 422) => Response | Promise<Response>,
): Promise<Response> {
  const files = await chosenFiles(c, spec.files);
  const errors: FieldErrors = {};
  for (const field of spec.required ?? []) if (!files[field]) errors[field] = FILE_REQUIRED;
  if (Object.keys(errors).length > 0) return rerender(errors, 422);
  for (const field of spec.files) {
    const file = files[field];
    if (!file) continue;
    try {
      await assertUploadClean(c.get('deps').config, file.bytes, field);
    } catch (e) {
      if (!isAppError(e, 'VALIDATION')) throw e;
      Object.assign(errors, formErrors(e));
    }
  }
  if (Object.keys(errors).length > 0) return rerender(errors, 422);
  try {
    return await use(files as Partial<Record<F, Upload>> & Record<R, Upload>);
  } catch (e) {
    if (isAppError(e) && (e.code === 'VALIDATION' || spec.formCodes?.includes(e.code)))
      return rerender(formErrors(e), 422);
    throw e;
  }
}

/** A service's field errors keyed by the form's field names (`skillCodes.0` → `skillCodes`). */
export function formErrors(e: AppError): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(e.fields ?? { _form: e.messageJa })) {
    const key = k.split('.')[0] || '_form';
    if (!(key in out)) out[key] = v;
  }
  return out;
}

/** Runs `fn`; a VALIDATION error becomes the form's errors (for a 422 of the same page). */
export async function orFieldErrors<T>(
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; errors: FieldErrors }> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (isAppError(e, 'VALIDATION')) return { ok: false, errors: formErrors(e) };
    throw e;
  }
}

export const BADGE_STATUS_LABEL: Record<BadgeStatus, string> = {
  valid: '有効',
  revoked: '取り消し済み(失効)',
  expired: '期限切れ',
};

export const BADGE_STATUS_CLASS: Record<BadgeStatus, string> = {
  valid: 'badge badge-open',
  revoked: 'badge badge-closed',
  expired: 'badge badge-upcoming',
};

export const BATCH_STATUS_LABEL: Record<IssuanceBatchStatus, string> = {
  dry_run: '確認済み(未発行)',
  queued: '発行待ち',
  running: '発行中',
  done: '完了',
  failed: '中断(エラー)',
};

export const ROW_STATUS_LABEL: Record<IssuanceRowStatus, string> = {
  pending: '発行予定',
  issued: '発行済み',
  skipped: '発行しない(発行済み)',
  failed: '発行できない',
};

export const FORMAT_LABEL = {
  ldp: 'JSON-LD(Data Integrity 署名 eddsa-rdfc-2022)',
  jwt: 'VC-JWT(JSON Web Token)',
} as const;

export const FORMAT_OPTIONS = (['ldp', 'jwt'] as const).map((v) => ({ value: v, label: FORMAT_LABEL[v] }));

type NavKey =
  | 'achievements'
  | 'issuer'
  | 'issue'
  | 'bulk'
  | 'batches'
  | 'credentials'
  | 'export'
  | 'overview';

/**
 * The badge pages of one organisation, under each page's h1; for the secretariat also the overview across
 * organisations (badges.overview), which is about no single organisation and so carries no `?org=`.
 */
export function BadgeNav(p: { org: OrgContext; current: NavKey | null }) {
  const o = p.org.orgId;
  const items: { key: NavKey; href: string; label: string; show: boolean }[] = [
    { key: 'achievements', href: staffPaths.home(o), label: 'バッジ(達成基準)', show: true },
    { key: 'issuer', href: staffPaths.issuer(o), label: '発行者プロフィールと鍵', show: true },
    { key: 'issue', href: staffPaths.issue(o), label: '1件発行する', show: p.org.can('badges.issue') },
    { key: 'bulk', href: staffPaths.bulk(o), label: '一括発行する', show: p.org.can('badges.issue') },
    { key: 'batches', href: staffPaths.batches(o), label: '一括発行の記録', show: true },
    { key: 'credentials', href: staffPaths.credentials(o), label: '発行済みバッジ', show: true },
    {
      key: 'export',
      href: staffPaths.export(o),
      label: 'IPA向けエクスポート',
      show: p.org.can('badges.export'),
    },
    {
      key: 'overview',
      href: OVERVIEW_PATH,
      label: '発行状況(全団体)',
      show: p.org.can('badges.overview'),
    },
  ];
  return (
    <nav class="desk-nav" aria-label="バッジの管理">
      <ul>
        {items
          .filter((i) => i.show)
          .map((i) => (
            <li>
              <a href={i.href} aria-current={i.key === p.current ? 'page' : undefined}>
                {i.label}
              </a>
            </li>
          ))}
      </ul>
    </nav>
  );
}

/** The issuer a page is about, under the h1 (the secretariat acts for many). */
export function IssuerLine(p: { org: OrgContext }) {
  return <p class="lead">発行者: {p.org.issuerName}</p>;
}

/** A multipart POST form (file uploads) with the CSRF token and one submit button. */
export function UploadForm(p: { action: string; csrf: string; submit: string; children: Child }) {
  return (
    <form method="post" action={p.action} enctype="multipart/form-data" novalidate>
      <input type="hidden" name="_csrf" value={p.csrf} />
      {p.children}
      <button type="submit" class="button">
        {p.submit}
      </button>
    </form>
  );
}

/** `?done=…` → a fixed message (never text from the URL itself). */
export function doneMessage(c: AppContext, table: Record<string, string>): string | undefined {
  return table[c.req.query('done') ?? ''];
}
