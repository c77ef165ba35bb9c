import type { Hono } from 'hono';
import { isAppError } from '../../../lib/errors.js';
import type { AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { decideApplications, previewDecision, promoteNextWaitlisted } from '../decision.service.js';
import { executeSchema, previewSchema, promoteSchema } from '../desk.schema.js';
import { checkProgrammeAccess } from '../desk.service.js';
import { ConfirmPage, ResultPage } from './desk-decision.page.js';
import { applicationPath, idParam, programmePath } from './desk-fields.js';
import { listPage } from './desk-responses.js';

// Decisions from the list (ticked rows) or an application's page (its one id): step 1 shows who will be
// moved and e-mailed; step 2 carries each application's status as seen, so a change in between is
// reported, not silently applied. Promotion from the waitlist names the one the page showed as next.

export function registerDecisionRoutes(app: Hono<AppEnv>) {
  app.post('/programmes/:programmeId/decisions/preview', async (c) => {
    const pid = idParam(c, 'programmeId');
    const form = await parseForm(c, previewSchema);
    if (!form.ok) {
      await checkProgrammeAccess(c.get('deps'), c.get('actor'), pid, 'desk.decide');
      const { ids, ...rest } = form.errors;
      return listPage(c, pid, { errors: ids ? { ...rest, _form: ids } : rest, values: form.values }, 422);
    }
    const preview = await previewDecision(c.get('deps'), c.get('actor'), pid, form.data);
    return render(
      c,
      '変更内容の確認',
      <ConfirmPage
        programmeId={pid}
        title={preview.programmeTitle}
        preview={preview}
        csrf={c.get('csrfToken')}
      />,
    );
  });

  app.post('/programmes/:programmeId/decisions', async (c) => {
    const pid = idParam(c, 'programmeId');
    const form = await parseForm(c, executeSchema);
    if (!form.ok) {
      await checkProgrammeAccess(c.get('deps'), c.get('actor'), pid, 'desk.decide');
      const message = Object.values(form.errors)[0] ?? '申込みを選び直してください';
      return listPage(c, pid, { errors: { _form: message } }, 422);
    }
    const out = await decideApplications(c.get('deps'), c.get('actor'), pid, form.data);
    if (out.reported.length === 0) {
      const only = out.moved.length === 1 ? out.moved[0] : undefined;
      return redirect(
        c,
        only
          ? `${applicationPath(only.id)}?done=decided`
          : `${programmePath(pid)}?done=decided&n=${out.moved.length}`,
      );
    }
    return render(
      c,
      '変更できなかった申込み',
      <ResultPage programmeId={pid} moved={out.moved} reported={out.reported} />,
      409,
    );
  });

  app.post('/programmes/:programmeId/waitlist/promote', async (c) => {
    const pid = idParam(c, 'programmeId');
    const form = await parseForm(c, promoteSchema);
    if (!form.ok) {
      await checkProgrammeAccess(c.get('deps'), c.get('actor'), pid, 'desk.decide');
      return listPage(c, pid, { errors: { _form: '繰り上げる申込みを確認してください' } }, 422);
    }
    try {
      await promoteNextWaitlisted(c.get('deps'), c.get('actor'), pid, form.data.expected);
      return redirect(c, `${programmePath(pid)}?done=promoted`);
    } catch (e) {
      if (isAppError(e, 'INVALID_STATE')) return listPage(c, pid, { errors: { _form: e.messageJa } }, 409);
      throw e;
    }
  });
}
