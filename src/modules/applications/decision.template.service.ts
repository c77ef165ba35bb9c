import type { DecisionKind } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { audit } from '../audit/audit.service.js';
import { renderMail } from '../notifications/mail.templates.js';
import * as repo from './decision.repository.js';
import { DECISION_KIND_LABEL, DECISION_KINDS, DEFAULT_DECISION_TEXT } from './decision.templates.js';
import { authorize, requireStaff } from './desk.policy.js';

// The organisation's decision mail texts (issue 3, item 4: "templates the organisation can edit"). The
// organisation is the actor's own, from the session: there is no organisation id in these URLs to edit.

export type DecisionTemplateView = {
  kind: DecisionKind;
  label: string;
  body: string;
  isDefault: boolean;
  updatedAt: Date | null;
  updatedBy: string | null;
  /** The mail as an applicant would get it, with sample values. */
  sample: { subject: string; text: string };
};

const SAMPLE = {
  氏名: '山田 花子',
  プログラム名: '(プログラム名)',
  申込番号: 'DXQ-2026-000001',
  組織名: '(組織名)',
};

function ownOrg(actor: Actor) {
  const staff = requireStaff(actor);
  authorize(staff, 'desk.templates', { orgId: staff.org.id });
  return staff;
}

export async function listDecisionTemplates(deps: Deps, actor: Actor): Promise<DecisionTemplateView[]> {
  const staff = ownOrg(actor);
  const rows = await repo.listTemplates(deps.db, staff.org.id);
  return DECISION_KINDS.map((kind) => {
    const row = rows.find((r) => r.kind === kind);
    const body = row?.body ?? DEFAULT_DECISION_TEXT[kind];
    return {
      kind,
      label: DECISION_KIND_LABEL[kind],
      body,
      isDefault: !row,
      updatedAt: row?.updated_at ?? null,
      updatedBy: row?.updated_by_name ?? null,
      sample: renderMail('application_decision', {
        kind,
        text: body,
        values: { ...SAMPLE, 組織名: staff.org.name },
      }),
    };
  });
}

export async function updateDecisionTemplate(
  deps: Deps,
  actor: Actor,
  kind: DecisionKind,
  body: string,
): Promise<void> {
  const staff = ownOrg(actor);
  await transaction(deps, async (tx) => {
    await repo.upsertTemplate(tx, {
      orgId: staff.org.id,
      kind,
      body,
      by: staff.userId,
      at: deps.clock.now(),
    });
    await audit(
      deps,
      tx,
      actor,
      'applications.templates.updated',
      { type: 'organisation', id: staff.org.id },
      { kind, length: body.length },
    );
  });
}

export async function resetDecisionTemplate(deps: Deps, actor: Actor, kind: DecisionKind): Promise<void> {
  const staff = ownOrg(actor);
  await transaction(deps, async (tx) => {
    const had = await repo.deleteTemplate(tx, staff.org.id, kind);
    if (had)
      await audit(
        deps,
        tx,
        actor,
        'applications.templates.reset',
        { type: 'organisation', id: staff.org.id },
        { kind },
      );
  });
}
