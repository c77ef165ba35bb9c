import type { Hono } from 'hono';
import { AppError, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { getProgrammeAdmin } from '../programme-admin.service.js';
import {
  eligibilityQuestionFormSchema,
  extraQuestionFormSchema,
  moveSchema,
  questionIdParam,
  questionSetParam,
} from '../programme-questions.schema.js';
import {
  addEligibilityQuestion,
  addExtraQuestion,
  moveQuestion,
  removeQuestion,
} from '../programme-questions.service.js';
import { done, idParam } from './programme-admin.helpers.js';
import { type AddFormState, QuestionsPage } from './programme-admin-questions.page.js';

// The question editor: one page, and one small POST per change (works without JavaScript).

async function page(
  c: AppContext,
  id: string,
  extra: { add?: AddFormState; formError?: string } = {},
  status: 200 | 409 | 422 = 200,
) {
  const d = await getProgrammeAdmin(c.get('deps'), c.get('actor'), id);
  const title = `申込みの質問: ${d.programme.title}`;
  return render(
    c,
    title,
    <QuestionsPage d={d} csrf={c.get('csrfToken')} done={done(c)} {...extra} />,
    status,
  );
}

function setParam(c: AppContext) {
  const r = questionSetParam.safeParse(c.req.param('set'));
  if (!r.success) throw new AppError('NOT_FOUND', '見つかりません');
  return r.data;
}

function qidParam(c: AppContext) {
  const r = questionIdParam.safeParse(c.req.param('qid'));
  if (!r.success) throw new AppError('NOT_FOUND', '質問が見つかりません');
  return r.data;
}

const back = (c: AppContext, id: string, what: string) =>
  redirect(c, `/admin/programmes/${id}/questions?done=${what}`);

/** INVALID_STATE (applications exist, status moved) re-renders the editor with the reason. */
async function refusal(c: AppContext, id: string, e: unknown) {
  if (isAppError(e, 'INVALID_STATE')) return page(c, id, { formError: e.messageJa }, 409);
  throw e;
}

export function questionRoutes(app: Hono<AppEnv>) {
  app.get('/:id/questions', async (c) => page(c, idParam(c)));

  app.post('/:id/questions/:set', async (c) => {
    const id = idParam(c);
    const set = setParam(c);
    const deps = c.get('deps');
    const actor = c.get('actor');
    /** Same refusal as a valid form would get, before the page with the errors is shown. */
    const invalid = async (values: Record<string, string>, errors: Record<string, string>) => {
      const d = await getProgrammeAdmin(deps, actor, id);
      if (!d.allowed.editQuestions) throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
      return page(c, id, { add: { set, values, errors } }, 422);
    };
    const added = async (run: () => Promise<void>, values: Record<string, string>) => {
      try {
        await run();
        return back(c, id, 'question_added');
      } catch (e) {
        if (isAppError(e, 'VALIDATION'))
          return page(c, id, { add: { set, values, errors: e.fields ?? {} } }, 422);
        return refusal(c, id, e);
      }
    };
    if (set === 'eligibility') {
      const form = await parseForm(c, eligibilityQuestionFormSchema);
      if (!form.ok) return invalid(form.values, form.errors);
      return added(() => addEligibilityQuestion(deps, actor, id, form.data), form.values);
    }
    const form = await parseForm(c, extraQuestionFormSchema);
    if (!form.ok) return invalid(form.values, form.errors);
    return added(() => addExtraQuestion(deps, actor, id, form.data), form.values);
  });

  app.post('/:id/questions/:set/:qid/remove', async (c) => {
    const id = idParam(c);
    try {
      await removeQuestion(c.get('deps'), c.get('actor'), id, setParam(c), qidParam(c));
      return back(c, id, 'question_removed');
    } catch (e) {
      return refusal(c, id, e);
    }
  });

  app.post('/:id/questions/:set/:qid/move', async (c) => {
    const id = idParam(c);
    const form = await parseForm(c, moveSchema);
    if (!form.ok) {
      const d = await getProgrammeAdmin(c.get('deps'), c.get('actor'), id);
      if (!d.allowed.editQuestions) throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
      return page(c, id, { formError: form.errors.direction ?? '移動の方向が正しくありません' }, 422);
    }
    try {
      await moveQuestion(c.get('deps'), c.get('actor'), id, setParam(c), qidParam(c), form.data.direction);
      return back(c, id, 'question_moved');
    } catch (e) {
      return refusal(c, id, e);
    }
  });
}
