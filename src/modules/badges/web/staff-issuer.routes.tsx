import type { Hono } from 'hono';
import { type FieldErrors, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { redirect, render } from '../../../web/render.js';
import { getIssuerProfile, listIssuerKeys, rotateIssuerKey, updateIssuerProfile } from '../issuer.service.js';
import { ISSUER_DONE, IssuerPage, profileValues, RotateConfirmPage } from './staff-issuer.page.js';
import {
  doneMessage,
  formStrings,
  handleUpload,
  type OrgContext,
  orgContext,
  requireCan,
  staffPaths,
} from './staff-shared.js';

// /admin/badges/issuer…: the issuer profile form, the public keys, and key rotation (confirm, then POST).
// issuer.service.ts authorises, scopes and audits.

async function issuerPage(
  c: AppContext,
  org: OrgContext,
  opts: { values?: Record<string, string>; errors?: FieldErrors; done?: string | undefined } = {},
  status: 200 | 422 = 200,
) {
  const deps = c.get('deps');
  const actor = c.get('actor');
  const [profile, keys] = await Promise.all([
    getIssuerProfile(deps, actor, org.orgId),
    listIssuerKeys(deps, actor, org.orgId),
  ]);
  return render(
    c,
    '発行者プロフィールと署名鍵',
    <IssuerPage
      org={org}
      csrf={c.get('csrfToken')}
      profile={profile}
      keys={keys}
      values={opts.values ?? profileValues(profile)}
      errors={opts.errors}
      done={opts.done}
    />,
    status,
  );
}

export function registerIssuerRoutes(app: Hono<AppEnv>) {
  app.get('/issuer', async (c) => issuerPage(c, await orgContext(c), { done: doneMessage(c, ISSUER_DONE) }));

  app.post('/issuer', async (c) => {
    const values = await formStrings(c);
    const org = await orgContext(c, values.orgId ?? '');
    requireCan(org, 'badges.manage');
    return handleUpload(
      c,
      { files: ['image'] },
      async ({ image }) => {
        await updateIssuerProfile(c.get('deps'), c.get('actor'), {
          orgId: org.orgId,
          name: values.name ?? '',
          url: values.url ?? '',
          email: values.email ?? '',
          description: values.description ?? '',
          ...(image ? { image: image.bytes } : {}),
        });
        return redirect(c, `${staffPaths.issuer(org.orgId)}&done=saved`);
      },
      (errors, status) => issuerPage(c, org, { values, errors }, status),
    );
  });

  app.get('/issuer/rotate', async (c) => {
    const org = await orgContext(c);
    requireCan(org, 'badges.manage');
    const keys = await listIssuerKeys(c.get('deps'), c.get('actor'), org.orgId);
    return render(
      c,
      '署名鍵の更新の確認',
      <RotateConfirmPage
        org={org}
        csrf={c.get('csrfToken')}
        active={keys.find((k) => k.status === 'active')}
      />,
    );
  });

  app.post('/issuer/rotate', async (c) => {
    const values = await formStrings(c);
    const org = await orgContext(c, values.orgId ?? '');
    requireCan(org, 'badges.manage');
    // Only from the confirmation page: a bare POST shows it again rather than rotating.
    if (values.confirmed !== 'yes') return redirect(c, staffPaths.rotate(org.orgId));
    try {
      await rotateIssuerKey(c.get('deps'), c.get('actor'), { orgId: org.orgId });
    } catch (e) {
      if (!isAppError(e, 'CONFLICT')) throw e;
      const keys = await listIssuerKeys(c.get('deps'), c.get('actor'), org.orgId);
      return render(
        c,
        '署名鍵の更新の確認',
        <RotateConfirmPage
          org={org}
          csrf={c.get('csrfToken')}
          active={keys.find((k) => k.status === 'active')}
          error={e.messageJa}
        />,
        409,
      );
    }
    return redirect(c, `${staffPaths.issuer(org.orgId)}&done=rotated`);
  });
}
