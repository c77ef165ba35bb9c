import type { Hono } from 'hono';
import type { FieldErrors } from '../../../lib/errors.js';
import { AppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import {
  listDecisionTemplates,
  resetDecisionTemplate,
  updateDecisionTemplate,
} from '../decision.template.service.js';
import { kindParam, templateSchema } from '../decision.templates.js';
import { DESK_BASE, doneMessage } from './desk-fields.js';
import { TEMPLATE_DONE, TemplatesPage } from './desk-templates.page.js';

// The organisation's decision mail texts at /admin/applications/templates. No organisation id in the URL:
// the organisation is the actor's own, from the session.

function kindOf(c: AppContext) {
  const r = kindParam.safeParse(c.req.param('kind'));
  if (!r.success) throw new AppError('NOT_FOUND', '見つかりません');
  return r.data;
}

async function page(
  c: AppContext,
  failed?: { kind: string; errors: FieldErrors; value: string },
  status: 200 | 422 = 200,
) {
  const templates = await listDecisionTemplates(c.get('deps'), c.get('actor'));
  return render(
    c,
    '決定通知メールの文面',
    <TemplatesPage
      templates={templates}
      csrf={c.get('csrfToken')}
      done={doneMessage(c, TEMPLATE_DONE)}
      failed={failed}
    />,
    status,
  );
}

export function registerTemplateRoutes(app: Hono<AppEnv>) {
  app.get('/templates', (c) => page(c));

  app.post('/templates/:kind', async (c) => {
    const kind = kindOf(c);
    const form = await parseForm(c, templateSchema);
    // page() authorises (listing the templates) before the errors are shown.
    if (!form.ok) return page(c, { kind, errors: form.errors, value: form.values.body ?? '' }, 422);
    await updateDecisionTemplate(c.get('deps'), c.get('actor'), kind, form.data.body);
    return redirect(c, `${DESK_BASE}/templates?done=saved`);
  });

  app.post('/templates/:kind/reset', async (c) => {
    await resetDecisionTemplate(c.get('deps'), c.get('actor'), kindOf(c));
    return redirect(c, `${DESK_BASE}/templates?done=reset`);
  });
}
