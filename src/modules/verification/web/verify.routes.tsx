import { Hono } from 'hono';
import { AppError, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { fieldErrors, parseForm } from '../../../web/forms.js';
import { render } from '../../../web/render.js';
import { rateLimited } from '../../identity/rate-limit.js';
import { WindowCounter } from '../../identity/window-counter.js';
import type { SiteFetch } from '../site-documents.js';
import {
  chooseInput,
  MAX_UPLOAD_BYTES,
  type VerifyInput,
  verifyBadge,
  verifyFormSchema,
} from '../verification.service.js';
import { VerifyPage } from './verify.page.js';

const TITLE = 'バッジの検証';

async function uploaded(v: unknown): Promise<{ bytes: Uint8Array; name: string } | null> {
  if (!(v instanceof File) || v.size === 0) return null;
  if (v.size > MAX_UPLOAD_BYTES) {
    const message = '画像が大きすぎます(1MB まで)';
    throw new AppError('VALIDATION', message, { fields: { file: message } });
  }
  return { bytes: new Uint8Array(await v.arrayBuffer()), name: v.name.slice(0, 100) };
}

/** The public verification page (issue 4 §6): GET shows the form (or checks ?url=), POST checks what was sent. */
export function verifyRoutes(site: SiteFetch) {
  const app = new Hono<AppEnv>();
  app.get('/verify', async (c) => {
    const url = c.req.query('url');
    const csrf = c.get('csrfToken');
    if (!url) return render(c, TITLE, <VerifyPage csrf={csrf} />);
    const verification = await verifyBadge(c.get('deps'), site, { kind: 'url', url: url.slice(0, 2000) });
    return render(
      c,
      `${TITLE}の結果`,
      <VerifyPage csrf={csrf} values={{ url }} verification={verification} />,
    );
  });
  app.post('/verify', async (c) => {
    const csrf = c.get('csrfToken');
    const form = await parseForm(c, verifyFormSchema);
    const values = { url: form.values.url, credential: form.values.credential, email: form.values.email };
    if (!form.ok)
      return render(c, TITLE, <VerifyPage csrf={csrf} values={values} errors={form.errors} />, 422);
    try {
      const body = await c.req.parseBody();
      const input = chooseInput(form.data, await uploaded(body.file));
      const verification = await verifyBadge(c.get('deps'), site, input);
      return render(
        c,
        `${TITLE}の結果`,
        <VerifyPage csrf={csrf} values={values} verification={verification} />,
      );
    } catch (e) {
      if (!isAppError(e, 'VALIDATION')) throw e;
      return render(c, TITLE, <VerifyPage csrf={csrf} values={values} errors={e.fields} />, 422);
    }
  });
  return app;
}

/**
 * The JSON API: POST /api/verify with a JSON body {url} | {credential: object or string} (+ optional email),
 * or a multipart form with `file`. No session and no CSRF token (it changes nothing); mounted before those
 * middlewares, with its own ceiling per address because each check costs a few milliseconds of CPU.
 */
export function verifyApiRoutes(site: SiteFetch) {
  const app = new Hono<AppEnv>();
  const perAddress = new WindowCounter({ name: 'verify-api', max: 120, windowMs: 60_000 });
  app.post('/api/verify', async (c) => {
    const deps = c.get('deps');
    if (!perAddress.hit(c.get('ip') ?? 'unknown', deps.clock.now().getTime())) throw rateLimited();
    try {
      const input = await apiInput(c);
      return c.json(await verifyBadge(deps, site, input));
    } catch (e) {
      if (!isAppError(e, 'VALIDATION')) throw e;
      return c.json({ error: { code: e.code, message: e.messageJa, fields: e.fields ?? {} } }, 422);
    }
  });
  return app;
}

async function apiInput(c: AppContext): Promise<VerifyInput> {
  const type = c.req.header('content-type') ?? '';
  let raw: Record<string, unknown>;
  let file: { bytes: Uint8Array; name: string } | null = null;
  if (type.startsWith('multipart/form-data')) {
    const body = await c.req.parseBody();
    file = await uploaded(body.file);
    raw = { url: body.url, credential: body.credential, email: body.email };
  } else {
    const text = await c.req.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const message = 'リクエストの本文が JSON ではありません';
      throw new AppError('VALIDATION', message, { fields: { _form: message } });
    }
    raw = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    if (raw.credential && typeof raw.credential === 'object')
      raw = { ...raw, credential: JSON.stringify(raw.credential) };
  }
  const clean = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string'));
  const fields = verifyFormSchema.safeParse(clean);
  if (!fields.success) {
    const errors = fieldErrors(fields.error);
    const message = Object.values(errors)[0] ?? '入力が正しくありません';
    throw new AppError('VALIDATION', message, { fields: errors });
  }
  return chooseInput(fields.data, file);
}
