import type { OrganisationKind, Role } from '../../../db/schema.js';
import type { StaffActor } from '../../../lib/actor.js';
import { Client, type TestApp } from '../../../test/app.js';
import { staffActor } from '../../../test/application-factories.js';
import type { TestEnv } from '../../../test/db.js';

/**
 * Test support for the staff badge pages' route tests (tests only): a staff member as both the actor the
 * services take and a signed-in client of the real app, multipart posts as a browser sends the upload forms,
 * and small readers of the answers.
 */

export type StaffUser = { actor: StaffActor; client: Client };

/** A staff member of a new (or the given) organisation, signed in. */
export async function staffUser(
  app: TestApp,
  env: TestEnv,
  kind: OrganisationKind,
  role: Role = 'staff',
  orgId?: string,
): Promise<StaffUser> {
  const actor = await staffActor(env, kind, role, orgId);
  const client = await new Client(app, env).signInAs(actor.userId, actor.org.id);
  return { actor, client };
}

/** A multipart POST (the CSRF field, text fields, repeated fields and files), as a browser sends it. */
export async function postMultipart(
  client: Client,
  path: string,
  fields: Record<string, string | string[]>,
  files: Record<string, { name: string; bytes: Uint8Array; type?: string }> = {},
): Promise<Response> {
  const body = new FormData();
  body.set('_csrf', await client.csrfToken());
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) for (const x of v) body.append(k, x);
    else body.set(k, v);
  }
  for (const [k, f] of Object.entries(files)) {
    body.set(k, new File([new Uint8Array(f.bytes)], f.name, f.type ? { type: f.type } : {}));
  }
  return client.app.request(path, { method: 'POST', body, headers: { cookie: client.cookieHeader() } });
}

/** The path a 303 points at (asserting it is one). */
export function location(res: Response): string {
  if (res.status !== 303) throw new Error(`expected 303, got ${res.status}`);
  return res.headers.get('location') ?? '';
}

/** The page's text with tags removed and entities undone (for asserting what a person reads). */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .replace(/\s+/g, ' ');
}

/** The uuid at the end of a path such as /admin/badges/achievements/<id>?done=created. */
export function idIn(path: string): string {
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[?/]|$)/.exec(path);
  if (!m?.[1]) throw new Error(`no id in ${path}`);
  return m[1];
}
