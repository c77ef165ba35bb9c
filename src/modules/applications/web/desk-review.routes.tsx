import type { Hono } from 'hono';
import { isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { getProgrammeForStaff } from '../../programmes/programme.read.service.js';
import { can } from '../desk.policy.js';
import { checkProgrammeAccess } from '../desk.service.js';
import {
  addCriterion,
  getCriterion,
  getRubric,
  moveCriterion,
  removeCriterion,
  updateCriterion,
} from '../rubric.criteria.service.js';
import { getRanking } from '../rubric.ranking.service.js';
import { criterionSchema, moveSchema } from '../rubric.schema.js';
import { doneMessage, idParam, programmePath } from './desk-fields.js';
import { RankingPage } from './desk-ranking.page.js';
import { CriterionEditPage, type CriterionFormState, RUBRIC_DONE, RubricPage } from './desk-rubric.page.js';

// The rubric (criteria: add, edit, move, remove) and the ranking of a programme's applications.

const templatesAllowed = (c: AppContext) => {
  const a = c.get('actor');
  return a.type === 'staff' && can(a, 'desk.templates', { orgId: a.org.id });
};

async function rubricPage(c: AppContext, pid: string, add?: CriterionFormState, status: 200 | 422 = 200) {
  const deps = c.get('deps');
  const rubric = await getRubric(deps, c.get('actor'), pid);
  const programme = await getProgrammeForStaff(deps, c.get('actor'), pid);
  return render(
    c,
    `${programme.title}: 評価基準`,
    <RubricPage
      programmeId={pid}
      title={programme.title}
      rubric={rubric}
      csrf={c.get('csrfToken')}
      templates={templatesAllowed(c)}
      done={doneMessage(c, RUBRIC_DONE)}
      {...(add ? { add } : {})}
    />,
    status,
  );
}

async function editPage(
  c: AppContext,
  pid: string,
  cid: string,
  form?: CriterionFormState,
  status: 200 | 422 = 200,
) {
  const x = await getCriterion(c.get('deps'), c.get('actor'), pid, cid);
  const values = form?.values ?? {
    label: x.label,
    description: x.description,
    scaleMax: String(x.scaleMax),
    weight: String(x.weight),
  };
  return render(
    c,
    `評価項目の編集: ${x.label}`,
    <CriterionEditPage
      programmeId={pid}
      criterionId={cid}
      title={x.label}
      csrf={c.get('csrfToken')}
      form={{ errors: form?.errors, values }}
    />,
    status,
  );
}

export function registerReviewRoutes(app: Hono<AppEnv>) {
  app.get('/programmes/:programmeId/rubric', (c) => rubricPage(c, idParam(c, 'programmeId')));

  app.post('/programmes/:programmeId/rubric', async (c) => {
    const pid = idParam(c, 'programmeId');
    const form = await parseForm(c, criterionSchema);
    if (!form.ok) {
      await checkProgrammeAccess(c.get('deps'), c.get('actor'), pid, 'desk.rubric');
      return rubricPage(c, pid, form, 422);
    }
    await addCriterion(c.get('deps'), c.get('actor'), pid, form.data);
    return redirect(c, `${programmePath(pid)}/rubric?done=added`);
  });

  app.get('/programmes/:programmeId/rubric/:criterionId', (c) =>
    editPage(c, idParam(c, 'programmeId'), idParam(c, 'criterionId')),
  );

  app.post('/programmes/:programmeId/rubric/:criterionId', async (c) => {
    const pid = idParam(c, 'programmeId');
    const cid = idParam(c, 'criterionId');
    const form = await parseForm(c, criterionSchema);
    // editPage runs the same refusal as the update would before any error is shown.
    if (!form.ok) return editPage(c, pid, cid, form, 422);
    try {
      await updateCriterion(c.get('deps'), c.get('actor'), pid, cid, form.data);
      return redirect(c, `${programmePath(pid)}/rubric?done=updated`);
    } catch (e) {
      if (isAppError(e, 'VALIDATION'))
        return editPage(c, pid, cid, { errors: e.fields, values: form.values }, 422);
      throw e;
    }
  });

  app.post('/programmes/:programmeId/rubric/:criterionId/remove', async (c) => {
    const pid = idParam(c, 'programmeId');
    await removeCriterion(c.get('deps'), c.get('actor'), pid, idParam(c, 'criterionId'));
    return redirect(c, `${programmePath(pid)}/rubric?done=removed`);
  });

  app.post('/programmes/:programmeId/rubric/:criterionId/move', async (c) => {
    const pid = idParam(c, 'programmeId');
    const cid = idParam(c, 'criterionId');
    const form = await parseForm(c, moveSchema);
    if (!form.ok) {
      await getCriterion(c.get('deps'), c.get('actor'), pid, cid);
      return rubricPage(
        c,
        pid,
        { errors: { _form: form.errors.direction ?? '移動の方向を選択してください' } },
        422,
      );
    }
    await moveCriterion(c.get('deps'), c.get('actor'), pid, cid, form.data.direction);
    return redirect(c, `${programmePath(pid)}/rubric?done=moved`);
  });

  app.get('/programmes/:programmeId/ranking', async (c) => {
    const pid = idParam(c, 'programmeId');
    const deps = c.get('deps');
    const ranking = await getRanking(deps, c.get('actor'), pid);
    const programme = await getProgrammeForStaff(deps, c.get('actor'), pid);
    return render(
      c,
      `${programme.title}: 評価ランキング`,
      <RankingPage
        programmeId={pid}
        title={programme.title}
        ranking={ranking}
        templates={templatesAllowed(c)}
      />,
    );
  });
}
