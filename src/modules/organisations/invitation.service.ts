import type { OrganisationKind, Role } from '../../db/schema.js';
import { type Deps, transaction } from '../../deps.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import { hashToken } from '../../lib/tokens.js';
import { audit } from '../audit/audit.service.js';
import { createStaffAccount } from '../identity/account.service.js';
import * as invitations from './invitation.repository.js';
import * as repo from './organisation.repository.js';
import type { AcceptInvitationInput } from './organisation.schema.js';

// Accepting an invitation: the link's token is the credential, so there is no policy check beyond holding
// it; what the holder may do is fixed by the invitation (this address, this organisation, this role).

export type InvitationState = 'pending' | 'accepted' | 'revoked' | 'expired';

export type InvitationPage = {
  state: InvitationState;
  orgName: string;
  orgKind: OrganisationKind;
  role: Role;
  email: string;
  /** Whether the address already has an account: then the invitee signs in and accepts with one button. */
  account: 'none' | 'staff' | 'other';
  /** Who is signed in, relative to the invitation. */
  viewer: 'anonymous' | 'invitee' | 'someone_else';
};

/** base64url of 32 random bytes (lib/tokens.ts newToken); anything else cannot be ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function stateOf(inv: invitations.InvitationRow, now: Date): InvitationState {
  if (inv.accepted_at) return 'accepted';
  if (inv.revoked_at || inv.org_status !== 'active') return 'revoked';
  if (inv.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'pending';
}

function viewerOf(actor: Actor, email: string): InvitationPage['viewer'] {
  if (actor.type === 'anonymous' || actor.type === 'system') return 'anonymous';
  return actor.email === email ? 'invitee' : 'someone_else';
}

/** What the invitation page shows; undefined for a token that was never issued. */
export async function viewInvitation(
  deps: Deps,
  actor: Actor,
  token: string,
): Promise<InvitationPage | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const inv = await invitations.findInvitationByTokenHash(deps.db, hashToken(token));
  if (!inv) return undefined;
  const account = await repo.findAccountByEmail(deps.db, inv.email);
  return {
    state: stateOf(inv, deps.clock.now()),
    orgName: inv.org_name,
    orgKind: inv.org_kind,
    role: inv.role,
    email: inv.email,
    account: !account ? 'none' : account.kind === 'staff' && account.status === 'active' ? 'staff' : 'other',
    viewer: viewerOf(actor, inv.email),
  };
}

export const invitationGone = () =>
  new AppError('INVALID_STATE', 'この招待は使用済み、取り消し済み、または有効期限切れです。');

/**
 * Accepts an invitation, once. Two ways:
 * - nobody signed in and no account for the address yet: `input` creates the staff account (it enrols TOTP
 *   at its first sign-in) and its membership;
 * - the invitee is signed in with the invited address: their existing account joins the organisation.
 * The invitation row is locked first, so a link used twice at once succeeds once.
 */
export async function acceptInvitation(
  deps: Deps,
  actor: Actor,
  token: string,
  input: AcceptInvitationInput | null,
): Promise<{ orgId: string; newAccount: boolean }> {
  if (!TOKEN_SHAPE.test(token)) throw new AppError('NOT_FOUND', '招待が見つかりません');
  const now = deps.clock.now();
  return transaction(deps, async (tx) => {
    const inv = await invitations.findInvitationByTokenHash(tx, hashToken(token), { lock: true });
    if (!inv) throw new AppError('NOT_FOUND', '招待が見つかりません');
    if (stateOf(inv, now) !== 'pending') throw invitationGone();
    const viewer = viewerOf(actor, inv.email);
    if (viewer === 'someone_else') {
      throw new AppError(
        'FORBIDDEN',
        '別のアカウントでログインしています。ログアウトしてから、もう一度招待のリンクを開いてください。',
      );
    }
    let userId: string;
    if (viewer === 'invitee' && actor.type === 'staff') {
      userId = actor.userId;
    } else if (viewer === 'invitee') {
      throw new AppError(
        'FORBIDDEN',
        'このメールアドレスは受講生アカウントで使われているため、招待を承諾できません。事務局にお問い合わせください。',
      );
    } else {
      if (await repo.findAccountByEmail(tx, inv.email)) {
        throw new AppError(
          'CONFLICT',
          'このメールアドレスのアカウントは既にあります。ログインしてから招待を承諾してください。',
        );
      }
      if (!input) throw new AppError('VALIDATION', '氏名とパスワードを入力してください');
      userId = await createStaffAccount(deps, tx, { email: inv.email, ...input });
    }
    const scope: repo.OrgScope = { orgId: inv.organisation_id }; // from the invitation, which the token names
    await repo.insertMembership(tx, scope, userId, inv.role);
    if (!(await invitations.markInvitationAccepted(tx, inv.id, userId, now))) throw invitationGone();
    await audit(
      deps,
      tx,
      actor,
      'memberships.invitation_accepted',
      { type: 'invitation', id: inv.id },
      {
        organisationId: inv.organisation_id,
        userId,
        role: inv.role,
        newAccount: viewer === 'anonymous',
      },
    );
    return { orgId: inv.organisation_id, newAccount: viewer === 'anonymous' };
  });
}
