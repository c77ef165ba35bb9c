import { Hono } from 'hono';
import { AppError, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { fiscalYearOf } from '../jst.js';
import { can } from '../programme.policy.js';
import { listFilterSchema, programmeContentSchema, programmeSchema } from '../programme.schema.js';
import {
  archiveProgramme,
  closeProgramme,
  createProgramme,
  submitProgramme,
  updateProgramme,
} from '../programme.service.js';
import {
  getProgrammeAdmin,
  listProgrammesForStaff,
  newProgrammeContext,
  type ProgrammeAdminView,
} from '../programme-admin.service.js';
import { done, formArrays, formValues, idParam } from './programme-admin.helpers.js';
import { detail } from './programme-admin.responses.js';
import { ProgrammeFormPage, type ProgrammeFormState } from './programme-admin-form.page.js';
import { ProgrammeListPage } from './programme-admin-list.page.js';
import { questionRoutes } from './programme-admin-questions.routes.js';
import { reviewRoutes } from './programme-admin-review.routes.js';

// Mounted at /admin/programmes. Routes parse and delegate; the services authorise (and audit refusals across
// organisations). Success answers 303 to a page that says what happened (STYLE.md 3).

const ARRAYS = ['prefectureCodes', 'skillCodes'] as const;

/** The years a form offers: last year to two years ahead, plus the programme's own. */
function fiscalYears(c: AppContext, own?: number): number[] {
  const fy = fiscalYearOf(c.get('deps').clock.now());
  return [...new Set([fy - 1, fy, fy + 1, fy + 2, ...(own ? [own] : [])])].sort((a, b) => a - b);
}

function formPage(
  c: AppContext,
  m: { d?: ProgrammeAdminView; layer: 2 | 3; framework: ProgrammeAdminView['framework'] },
  state: ProgrammeFormState,
  status: 200 | 409 | 422 = 200,
) {
  const g = m.d?.programme;
  const heading = g ? `プログラムの編集: ${g.title}` : 'プログラムの作成';
  return render(
    c,
    g ? 'プログラムの編集' : 'プログラムの作成',
    <ProgrammeFormPage
      heading={heading}
      action={g ? `/admin/programmes/${g.id}/edit` : '/admin/programmes/new'}
      back={g ? `/admin/programmes/${g.id}` : '/admin/programmes'}
      submit={g ? '保存する' : '下書きとして保存する'}
      csrf={c.get('csrfToken')}
      layer={m.layer}
      scope={m.d?.allowed.edit === 'content' ? 'content' : 'all'}
      framework={m.framework}
      fiscalYears={fiscalYears(c, g?.fiscalYear)}
      state={state}
    />,
    status,
  );
}

/** The edit form is for those who may edit, while the status allows it (else 403 / 409 before anything). */
async function editable(c: AppContext, id: string): Promise<ProgrammeAdminView> {
  const d = await getProgrammeAdmin(c.get('deps'), c.get('actor'), id);
  if (!can(c.get('actor'), 'programmes.edit', { orgId: d.programme.organisationId })) {
    throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
  }
  if (d.allowed.edit === 'none')
    throw new AppError('INVALID_STATE', 'このプログラムは現在の状態では編集できません');
  return d;
}

export function programmeAdminRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const filter = listFilterSchema.parse(c.req.query());
    const list = await listProgrammesForStaff(c.get('deps'), c.get('actor'), {
      status: filter.status,
      layer: filter.layer,
      organisationId: filter.org,
      fiscalYear: filter.fy,
    });
    const canReview = can(c.get('actor'), 'programmes.review');
    return render(
      c,
      'プログラム一覧',
      <ProgrammeListPage
        list={list}
        filter={filter}
        fiscalYears={fiscalYears(c)}
        canReview={canReview}
        done={done(c)}
      />,
    );
  });

  reviewRoutes(app);

  app.get('/new', async (c) => {
    const ctx = await newProgrammeContext(c.get('deps'), c.get('actor'));
    const values = { fiscalYear: String(ctx.fiscalYear), feeYen: '0', commitmentRequired: 'yes' };
    return formPage(c, ctx, { values, arrays: { prefectureCodes: [], skillCodes: [] } });
  });

  app.post('/new', async (c) => {
    const ctx = await newProgrammeContext(c.get('deps'), c.get('actor'));
    const form = await parseForm(c, programmeSchema);
    const arrays = await formArrays(c, ARRAYS);
    if (!form.ok) return formPage(c, ctx, { values: form.values, arrays, errors: form.errors }, 422);
    try {
      const id = await createProgramme(c.get('deps'), c.get('actor'), form.data);
      return redirect(c, `/admin/programmes/${id}?done=created`);
    } catch (e) {
      if (isAppError(e, 'VALIDATION'))
        return formPage(c, ctx, { values: form.values, arrays, errors: e.fields }, 422);
      throw e;
    }
  });

  app.get('/:id', async (c) => detail(c, idParam(c)));

  app.get('/:id/edit', async (c) => {
    const d = await editable(c, idParam(c));
    const g = d.programme;
    const arrays = { prefectureCodes: g.prefectureCodes.map(String), skillCodes: g.skillCodes };
    return formPage(c, { d, layer: g.layer, framework: d.framework }, { values: formValues(g), arrays });
  });

  app.post('/:id/edit', async (c) => {
    const id = idParam(c);
    const d = await editable(c, id);
    const m = { d, layer: d.programme.layer, framework: d.framework };
    const arrays = await formArrays(c, ARRAYS);
    const save = async (input: Parameters<typeof updateProgramme>[3], values: Record<string, string>) => {
      try {
        await updateProgramme(c.get('deps'), c.get('actor'), id, input);
        return redirect(c, `/admin/programmes/${id}?done=updated`);
      } catch (e) {
        if (isAppError(e, 'VALIDATION')) return formPage(c, m, { values, arrays, errors: e.fields }, 422);
        if (isAppError(e, 'INVALID_STATE')) return detail(c, id, { errors: { _form: e.messageJa } }, 409);
        throw e;
      }
    };
    // A published programme takes only its content fields; anything else in the body is ignored.
    if (d.allowed.edit === 'content') {
      const form = await parseForm(c, programmeContentSchema);
      if (!form.ok) return formPage(c, m, { values: form.values, arrays, errors: form.errors }, 422);
      return save({ kind: 'content', values: form.data }, form.values);
    }
    const form = await parseForm(c, programmeSchema);
    if (!form.ok) return formPage(c, m, { values: form.values, arrays, errors: form.errors }, 422);
    return save({ kind: 'all', values: form.data }, form.values);
  });

  /** The state moves an organisation makes; a refusal re-renders the programme with the reason. */
  const moves = { submit: submitProgramme, close: closeProgramme, archive: archiveProgramme } as const;
  const doneOf = { submit: 'submitted', close: 'closed', archive: 'archived' } as const;
  for (const name of Object.keys(moves) as (keyof typeof moves)[]) {
    app.post(`/:id/${name}`, async (c) => {
      const id = idParam(c);
      try {
        await moves[name](c.get('deps'), c.get('actor'), id);
        return redirect(c, `/admin/programmes/${id}?done=${doneOf[name]}`);
      } catch (e) {
        if (isAppError(e, 'VALIDATION')) return detail(c, id, { errors: e.fields }, 422);
        if (isAppError(e, 'INVALID_STATE')) return detail(c, id, { errors: { _form: e.messageJa } }, 409);
        throw e;
      }
    });
  }

  questionRoutes(app);
  return app;
}
