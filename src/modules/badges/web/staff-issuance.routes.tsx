import type { Hono } from 'hono';
import type { CredentialFormat, IssuanceRowStatus } from '../../../db/schema-badges.js';
import { type FieldErrors, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { fieldErrors } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { listProgrammesForStaff } from '../../programmes/programme-admin.service.js';
import { listAchievements } from '../achievement.service.js';
import { getIssuanceReport, listIssuanceBatches, startIssuance } from '../issuance.service.js';
import { planIssuance, planProgrammeIssuance } from '../issuance-plan.service.js';
import { issueBadge, issueBadgeSchema } from '../issue.service.js';
import { BATCH_DONE, BatchListPage, BatchPage, ROW_PAGE } from './staff-batch.page.js';
import { BulkPage, IssueFormPage } from './staff-issuance.page.js';
import { completionListCsv, completionListXlsx } from './staff-issuance-template.js';
import {
  doneMessage,
  formErrors,
  formStrings,
  handleUpload,
  idParam,
  type OrgContext,
  orgContext,
  requireCan,
  staffPaths,
} from './staff-shared.js';

// /admin/badges/issue (one badge), /admin/badges/bulk… (dry runs from a completion list or a programme's
// enrolled learners, and the list's templates) and /admin/badges/batches… (a dry run's report, starting it,
// its progress and final report). The services authorise, scope and audit.

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function programmesOf(c: AppContext, orgId: string) {
  try {
    const list = await listProgrammesForStaff(c.get('deps'), c.get('actor'), { organisationId: orgId });
    return list.items.filter((p) => p.organisationId === orgId).map((p) => ({ id: p.id, title: p.title }));
  } catch (e) {
    if (isAppError(e, 'FORBIDDEN')) return [];
    throw e;
  }
}

async function issuePage(
  c: AppContext,
  org: OrgContext,
  values: Record<string, string>,
  errors?: FieldErrors,
  status: 200 | 422 = 200,
) {
  const achievements = await listAchievements(c.get('deps'), c.get('actor'), { orgId: org.orgId });
  return render(
    c,
    'バッジを1件発行する',
    <IssueFormPage
      org={org}
      csrf={c.get('csrfToken')}
      achievements={achievements}
      values={values}
      errors={errors}
    />,
    status,
  );
}

async function bulkPage(
  c: AppContext,
  org: OrgContext,
  values: Record<string, string>,
  errors?: FieldErrors,
  status: 200 | 422 = 200,
) {
  const [achievements, programmes] = await Promise.all([
    listAchievements(c.get('deps'), c.get('actor'), { orgId: org.orgId }),
    programmesOf(c, org.orgId),
  ]);
  return render(
    c,
    'バッジを一括発行する',
    <BulkPage
      org={org}
      csrf={c.get('csrfToken')}
      achievements={achievements}
      programmes={programmes}
      values={values}
      errors={errors}
    />,
    status,
  );
}

const pageOf = (c: AppContext) => {
  const n = Number(c.req.query('page') ?? '1');
  return Number.isSafeInteger(n) && n >= 1 && n <= 1000 ? n : 1;
};

async function batchPage(
  c: AppContext,
  batchId: string,
  opts: { done?: string | undefined; error?: string } = {},
  status: 200 | 409 = 200,
) {
  const deps = c.get('deps');
  const page = pageOf(c);
  const onlyProblems = c.req.query('rows') === 'problems';
  const statuses: IssuanceRowStatus[] | undefined = onlyProblems ? ['failed'] : undefined;
  const r = await getIssuanceReport(deps, c.get('actor'), {
    batchId,
    ...(statuses ? { statuses } : {}),
    offset: (page - 1) * ROW_PAGE,
    limit: ROW_PAGE,
  });
  const org = await orgContext(c, r.orgId);
  const programmeTitle = r.programmeId
    ? ((await programmesOf(c, org.orgId)).find((p) => p.id === r.programmeId)?.title ?? null)
    : null;
  const title =
    r.status === 'dry_run'
      ? '一括発行の確認結果'
      : r.status === 'queued' || r.status === 'running'
        ? '一括発行の進み具合'
        : '一括発行の結果';
  return render(
    c,
    title,
    <BatchPage
      org={org}
      csrf={c.get('csrfToken')}
      r={r}
      programmeTitle={programmeTitle}
      page={page}
      onlyProblems={onlyProblems}
      auto={c.req.query('auto') === '1'}
      done={opts.done}
      error={opts.error}
    />,
    status,
  );
}

/** The format field as the services take it (they refuse anything but ldp and jwt, at the field). */
const formatOf = (v: string | undefined) => (v || 'ldp') as CredentialFormat;

export function registerIssuanceRoutes(app: Hono<AppEnv>) {
  app.get('/issue', async (c) => {
    const org = await orgContext(c);
    requireCan(org, 'badges.issue');
    return issuePage(c, org, { format: 'ldp' });
  });

  app.post('/issue', async (c) => {
    const values = await formStrings(c);
    const org = await orgContext(c, values.orgId ?? '');
    requireCan(org, 'badges.issue');
    // The same schema as the service (issue.service.ts), so that every message shows at once.
    const parsed = issueBadgeSchema.safeParse(values);
    const errors: FieldErrors = parsed.success ? {} : fieldErrors(parsed.error);
    const achievements = await listAchievements(c.get('deps'), c.get('actor'), { orgId: org.orgId });
    // Only this organisation's published achievements are offered; anything else is the form's error.
    if (!achievements.some((a) => a.id === values.achievementId && a.published))
      errors.achievementId = 'バッジを選んでください(公開中のバッジだけ発行できます)';
    if (!['ldp', 'jwt'].includes(values.format ?? '')) errors.format = '形式を選んでください';
    if (Object.keys(errors).length > 0) return issuePage(c, org, values, errors, 422);
    try {
      const r = await issueBadge(c.get('deps'), c.get('actor'), {
        achievementId: values.achievementId ?? '',
        email: values.email ?? '',
        name: values.name ?? '',
        evidenceUrl: values.evidenceUrl ?? '',
        narrative: values.narrative ?? '',
        format: values.format === 'jwt' ? 'jwt' : 'ldp',
      });
      return redirect(
        c,
        `${staffPaths.credential(r.credentialId)}?done=${r.created ? 'issued' : 'existing'}`,
      );
    } catch (e) {
      if (isAppError(e, 'VALIDATION')) return issuePage(c, org, values, formErrors(e), 422);
      if (isAppError(e, 'INVALID_STATE') || isAppError(e, 'CONFLICT'))
        return issuePage(c, org, values, { achievementId: e.messageJa }, 422);
      throw e;
    }
  });

  app.get('/bulk', async (c) => {
    const org = await orgContext(c);
    requireCan(org, 'badges.issue');
    return bulkPage(c, org, { format: 'ldp', 'p-format': 'ldp' });
  });

  app.get('/bulk/template.xlsx', async (c) => {
    const org = await orgContext(c);
    const achievements = await listAchievements(c.get('deps'), c.get('actor'), { orgId: org.orgId });
    const keys = achievements
      .filter((a) => a.published)
      .map((a) => ({ key: a.key, name: a.published?.name ?? '' }));
    return c.body(await completionListXlsx(keys), 200, {
      'Content-Type': XLSX_TYPE,
      'Content-Disposition': 'attachment; filename="completion-list-template.xlsx"',
    });
  });

  app.get('/bulk/template.csv', async (c) => {
    await orgContext(c);
    return c.body(completionListCsv(), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="completion-list-template.csv"',
    });
  });

  app.post('/bulk/upload', async (c) => {
    const values = await formStrings(c);
    const org = await orgContext(c, values.orgId ?? '');
    requireCan(org, 'badges.issue');
    return handleUpload(
      c,
      { files: ['file'], required: ['file'] },
      async ({ file }) => {
        const report = await planIssuance(c.get('deps'), c.get('actor'), {
          orgId: org.orgId,
          file,
          ...(values.achievementId ? { achievementId: values.achievementId } : {}),
          format: formatOf(values.format),
        });
        return redirect(c, staffPaths.batch(report.batchId));
      },
      (errors, status) => bulkPage(c, org, values, errors, status),
    );
  });

  app.post('/bulk/programme', async (c) => {
    const values = await formStrings(c);
    const org = await orgContext(c, values.orgId ?? '');
    requireCan(org, 'badges.issue');
    const programmeId = values['p-programmeId'] ?? '';
    const programmes = await programmesOf(c, org.orgId);
    if (!programmes.some((p) => p.id === programmeId)) {
      return bulkPage(c, org, values, { 'p-programmeId': 'プログラムを選んでください' }, 422);
    }
    try {
      const report = await planProgrammeIssuance(c.get('deps'), c.get('actor'), {
        programmeId,
        ...(values['p-achievementId'] ? { achievementId: values['p-achievementId'] } : {}),
        format: formatOf(values['p-format']),
      });
      return redirect(c, staffPaths.batch(report.batchId));
    } catch (e) {
      if (!isAppError(e, 'VALIDATION')) throw e;
      const errors = Object.fromEntries(Object.entries(formErrors(e)).map(([k, v]) => [`p-${k}`, v]));
      return bulkPage(c, org, values, errors, 422);
    }
  });

  app.get('/batches', async (c) => {
    const org = await orgContext(c);
    const batches = await listIssuanceBatches(c.get('deps'), c.get('actor'), { orgId: org.orgId });
    return render(c, '一括発行の記録', <BatchListPage org={org} batches={batches} />);
  });

  app.get('/batches/:id', (c) =>
    batchPage(c, idParam(c, 'id', '一括発行'), { done: doneMessage(c, BATCH_DONE) }),
  );

  app.post('/batches/:id/start', async (c) => {
    const id = idParam(c, 'id', '一括発行');
    const values = await formStrings(c);
    try {
      await startIssuance(c.get('deps'), c.get('actor'), { batchId: id });
    } catch (e) {
      if (isAppError(e, 'INVALID_STATE') || isAppError(e, 'CONFLICT'))
        return batchPage(c, id, { error: e.messageJa }, 409);
      throw e;
    }
    return redirect(c, `${staffPaths.batch(id)}?done=started${values.auto === 'yes' ? '&auto=1' : ''}`);
  });
}
