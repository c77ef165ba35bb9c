import { Hono } from 'hono';
import { AppError, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { parseForm } from '../../../web/forms.js';
import { redirect, render } from '../../../web/render.js';
import { changeRole, inviteMember, removeMember, revokeInvitation } from '../membership.service.js';
import { authorize, can } from '../organisation.policy.js';
import {
  invitationSchema,
  kindFilterSchema,
  organisationSchema,
  roleChangeSchema,
  uuidParam,
} from '../organisation.schema.js';
import {
  createOrganisation,
  getOrganisation,
  listOrganisations,
  updateOrganisation,
} from '../organisation.service.js';
import { DONE, type FormState, ListPage, OrganisationFormPage } from './organisation.pages.js';
import { DetailPage } from './organisation-detail.page.js';

// Mounted at /admin/organisations. Routes parse and delegate; the services authorise (and audit refusals
// across organisations). Success answers 303 to a page that says what happened (STYLE.md 3).

/** Path ids are checked before they reach a query: a malformed one is simply "not found". */
function idParam(c: AppContext, name: string): string {
  const r = uuidParam.safeParse(c.req.param(name));
  if (!r.success) throw new AppError('NOT_FOUND', '見つかりません');
  return r.data;
}

function signedIn(c: AppContext) {
  const a = c.get('actor');
  if (a.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'ログインしてください');
  return a;
}

async function detail(
  c: AppContext,
  orgId: string,
  extra: { invite?: FormState; formError?: string } = {},
  status: 200 | 409 | 422 = 200,
) {
  const d = await getOrganisation(c.get('deps'), c.get('actor'), orgId);
  const done = DONE[c.req.query('done') ?? ''];
  return render(c, d.org.name, <DetailPage d={d} csrf={c.get('csrfToken')} done={done} {...extra} />, status);
}

function formPage(
  c: AppContext,
  mode: { orgId?: string; name?: string },
  state: FormState = {},
  status: 200 | 422 = 200,
) {
  const editing = !!mode.orgId;
  const title = editing ? '組織情報の編集' : '組織の登録';
  return render(
    c,
    title,
    <OrganisationFormPage
      title={editing ? `組織情報の編集: ${mode.name ?? ''}` : title}
      action={editing ? `/admin/organisations/${mode.orgId}/edit` : '/admin/organisations/new'}
      submit={editing ? '更新する' : '登録する'}
      back={editing ? `/admin/organisations/${mode.orgId}` : '/admin/organisations'}
      csrf={c.get('csrfToken')}
      {...state}
    />,
    status,
  );
}

/** A role change or removal needs a fresh password + TOTP check: send them there and back (identity module). */
function reauthRedirect(c: AppContext, orgId: string) {
  return redirect(c, `/account/reauth?next=${encodeURIComponent(`/admin/organisations/${orgId}`)}`);
}

export function organisationRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const actor = signedIn(c);
    // Those who may not list every organisation go straight to their own (learners get 403 there).
    if (!can(actor, 'organisations.list')) {
      if (actor.type === 'staff') return redirect(c, `/admin/organisations/${actor.org.id}`);
      throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
    }
    const kind = kindFilterSchema.parse(c.req.query('kind')) || undefined;
    const orgs = await listOrganisations(c.get('deps'), actor, { kind });
    return render(
      c,
      '組織一覧',
      <ListPage
        orgs={orgs}
        kind={kind}
        canCreate={can(actor, 'organisations.create')}
        done={DONE[c.req.query('done') ?? '']}
      />,
    );
  });

  app.get('/new', (c) => {
    authorize(c.get('actor'), 'organisations.create');
    return formPage(c, {});
  });

  app.post('/new', async (c) => {
    authorize(c.get('actor'), 'organisations.create');
    const form = await parseForm(c, organisationSchema);
    if (!form.ok) return formPage(c, {}, form, 422);
    try {
      const id = await createOrganisation(c.get('deps'), c.get('actor'), form.data);
      return redirect(c, `/admin/organisations/${id}?done=created`);
    } catch (e) {
      if (isAppError(e, 'VALIDATION')) return formPage(c, {}, { errors: e.fields, values: form.values }, 422);
      throw e;
    }
  });

  app.get('/:orgId', async (c) => detail(c, idParam(c, 'orgId')));

  app.get('/:orgId/edit', async (c) => {
    const orgId = idParam(c, 'orgId');
    // Viewing goes through the service (scope + cross-org audit); editing rights are checked on top.
    const d = await getOrganisation(c.get('deps'), c.get('actor'), orgId);
    if (!d.allowed.edit) throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
    const o = d.org;
    const values = {
      name: o.name,
      nameEn: o.nameEn ?? '',
      kind: o.kind,
      prefectureCode: o.prefectureCode ? String(o.prefectureCode) : '',
    };
    return formPage(c, { orgId, name: o.name }, { values });
  });

  app.post('/:orgId/edit', async (c) => {
    const orgId = idParam(c, 'orgId');
    const deps = c.get('deps');
    const actor = c.get('actor');
    const form = await parseForm(c, organisationSchema);
    if (!form.ok) {
      // Refuse before showing anything of the organisation to someone who may not edit it.
      const d = await getOrganisation(deps, actor, orgId);
      if (!d.allowed.edit) throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
      return formPage(c, { orgId, name: d.org.name }, form, 422);
    }
    try {
      await updateOrganisation(deps, actor, orgId, form.data);
      return redirect(c, `/admin/organisations/${orgId}?done=updated`);
    } catch (e) {
      if (isAppError(e, 'VALIDATION'))
        return formPage(c, { orgId }, { errors: e.fields, values: form.values }, 422);
      throw e;
    }
  });

  app.post('/:orgId/invitations', async (c) => {
    const orgId = idParam(c, 'orgId');
    const deps = c.get('deps');
    const actor = c.get('actor');
    const form = await parseForm(c, invitationSchema);
    try {
      if (!form.ok) {
        // Same refusal as a valid form would get, before the page with the errors is shown.
        const d = await getOrganisation(deps, actor, orgId);
        if (!d.allowed.invite) throw new AppError('FORBIDDEN', 'この操作を行う権限がありません');
        return detail(c, orgId, { invite: form }, 422);
      }
      await inviteMember(deps, actor, orgId, form.data);
      return redirect(c, `/admin/organisations/${orgId}?done=invited`);
    } catch (e) {
      if (isAppError(e, 'VALIDATION'))
        return detail(c, orgId, { invite: { errors: e.fields, values: form.values } }, 422);
      throw e;
    }
  });

  app.post('/:orgId/invitations/:invitationId/revoke', async (c) => {
    const orgId = idParam(c, 'orgId');
    await revokeInvitation(c.get('deps'), c.get('actor'), orgId, idParam(c, 'invitationId'));
    return redirect(c, `/admin/organisations/${orgId}?done=invitation_revoked`);
  });

  app.post('/:orgId/members/:userId/role', async (c) => {
    const orgId = idParam(c, 'orgId');
    const userId = idParam(c, 'userId');
    const form = await parseForm(c, roleChangeSchema);
    // The detail page runs the same scope check as the change would, so a refusal still comes first.
    if (!form.ok) return detail(c, orgId, { formError: form.errors.role ?? '役割を選択してください' }, 422);
    try {
      await changeRole(
        c.get('deps'),
        c.get('actor'),
        orgId,
        { userId, role: form.data.role },
        c.get('session'),
      );
      return redirect(c, `/admin/organisations/${orgId}?done=role_changed`);
    } catch (e) {
      if (isAppError(e, 'REAUTH_REQUIRED')) return reauthRedirect(c, orgId);
      if (isAppError(e, 'INVALID_STATE')) return detail(c, orgId, { formError: e.messageJa }, 409);
      throw e;
    }
  });

  app.post('/:orgId/members/:userId/remove', async (c) => {
    const orgId = idParam(c, 'orgId');
    const userId = idParam(c, 'userId');
    try {
      await removeMember(c.get('deps'), c.get('actor'), orgId, { userId }, c.get('session'));
      return redirect(c, `/admin/organisations/${orgId}?done=removed`);
    } catch (e) {
      if (isAppError(e, 'REAUTH_REQUIRED')) return reauthRedirect(c, orgId);
      if (isAppError(e, 'INVALID_STATE')) return detail(c, orgId, { formError: e.messageJa }, 409);
      throw e;
    }
  });

  return app;
}
