import { Hono } from 'hono';
import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, Notice, SelectField, TextField } from '../../../web/components/form.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { validate } from '../../../web/forms.js';
import { render } from '../../../web/render.js';
import { authorize } from '../../organisations/organisation.policy.js';
import { listOrganisations } from '../../organisations/organisation.service.js';
import { type AuditEntry, EXPORT_MAX_ROWS, exportAuditLog, searchAuditLog } from '../audit-log.service.js';
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
  const first = (r.page - 1) * 50 + 1;
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
      {r.pages > 1 ? (
        <nav class="pagination" aria-label="検索結果のページ">
          <ul>
            {r.page > 1 ? (
              <li>
                <a href={`/admin/audit${toQuery(p.search, r.page - 1)}`} rel="prev">
                  前の50件
                </a>
              </li>
            ) : null}
            <li aria-current="page">
              {r.page} / {r.pages} ページ
            </li>
            {r.page < r.pages ? (
              <li>
                <a href={`/admin/audit${toQuery(p.search, r.page + 1)}`} rel="next">
                  次の50件
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
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
  const e = opts.errors ?? {};
  return render(
    c,
    '監査ログ',
    <>
      <h1>監査ログ</h1>
      <ErrorSummary errors={opts.errors} labels={L} />
      <form method="get" action="/admin/audit" class="search-form" novalidate>
        <TextField
          name="from"
          label={L.from}
          type="date"
          hint="日本時間。この日の0時から。"
          value={values.from}
          error={e.from}
        />
        <TextField
          name="to"
          label={L.to}
          type="date"
          hint="日本時間。この日の終わりまで。"
          value={values.to}
          error={e.to}
        />
        <TextField
          name="action"
          label={L.action}
          maxLength={100}
          hint="前方一致(例: identity. でログイン関係のすべて)"
          value={values.action}
          error={e.action}
        />
        <TextField
          name="actor"
          label={L.actor}
          type="email"
          maxLength={254}
          value={values.actor}
          error={e.actor}
        />
        <SelectField
          name="org"
          label={L.org}
          options={orgs.map((o) => ({ value: o.id, label: o.name }))}
          placeholder="すべて"
          value={values.org}
          error={e.org}
        />
        <TextField
          name="subject"
          label={L.subject}
          maxLength={200}
          value={values.subject}
          error={e.subject}
        />
        <button type="submit" class="button">
          検索する
        </button>
      </form>
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
