import type { Hono } from 'hono';
import { AppError, isAppError } from '../../../lib/errors.js';
import type { AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { returnSchema } from '../programme.schema.js';
import { approveProgramme, returnProgramme } from '../programme.service.js';
import { getProgrammeAdmin, getReviewQueue } from '../programme-admin.service.js';
import { idParam } from './programme-admin.helpers.js';
import { detail } from './programme-admin.responses.js';
import { ReviewQueuePage } from './programme-admin-list.page.js';

// The secretariat's side: the queue of programmes submitted for publication, approve, send back with a comment.

export function reviewRoutes(app: Hono<AppEnv>) {
  app.get('/review', async (c) => {
    const items = await getReviewQueue(c.get('deps'), c.get('actor'));
    return render(c, '公開申請の確認待ち', <ReviewQueuePage items={items} />);
  });

  app.post('/:id/approve', async (c) => {
    const id = idParam(c);
    try {
      await approveProgramme(c.get('deps'), c.get('actor'), id);
      return redirect(c, `/admin/programmes/${id}?done=approved`);
    } catch (e) {
      if (isAppError(e, 'INVALID_STATE')) return detail(c, id, { errors: { _form: e.messageJa } }, 409);
      throw e;
    }
  });

  app.post('/:id/return', async (c) => {
    const id = idParam(c);
    const form = await parseForm(c, returnSchema);
    if (!form.ok) {
      // Refuse before showing the programme to someone who may not review it.
      const d = await getProgrammeAdmin(c.get('deps'), c.get('actor'), id);
      if (!d.allowed.review) {
        if (d.programme.status === 'submitted')
          throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
        throw new AppError('INVALID_STATE', '公開申請中のプログラムではありません');
      }
      return detail(c, id, { returnForm: { values: form.values, errors: form.errors } }, 422);
    }
    try {
      await returnProgramme(c.get('deps'), c.get('actor'), id, form.data);
      return redirect(c, `/admin/programmes/${id}?done=returned`);
    } catch (e) {
      if (isAppError(e, 'INVALID_STATE')) return detail(c, id, { errors: { _form: e.messageJa } }, 409);
      throw e;
    }
  });
}
