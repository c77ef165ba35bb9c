import type { OrganisationKind, Role } from '../db/schema.js';

/** Who is acting. Built by the actor middleware from the server-side session, never from the request body. */
export type RequestMeta = { ip: string | null; requestId: string | null };

export type AnonymousActor = RequestMeta & { type: 'anonymous' };
export type LearnerActor = RequestMeta & {
  type: 'learner';
  userId: string;
  email: string;
  displayName: string;
};
export type StaffActor = RequestMeta & {
  type: 'staff';
  userId: string;
  email: string;
  displayName: string;
  org: { id: string; kind: OrganisationKind; name: string };
  role: Role;
};
/** The system itself (jobs, CLI, seed). */
export type SystemActor = RequestMeta & { type: 'system'; label: string };

export type Actor = AnonymousActor | LearnerActor | StaffActor | SystemActor;

export function anonymous(meta: Partial<RequestMeta> = {}): AnonymousActor {
  return { type: 'anonymous', ip: meta.ip ?? null, requestId: meta.requestId ?? null };
}

export function systemActor(label: string): SystemActor {
  return { type: 'system', label, ip: null, requestId: null };
}

export function actorUserId(a: Actor): string | null {
  return a.type === 'learner' || a.type === 'staff' ? a.userId : null;
}

export function actorOrgId(a: Actor): string | null {
  return a.type === 'staff' ? a.org.id : null;
}
