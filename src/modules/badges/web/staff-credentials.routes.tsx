import type { Hono } from 'hono';
import { type FieldErrors, isAppError } from '../../../lib/errors.js';
import { normalizeMultiline } from '../../../lib/text.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { redirect, render } from '../../../web/render.js';
import { getAchievement, listAchievements } from '../achievement.service.js';
import {
  getIssuedBadge,
  type IssuedBadgeDetail,
  issuedFilterSchema,
  listIssuedBadges,
} from '../badge-list.service.js';
import { correctBadge, revokeBadge } from '../revocation.service.js';
import { CorrectPage, REVOKE_REASON_MAX, RevokePage } from './staff-credential-actions.page.js';
import { CREDENTIAL_DONE, CredentialDetailPage, CredentialListPage } from './staff-credentials.page.js';
import {
  doneMessage,
  formErrors,
  formStrings,
  idParam,
  type OrgContext,
  orgContext,
  requireCan,
  staffPaths,
} from './staff-shared.js';

// /admin/badges/credentials…: the organisation's issued badges, one badge, revoking it (reason, then a
// confirmation page) and correcting it (re-issue). revocation.service.ts authorises, scopes and audits.

async function revocable(c: AppContext): Promise<{ b: IssuedBadgeDetail; org: OrgContext }> {
  const b = await getIssuedBadge(c.get('deps'), c.get('actor'), idParam(c, 'id', 'バッジ'));
  const org = await orgContext(c, b.orgId);
  requireCan(org, 'badges.revoke');
  return { b, org };
}

function revokePage(
  c: AppContext,
  m: { b: IssuedBadgeDetail; org: OrgContext },
  step: 'form' | 'confirm',
  values: Record<string, string>,
  errors?: FieldErrors,
  status: 200 | 409 | 422 = 200,
) {
  return render(
    c,
    step === 'confirm' ? 'バッジの取り消しの確認' : 'バッジの取り消し',
    <RevokePage org={m.org} csrf={c.get('csrfToken')} b={m.b} step={step} values={values} errors={errors} />,
    status,
  );
}

async function correctPage(
  c: AppContext,
  m: { b: IssuedBadgeDetail; org: OrgContext },
  values: Record<string, string>,
  errors?: FieldErrors,
  status: 200 | 409 | 422 = 200,
) {
  const a = await getAchievement(c.get('deps'), c.get('actor'), m.b.achievementId);
  return render(
    c,
    'バッジの訂正',
    <CorrectPage
      org={m.org}
      csrf={c.get('csrfToken')}
      b={m.b}
      publishedVersion={a.published?.version ?? null}
      values={values}
      errors={errors}
    />,
    status,
  );
}

/** The reason as revocation.service.ts takes it (the service checks again; this gives the message first). */
function reasonError(reason: string): string | null {
  const r = normalizeMultiline(reason);
  if (!r) return '取り消しの理由を入力してください';
  if (r.length > REVOKE_REASON_MAX) return `${REVOKE_REASON_MAX}文字以内で入力してください`;
  return null;
}

export function registerCredentialRoutes(app: Hono<AppEnv>) {
  app.get('/credentials', async (c) => {
    const org = await orgContext(c);
    const filter = issuedFilterSchema.parse(c.req.query());
    const deps = c.get('deps');
    const [list, achievements] = await Promise.all([
      listIssuedBadges(deps, c.get('actor'), { orgId: org.orgId, ...filter }),
      listAchievements(deps, c.get('actor'), { orgId: org.orgId }),
    ]);
    return render(
      c,
      '発行済みバッジ',
      <CredentialListPage org={org} list={list} filter={filter} achievements={achievements} />,
    );
  });

  app.get('/credentials/:id', async (c) => {
    const b = await getIssuedBadge(c.get('deps'), c.get('actor'), idParam(c, 'id', 'バッジ'));
    const org = await orgContext(c, b.orgId);
    return render(
      c,
      '発行済みバッジ',
      <CredentialDetailPage org={org} b={b} done={doneMessage(c, CREDENTIAL_DONE)} />,
    );
  });

  app.get('/credentials/:id/revoke', async (c) => {
    const m = await revocable(c);
    if (m.b.revokedAt) return redirect(c, staffPaths.credential(m.b.id));
    return revokePage(c, m, 'form', {});
  });

  app.post('/credentials/:id/revoke', async (c) => {
    const m = await revocable(c);
    const values = await formStrings(c);
    const reason = values.reason ?? '';
    const problem = reasonError(reason);
    if (problem) return revokePage(c, m, 'form', values, { reason: problem }, 422);
    if (values.confirmed !== 'yes')
      return revokePage(c, m, 'confirm', { reason: normalizeMultiline(reason) });
    try {
      await revokeBadge(c.get('deps'), c.get('actor'), { credentialId: m.b.id, reason });
    } catch (e) {
      if (isAppError(e, 'VALIDATION')) return revokePage(c, m, 'form', values, formErrors(e), 422);
      if (isAppError(e, 'INVALID_STATE'))
        return revokePage(c, m, 'form', values, { _form: e.messageJa }, 409);
      throw e;
    }
    return redirect(c, `${staffPaths.credential(m.b.id)}?done=revoked`);
  });

  app.get('/credentials/:id/correct', async (c) => {
    const m = await revocable(c);
    if (m.b.revokedAt) return redirect(c, staffPaths.credential(m.b.id));
    return correctPage(c, m, {
      name: m.b.recipientName,
      email: m.b.recipientEmail,
      evidenceUrl: m.b.evidenceUrl ?? '',
      narrative: m.b.narrative ?? '',
    });
  });

  app.post('/credentials/:id/correct', async (c) => {
    const m = await revocable(c);
    const values = await formStrings(c);
    try {
      const r = await correctBadge(c.get('deps'), c.get('actor'), {
        credentialId: m.b.id,
        name: values.name ?? '',
        email: values.email ?? '',
        evidenceUrl: values.evidenceUrl ?? '',
        narrative: values.narrative ?? '',
        useCurrentVersion: values.useCurrentVersion === 'yes',
        note: values.note ?? '',
      });
      return redirect(c, `${staffPaths.credential(r.credentialId)}?done=corrected`);
    } catch (e) {
      if (isAppError(e, 'VALIDATION')) return correctPage(c, m, values, formErrors(e), 422);
      if (isAppError(e, 'INVALID_STATE') || isAppError(e, 'CONFLICT'))
        return correctPage(c, m, values, { _form: e.messageJa }, 409);
      throw e;
    }
  });
}
