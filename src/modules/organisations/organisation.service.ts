import type { OrganisationKind, Role } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { audit } from '../audit/audit.service.js';
import * as invitationRepo from './invitation.repository.js';
import { authorize, can } from './organisation.policy.js';
import * as repo from './organisation.repository.js';
import type { OrganisationInput } from './organisation.schema.js';
import { orgNotFound, orgScope } from './organisation.scope.js';
import { prefectureName } from './prefectures.js';

// Use cases about organisations themselves. Memberships and invitations: membership.service.ts,
// invitation.service.ts. Each: authorise → one transaction → audit row (STYLE.md 1).

export type OrganisationView = {
  id: string;
  kind: OrganisationKind;
  name: string;
  nameEn: string | null;
  prefectureCode: number | null;
  prefectureName: string;
  status: 'active' | 'archived';
};

export type OrganisationListItem = OrganisationView & { memberCount: number; canView: boolean };

export type MemberView = {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  active: boolean;
  since: Date;
};
export type InvitationView = { id: string; email: string; role: Role; createdAt: Date; expiresAt: Date };

export type OrganisationDetail = {
  org: OrganisationView;
  members: MemberView[];
  invitations: InvitationView[];
  allowed: { edit: boolean; invite: boolean; changeRole: boolean; remove: boolean };
};

function present(r: {
  id: string;
  kind: OrganisationKind;
  name: string;
  name_en: string | null;
  prefecture_code: number | null;
  status: 'active' | 'archived';
}): OrganisationView {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    nameEn: r.name_en,
    prefectureCode: r.prefecture_code,
    prefectureName: prefectureName(r.prefecture_code),
    status: r.status,
  };
}

const nameTaken = () =>
  new AppError('VALIDATION', 'この組織名は既に登録されています', {
    fields: { name: 'この組織名は既に登録されています' },
  });

export async function listOrganisations(
  deps: Deps,
  actor: Actor,
  filter: { kind?: OrganisationKind | undefined } = {},
): Promise<OrganisationListItem[]> {
  authorize(actor, 'organisations.list');
  const rows = await repo.listOrganisations(deps.db, filter);
  return rows.map((r) => ({
    ...present(r),
    memberCount: r.member_count,
    canView: can(actor, 'organisations.view', { orgId: r.id }),
  }));
}

/** One organisation with its members and open invitations, as far as the actor may see them. */
export async function getOrganisation(deps: Deps, actor: Actor, orgId: string): Promise<OrganisationDetail> {
  const scope = await orgScope(deps, actor, 'organisations.view', orgId);
  const row = await repo.findOrganisation(deps.db, scope);
  if (!row) throw orgNotFound();
  const seeMembers = can(actor, 'memberships.list', scope);
  const [members, invitations] = seeMembers
    ? await Promise.all([
        repo.listMembers(deps.db, scope),
        invitationRepo.listPendingInvitations(deps.db, scope, deps.clock.now()),
      ])
    : [[], []];
  return {
    org: present(row),
    members: members.map((m) => ({
      userId: m.user_id,
      email: m.email,
      displayName: m.display_name,
      role: m.role,
      active: m.status === 'active',
      since: m.created_at,
    })),
    invitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      createdAt: i.created_at,
      expiresAt: i.expires_at,
    })),
    allowed: {
      edit: can(actor, 'organisations.update', scope),
      invite: can(actor, 'memberships.invite', scope),
      changeRole: can(actor, 'memberships.changeRole', scope),
      remove: can(actor, 'memberships.remove', scope),
    },
  };
}

export async function createOrganisation(
  deps: Deps,
  actor: Actor,
  input: OrganisationInput,
): Promise<string> {
  authorize(actor, 'organisations.create');
  return transaction(deps, async (tx) => {
    const id = await repo.insertOrganisation(tx, input);
    if (!id) throw nameTaken();
    // "prefecture", not "prefectureCode": audit() redacts keys that look like secrets (…code).
    await audit(
      deps,
      tx,
      actor,
      'organisations.created',
      { type: 'organisation', id },
      {
        name: input.name,
        nameEn: input.nameEn,
        kind: input.kind,
        prefecture: input.prefectureCode,
      },
    );
    return id;
  });
}

export async function updateOrganisation(
  deps: Deps,
  actor: Actor,
  orgId: string,
  input: OrganisationInput,
): Promise<void> {
  const scope = await orgScope(deps, actor, 'organisations.update', orgId);
  await transaction(deps, async (tx) => {
    if (!(await repo.lockOrganisation(tx, scope))) throw orgNotFound();
    const before = await repo.findOrganisation(tx, scope);
    if (!before) throw orgNotFound();
    if (await repo.isNameTaken(tx, input.name, scope.orgId)) throw nameTaken();
    await repo.updateOrganisation(tx, scope, input, deps.clock.now());
    // The audit row says what changed, so the log reads without the previous version at hand.
    const was = {
      name: before.name,
      nameEn: before.name_en,
      kind: before.kind,
      prefecture: before.prefecture_code,
    };
    const now = {
      name: input.name,
      nameEn: input.nameEn,
      kind: input.kind,
      prefecture: input.prefectureCode,
    };
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of Object.keys(was) as (keyof typeof was)[]) {
      if (was[k] !== now[k]) changed[k] = { from: was[k], to: now[k] };
    }
    await audit(
      deps,
      tx,
      actor,
      'organisations.updated',
      { type: 'organisation', id: scope.orgId },
      { changed },
    );
  });
}
