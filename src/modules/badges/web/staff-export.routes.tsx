import type { Hono } from 'hono';
import { AppError, type FieldErrors } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { render } from '../../../web/render.js';
import { fiscalYearOf } from '../../programmes/jst.js';
import { type CredentialExportFormat, downloadCredentialExport } from '../export-download.service.js';
import { isUuid } from '../urls.js';
import { ALL_ORGS, ExportPage } from './staff-export.page.js';
import { orgContext, requireCan, staffActorOf } from './staff-shared.js';

// /admin/badges/export (the page) and /admin/badges/export/credentials.(jsonl|csv|xlsx) (the downloads).
// The organisation filter is the session's own organisation for everyone but the secretariat, who may name
// any or all; export.service.ts refuses (404) an organisation's staff naming another. Each download is
// audited (export.service.ts when it starts, export-download.service.ts with its format and size when it
// ends). The file is streamed (export-download.service.ts): X-Export-Rows, sent ahead of it, is the number of
// credentials it holds.

const FIRST_FISCAL_YEAR = 2022;

type ExportQuery = { fiscalYear: number | undefined; orgId: string | undefined; errors: FieldErrors };

/** The page's and the downloads' query: `fy` (a fiscal year or empty) and `org` (an id, or `all`). */
function readQuery(c: AppContext): ExportQuery {
  const actor = staffActorOf(c);
  const fy = (c.req.query('fy') ?? '').trim();
  const org = (c.req.query('org') ?? '').trim();
  const errors: FieldErrors = {};
  const maxYear = fiscalYearOf(c.get('deps').clock.now()) + 1;
  let fiscalYear: number | undefined;
  if (fy) {
    const n = Number(fy);
    if (/^\d{4}$/.test(fy) && n >= FIRST_FISCAL_YEAR && n <= maxYear) fiscalYear = n;
    else errors.fy = `${FIRST_FISCAL_YEAR}年度から${maxYear}年度までの年度を選んでください`;
  }
  let orgId: string | undefined;
  if (actor.org.kind === 'secretariat' && (org === ALL_ORGS || org === '')) orgId = undefined;
  else if (!org) orgId = actor.org.id;
  else if (isUuid(org)) orgId = org.toLowerCase();
  else errors.org = '組織を選んでください';
  return { fiscalYear, orgId, errors };
}

function download(format: CredentialExportFormat) {
  return async (c: AppContext) => {
    const q = readQuery(c);
    if (Object.keys(q.errors).length > 0) {
      throw new AppError('VALIDATION', Object.values(q.errors)[0] ?? '条件を確認してください');
    }
    const file = await downloadCredentialExport(c.get('deps'), c.get('actor'), {
      format,
      ...(q.fiscalYear ? { fiscalYear: q.fiscalYear } : {}),
      ...(q.orgId ? { orgId: q.orgId } : {}),
    });
    return c.body(file.body, 200, {
      'Content-Type': file.contentType,
      'Content-Disposition': `attachment; filename="${file.filename}"`,
      'X-Export-Rows': String(file.rows),
    });
  };
}

export function registerExportRoutes(app: Hono<AppEnv>) {
  app.get('/export', async (c) => {
    const actor = staffActorOf(c);
    const q = readQuery(c);
    // The page's own organisation: the one filtered on, or (for "all") the secretariat's own.
    const org = await orgContext(c, q.orgId ?? actor.org.id);
    requireCan(org, 'badges.export');
    const thisYear = fiscalYearOf(c.get('deps').clock.now());
    const years: number[] = [];
    for (let y = thisYear + 1; y >= FIRST_FISCAL_YEAR; y--) years.push(y);
    const valid = Object.keys(q.errors).length === 0;
    const params = new URLSearchParams();
    if (q.fiscalYear) params.set('fy', String(q.fiscalYear));
    params.set('org', q.orgId ?? ALL_ORGS);
    return render(
      c,
      'IPA向けエクスポート',
      <ExportPage
        org={org}
        fiscalYears={years}
        values={{ fy: c.req.query('fy') ?? '', org: q.orgId ?? ALL_ORGS }}
        query={valid ? params.toString() : null}
        errors={valid ? undefined : q.errors}
      />,
      valid ? 200 : 422,
    );
  });

  app.get('/export/credentials.jsonl', download('jsonl'));
  app.get('/export/credentials.csv', download('csv'));
  app.get('/export/credentials.xlsx', download('xlsx'));
}
