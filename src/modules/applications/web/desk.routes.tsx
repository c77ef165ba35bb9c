import { Hono } from 'hono';
import { AppError, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { formFields, validate } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { deskFilterSchema, toFilter } from '../desk.schema.js';
import { checkProgrammeAccess, listDeskProgrammes } from '../desk.service.js';
import { exportApplications } from '../export.service.js';
import { declareConflict, submitReview, withdrawConflict } from '../rubric.service.js';
import { registerDecisionRoutes } from './desk-decision.routes.js';
import { applicationPath, idParam } from './desk-fields.js';
import { IndexPage } from './desk-list.page.js';
import { detailPage, listPage } from './desk-responses.js';
import { registerReviewRoutes } from './desk-review.routes.js';
import { registerTemplateRoutes } from './desk-templates.routes.js';

// Mounted at /admin/applications: the operator/hub desk (issue 3, item 5). Routes parse and delegate; the
// services authorise, scope to the actor's organisation and audit (refusals across organisations too).
// A route that must show a form's errors first runs the same refusal the use case would (STYLE.md 3).

async function formValues(c: AppContext): Promise<Record<string, string>> {
  const body = await formFields(c);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === '_csrf') continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

function exportRoute(format: 'csv' | 'xlsx') {
  return async (c: AppContext) => {
    const programmeId = idParam(c, 'programmeId');
    const deps = c.get('deps');
    const actor = c.get('actor');
    const q = c.req.query();
    const form = validate(deskFilterSchema, q, q);
    if (!form.ok) {
      await checkProgrammeAccess(deps, actor, programmeId, 'desk.export');
      throw new AppError('VALIDATION', Object.values(form.errors)[0] ?? '条件を確認してください');
    }
    const out = await exportApplications(deps, actor, programmeId, toFilter(form.data), format);
    return c.body(typeof out.body === 'string' ? out.body : new Uint8Array(out.body), 200, {
      'Content-Type': out.contentType,
      'Content-Disposition': `attachment; filename="${out.filename}"`,
      'X-Export-Rows': String(out.rows),
      'X-Export-Truncated': out.truncated ? 'true' : 'false',
    });
  };
}

export function deskRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const r = await listDeskProgrammes(c.get('deps'), c.get('actor'));
    return render(
      c,
      '申込み管理',
      <IndexPage programmes={r.programmes} overview={r.overview} templates={r.allowed.templates} />,
    );
  });

  registerTemplateRoutes(app); // /templates…

  app.get('/programmes/:programmeId', (c) => listPage(c, idParam(c, 'programmeId')));
  app.get('/programmes/:programmeId/export.csv', exportRoute('csv'));
  app.get('/programmes/:programmeId/export.xlsx', exportRoute('xlsx'));

  registerDecisionRoutes(app); // /programmes/:programmeId/decisions…, /waitlist/promote
  registerReviewRoutes(app); // /programmes/:programmeId/rubric…, /ranking

  // Last: /:applicationId would otherwise be tried for the fixed paths above (they are no uuids anyway).
  app.get('/:applicationId', (c) => detailPage(c, idParam(c, 'applicationId')));

  app.post('/:applicationId/review', async (c) => {
    const id = idParam(c, 'applicationId');
    const values = await formValues(c);
    try {
      await submitReview(c.get('deps'), c.get('actor'), id, values);
      return redirect(c, `${applicationPath(id)}?done=reviewed`);
    } catch (e) {
      if (isAppError(e, 'VALIDATION'))
        return detailPage(c, id, { review: { errors: e.fields, values } }, 422);
      if (isAppError(e, 'INVALID_STATE')) return detailPage(c, id, { formError: e.messageJa }, 409);
      throw e;
    }
  });

  for (const [path, run, done] of [
    ['conflict', declareConflict, 'conflict'],
    ['conflict/withdraw', withdrawConflict, 'conflict_withdrawn'],
  ] as const) {
    app.post(`/:applicationId/${path}`, async (c) => {
      const id = idParam(c, 'applicationId');
      try {
        await run(c.get('deps'), c.get('actor'), id);
        return redirect(c, `${applicationPath(id)}?done=${done}`);
      } catch (e) {
        if (isAppError(e, 'INVALID_STATE')) return detailPage(c, id, { formError: e.messageJa }, 409);
        throw e;
      }
    });
  }

  return app;
}
