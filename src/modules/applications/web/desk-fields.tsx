import type { Child } from 'hono/jsx';
import { AppError } from '../../../lib/errors.js';
import { CsrfField } from '../../../web/components/form.js';
import type { AppContext } from '../../../web/context.js';
import { isUuid } from '../desk.scope.js';

// Small pieces shared by the desk pages. The shared components (web/components/form.tsx) have no textarea;
// this one follows the same pattern (label, ※必須, hint and error tied by aria-describedby).

export function TextAreaField(p: {
  name: string;
  id?: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  hint?: string;
  required?: boolean;
  maxLength: number;
  rows?: number;
}) {
  const id = p.id ?? `f-${p.name}`;
  const described = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={p.error ? 'field field-error' : 'field'}>
      <label for={id}>
        {p.label}
        {p.required ? <span class="required">※必須</span> : null}
      </label>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="error-message" id={`${id}-error`}>
          {p.error}
        </p>
      ) : null}
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 6}
        maxlength={p.maxLength}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      >
        {p.value ?? ''}
      </textarea>
    </div>
  );
}

/** A one-button POST form (CSRF token included), for the small actions of lists. */
export function SmallPost(p: {
  action: string;
  csrf: string;
  label: string;
  secondary?: boolean;
  children?: Child;
}) {
  return (
    <form method="post" action={p.action} class="inline-form">
      <CsrfField token={p.csrf} />
      {p.children}
      <button
        type="submit"
        class={p.secondary ? 'button button-small button-secondary' : 'button button-small'}
      >
        {p.label}
      </button>
    </form>
  );
}

/** Path ids are checked before they reach a query: a malformed one is simply "not found". */
export function idParam(c: AppContext, name: string): string {
  const v = c.req.param(name) ?? '';
  if (!isUuid(v)) throw new AppError('NOT_FOUND', '見つかりません');
  return v;
}

/** ?done=… → a fixed message (never text from the URL itself); ?n= only as a number. */
export function doneMessage(c: AppContext, table: Record<string, string>): string | undefined {
  const msg = table[c.req.query('done') ?? ''];
  if (!msg) return undefined;
  const n = Number.parseInt(c.req.query('n') ?? '', 10);
  return msg.replace('{n}', Number.isSafeInteger(n) && n >= 0 ? String(n) : '');
}

export const DESK_BASE = '/admin/applications';
export const programmePath = (id: string) => `${DESK_BASE}/programmes/${id}`;
export const applicationPath = (id: string) => `${DESK_BASE}/${id}`;

export function ProgrammeNav(p: {
  programmeId: string;
  current: 'list' | 'rubric' | 'ranking' | null;
  templates?: boolean;
}) {
  const base = programmePath(p.programmeId);
  const items = [
    { key: 'list', href: base, label: '申込み一覧' },
    { key: 'rubric', href: `${base}/rubric`, label: '評価基準' },
    { key: 'ranking', href: `${base}/ranking`, label: '評価ランキング' },
  ];
  return (
    <nav class="desk-nav" aria-label="このプログラムの申込み管理">
      <ul>
        <li>
          <a href={DESK_BASE}>プログラムの一覧</a>
        </li>
        {items.map((i) => (
          <li>
            <a href={i.href} aria-current={i.key === p.current ? 'page' : undefined}>
              {i.label}
            </a>
          </li>
        ))}
        {p.templates ? (
          <li>
            <a href={`${DESK_BASE}/templates`}>決定通知メールの文面</a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
