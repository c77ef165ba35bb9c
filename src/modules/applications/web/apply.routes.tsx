import { Hono } from 'hono';
import { formatJst } from '../../../lib/clock.js';
import { isAppError } from '../../../lib/errors.js';
import { newToken } from '../../../lib/tokens.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { formFields } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import type { FormValues } from '../applicant.presenter.js';
import { idempotencyKey } from '../application.schema.js';
import {
  type ApplyState,
  answerEligibility,
  getApplyState,
  saveDraft,
  submitApplication,
} from '../application.service.js';
import {
  AlreadyPage,
  applyPath,
  ClosedPage,
  CompletePage,
  EligibilityPage,
  IneligiblePage,
} from './apply.pages.js';
import { ApplyFormPage } from './apply-form.page.js';

// Mounted at / (app.tsx): /programmes/:id/apply and its steps. The application is always the session
// user's own for this programme (found by programme + user), so no application id travels in these URLs or
// forms. Anonymous visitors are sent to the learner sign-in link and come back here via `next`.

type Overrides = { values?: FormValues; errors?: Record<string, string>; justSaved?: boolean };

/** The posted form as plain strings (repeated names as lists); the CSRF field is not part of it. */
async function formBody(c: AppContext): Promise<FormValues> {
  const body = await formFields(c);
  const out: FormValues = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === '_csrf') continue;
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function keyFrom(values: FormValues | undefined): string {
  const k = idempotencyKey.safeParse(values?.idempotencyKey);
  return k.success ? k.data : newToken();
}

/** Renders whatever the state is; the form keeps the posted values and key after a refused submission. */
function renderState(c: AppContext, state: ApplyState, o: Overrides = {}, status: 200 | 409 | 422 = 200) {
  const csrf = c.get('csrfToken');
  switch (state.step) {
    case 'eligibility':
      return render(
        c,
        '応募資格の確認',
        <EligibilityPage programme={state.programme} csrf={csrf} errors={o.errors} values={o.values} />,
        status,
      );
    case 'form':
      return render(
        c,
        `申込みフォーム: ${state.programme.title}`,
        <ApplyFormPage
          programme={state.programme}
          values={o.values ?? state.values}
          errors={o.errors}
          csrf={csrf}
          nonce={c.get('nonce')}
          idempotencyKey={keyFrom(o.values)}
          savedAt={state.savedAt}
          justSaved={o.justSaved ?? false}
          retentionDays={c.get('deps').config.retentionDays}
        />,
        status,
      );
    case 'closed':
      return render(c, '申込みを受け付けていません', <ClosedPage {...state} />, status);
    case 'submitted':
      return render(
        c,
        state.application.status === 'withdrawn' ? '申込みは取り下げ済みです' : '既に申し込み済みです',
        <AlreadyPage programme={state.programme} application={state.application} />,
        status,
      );
  }
}

export function applyRoutes() {
  const app = new Hono<AppEnv>();
  const base = '/programmes/:id/apply';
  const deps = (c: AppContext) => c.get('deps');

  app.get(base, async (c) => {
    const actor = c.get('actor');
    if (actor.type === 'anonymous') {
      return redirect(c, `/login/link?next=${encodeURIComponent(applyPath(c.req.param('id')))}`);
    }
    const state = await getApplyState(deps(c), actor, c.req.param('id'));
    return renderState(c, state, { justSaved: c.req.query('saved') === '1' });
  });

  app.post(`${base}/eligibility`, async (c) => {
    const id = c.req.param('id');
    const values = await formBody(c);
    try {
      const r = await answerEligibility(deps(c), c.get('actor'), id, values);
      if (r.eligible) return redirect(c, applyPath(id));
      const state = await getApplyState(deps(c), c.get('actor'), id);
      return render(
        c,
        '応募資格を満たしていません',
        <IneligiblePage programme={state.programme} reasons={r.reasons} />,
      );
    } catch (e) {
      if (isAppError(e, 'VALIDATION') || isAppError(e, 'INVALID_STATE')) {
        const state = await getApplyState(deps(c), c.get('actor'), id);
        const status = isAppError(e, 'VALIDATION') ? 422 : 409;
        return renderState(c, state, { values, errors: e.fields ?? {} }, status);
      }
      throw e;
    }
  });

  // The 一時保存 button (a form post → 303 back) and public/apply.js (fetch, Accept: application/json).
  app.post(`${base}/draft`, async (c) => {
    const id = c.req.param('id');
    const json = (c.req.header('accept') ?? '').includes('application/json');
    const values = await formBody(c);
    try {
      const r = await saveDraft(deps(c), c.get('actor'), id, values);
      if (json) return c.json({ ok: true, message: `保存しました(${formatJst(r.savedAt)})` });
      return redirect(c, `${applyPath(id)}?saved=1`);
    } catch (e) {
      if (!isAppError(e) || e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN') throw e;
      if (json) {
        const message =
          e.code === 'VALIDATION'
            ? `一時保存できませんでした。${Object.values(e.fields ?? {})[0] ?? e.messageJa}`
            : e.messageJa;
        return c.json({ ok: false, message, errors: e.fields ?? {} }, e.code === 'VALIDATION' ? 422 : 409);
      }
      const state = await getApplyState(deps(c), c.get('actor'), id);
      if (state.step === 'eligibility') return redirect(c, applyPath(id)); // no draft (yet)
      if (e.code === 'VALIDATION') return renderState(c, state, { values, errors: e.fields ?? {} }, 422);
      return renderState(c, state, {}, state.step === 'form' ? 200 : 409);
    }
  });

  app.post(`${base}/submit`, async (c) => {
    const id = c.req.param('id');
    const values = await formBody(c);
    try {
      const r = await submitApplication(deps(c), c.get('actor'), id, values);
      // A repeat of the same form lands on the same success page; another submission is told it is done.
      if (r.outcome !== 'already') return redirect(c, applyPath(id, '/complete'));
      return renderState(c, await getApplyState(deps(c), c.get('actor'), id), {}, 409);
    } catch (e) {
      if (!isAppError(e) || !['VALIDATION', 'INVALID_STATE', 'NOT_FOUND'].includes(e.code)) throw e;
      const state = await getApplyState(deps(c), c.get('actor'), id);
      if (state.step === 'eligibility') return redirect(c, applyPath(id)); // no draft (yet)
      if (isAppError(e, 'VALIDATION') && state.step === 'form') {
        return renderState(c, state, { values, errors: e.fields ?? { _form: e.messageJa } }, 422);
      }
      if (isAppError(e, 'INVALID_STATE') && state.step !== 'submitted') {
        // Past the deadline (or not yet open): the draft stays as it was, and the message says when.
        const hasDraft = state.step === 'form' || (state.step === 'closed' && state.hasDraft);
        const page = { programme: state.programme, message: e.messageJa, hasDraft };
        return render(c, '申込みを受け付けていません', <ClosedPage {...page} />, 409);
      }
      return renderState(c, state, {}, state.step === 'submitted' ? 409 : 200);
    }
  });

  app.get(`${base}/complete`, async (c) => {
    const actor = c.get('actor');
    const id = c.req.param('id');
    if (actor.type === 'anonymous')
      return redirect(c, `/login/link?next=${encodeURIComponent(applyPath(id))}`);
    const state = await getApplyState(deps(c), actor, id);
    if (state.step !== 'submitted' || state.application.status === 'withdrawn')
      return redirect(c, applyPath(id));
    return render(c, '申込みを受け付けました', <CompletePage {...state} />);
  });

  return app;
}
