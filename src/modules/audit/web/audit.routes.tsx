import { Hono } from 'hono';
import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, fieldsOf, Notice, SelectField, TextField } from '../../../web/components/form.js';
import { FilterForm } from '../../../web/components/form-shells.js';
import { Pagination } from '../../../web/components/pagination.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { validate } from '../../../web/forms.js';
import { render } from '../../../web/render.js';
import { authorize } from '../../organisations/organisation.policy.js';
import { listOrganisations } from '../../organisations/organisation.service.js';
import {
  AUDIT_PAGE_SIZE,
  type AuditEntry,
  EXPORT_MAX_ROWS,
  exportAuditLog,
  searchAuditLog,
} from '../audit-log.service.js';
import {
  type AuditSearch,
  auditSearchSchema,
  AUDIT_SEARCH_LABELS as L,
  toFilter,
  toQuery,
} from './audit-search.schema.js';

// Mounted at /admin/audit: search the audit log, and export the same search as CSV. Secretariat admins and
// staff only (organisation.policy.ts); every export is itself audited.

type Results = { entries: AuditEntry[]; total: number; page: number; pages: number };

function ResultsTable(p: { r: Results; search: AuditSearch }) {
  const { r } = p;
  const first = (r.page - 1) * AUDIT_PAGE_SIZE + 1;
  const last = first + r.entries.length - 1;
  return (
    <>
      <table class="data-table audit-table">
        <caption>
          検索結果(全{r.total}件{r.entries.length ? `中 ${first}〜${last}件を表示` : ''})
        </caption>
        <thead>
          <tr>
            <th scope="col">日時(日本時間)</th>
            <th scope="col">操作者</th>
            <th scope="col">組織</th>
            <th scope="col">操作</th>
            <th scope="col">対象</th>
            <th scope="col">IPアドレス</th>
            <th scope="col">リクエストID</th>
            <th scope="col">詳細</th>
          </tr>
        </thead>
        <tbody>
          {r.entries.map((e) => (
            <tr>
              <th scope="row">{formatJst(e.at)}</th>
              <td>{e.actorEmail ?? '—'}</td>
              <td>{e.organisationName ?? '—'}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.subjectId ? `${e.subjectType ?? ''} ${e.subjectId}` : '—'}</td>
              <td>{e.ip ?? '—'}</td>
              <td>{e.requestId ? <code>{e.requestId}</code> : '—'}</td>
              <td>{e.details ? <code class="details">{e.details}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.entries.length === 0 ? <p>条件に合う記録はありません。</p> : null}
      <Pagination
        page={r.page}
        pages={r.pages}
        pageSize={AUDIT_PAGE_SIZE}
        label="検索結果のページ"
        href={(n) => `/admin/audit${toQuery(p.search, n)}`}
      />
    </>
  );
}

async function searchPage(
  c: AppContext,
  values: Record<string, string>,
  opts: { errors?: FieldErrors; search?: AuditSearch; results?: Results },
  status: 200 | 422 = 200,
) {
  const deps = c.get('deps');
  const orgs = await listOrganisations(deps, c.get('actor'));
  const field = fieldsOf(L, values, opts.errors);
  return render(
    c,
    '監査ログ',
    <>
      <h1>監査ログ</h1>
      <ErrorSummary errors={opts.errors} labels={L} />
      <FilterForm action="/admin/audit" submit="検索する" primary>
        <TextField {...field('from')} type="date" hint="日本時間。この日の0時から。" />
        <TextField {...field('to')} type="date" hint="日本時間。この日の終わりまで。" />
        <TextField
          {...field('action')}
          maxLength={100}
          hint="前方一致(例: identity. でログイン関係のすべて)"
        />
        <TextField {...field('actor')} type="email" maxLength={254} />
        <SelectField
          {...field('org')}
          options={orgs.map((o) => ({ value: o.id, label: o.name }))}
          placeholder="すべて"
        />
        <TextField {...field('subject')} maxLength={200} />
      </FilterForm>
      {opts.search && opts.results ? (
        <>
          <p>
            <a href={`/admin/audit/export.csv${toQuery(opts.search)}`} download>
              この条件でCSVをダウンロード(最大{EXPORT_MAX_ROWS.toLocaleString('ja-JP')}件)
            </a>
          </p>
          <Notice>CSVのダウンロードも監査ログに記録されます。</Notice>
          <ResultsTable r={opts.results} search={opts.search} />
        </>
      ) : null}
    </>,
    status,
  );
}

function parseSearch(c: AppContext) {
  const values = c.req.query();
  return validate(auditSearchSchema, values, values);
}

export function auditRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const actor = c.get('actor');
    authorize(actor, 'audit.search'); // before anything of the log (or the organisation list) is read
    const form = parseSearch(c);
    if (!form.ok) return searchPage(c, form.values, { errors: form.errors }, 422);
    const results = await searchAuditLog(c.get('deps'), actor, toFilter(form.data), form.data.page);
    return searchPage(c, form.values, { search: form.data, results });
  });

  app.get('/export.csv', async (c) => {
    const actor = c.get('actor');
    authorize(actor, 'audit.export');
    const form = parseSearch(c);
    if (!form.ok) return searchPage(c, form.values, { errors: form.errors }, 422);
    const out = await exportAuditLog(c.get('deps'), actor, toFilter(form.data));
    const stamp = formatJst(c.get('deps').clock.now()).replace(/\D/g, '').slice(0, 12);
    return c.body(out.csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-log-${stamp}.csv"`,
      'X-Export-Rows': String(out.rows),
      'X-Export-Truncated': out.truncated ? 'true' : 'false',
    });
  });

  return app;
}
