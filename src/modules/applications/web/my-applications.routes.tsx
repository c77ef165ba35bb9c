import { Hono } from 'hono';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { redirect, render } from '../../../web/render.js';
import {
  exportMyData,
  getMyApplication,
  getWithdrawal,
  listMyApplications,
  withdrawApplication,
} from '../my-applications.service.js';
import { DONE, MyApplicationPage, MyApplicationsPage, WithdrawPage } from './my-applications.pages.js';

// Mounted at /my/applications (app.tsx). The services check that each application is the session user's
// own and answer someone else's id with NOT_FOUND (audited); routes only parse and render.

/** Learners sign in by e-mail link: send an anonymous visitor there rather than to the staff choice. */
function signInFirst(c: AppContext) {
  if (c.get('actor').type !== 'anonymous') return null;
  return redirect(c, `/login/link?next=${encodeURIComponent(c.req.path)}`);
}

export function myApplicationsRoutes() {
  const app = new Hono<AppEnv>();
  const deps = (c: AppContext) => c.get('deps');

  app.get('/', async (c) => {
    const away = signInFirst(c);
    if (away) return away;
    const items = await listMyApplications(deps(c), c.get('actor'));
    return render(
      c,
      '申込み一覧',
      <MyApplicationsPage items={items} done={DONE[c.req.query('done') ?? '']} />,
    );
  });

  // Before /:id, or "export" would be taken for an id.
  app.get('/export', async (c) => {
    const away = signInFirst(c);
    if (away) return away;
    const file = await exportMyData(deps(c), c.get('actor'));
    return c.body(file.json, 200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file.filename}"`,
    });
  });

  app.get('/:id', async (c) => {
    const away = signInFirst(c);
    if (away) return away;
    const a = await getMyApplication(deps(c), c.get('actor'), c.req.param('id'));
    return render(c, '申込みの詳細', <MyApplicationPage a={a} done={DONE[c.req.query('done') ?? '']} />);
  });

  app.get('/:id/withdraw', async (c) => {
    const away = signInFirst(c);
    if (away) return away;
    const a = await getWithdrawal(deps(c), c.get('actor'), c.req.param('id'));
    if (!a.canWithdraw) return redirect(c, `/my/applications/${a.id}`);
    return render(c, '申込みの取り下げ', <WithdrawPage a={a} csrf={c.get('csrfToken')} />);
  });

  app.post('/:id/withdraw', async (c) => {
    const id = c.req.param('id');
    await withdrawApplication(deps(c), c.get('actor'), id);
    return redirect(c, `/my/applications/${id}?done=withdrawn`);
  });

  return app;
}
