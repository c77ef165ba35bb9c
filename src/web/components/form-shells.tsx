import type { Child } from 'hono/jsx';
import { CsrfField } from './form.js';

// The <form> elements around the fields (form.tsx). Every POST carries the CSRF token (web/middleware/csrf.ts)
// and turns the browser's own validation off: the server's messages, tied to each field, are the ones shown
// (STYLE.md 3), and they are the same with or without JavaScript.

/** A form that changes something: the fields, then its one submit button. */
export function PostForm(p: {
  action: string;
  csrf: string;
  submit: string;
  secondary?: boolean;
  children: Child;
}) {
  return (
    <form method="post" action={p.action} novalidate>
      <CsrfField token={p.csrf} />
      {p.children}
      <button type="submit" class={p.secondary ? 'button button-secondary' : 'button'}>
        {p.submit}
      </button>
    </form>
  );
}

/** A one-button POST for the small actions of a list or table row (move, remove, revoke). */
export function SmallPost(p: {
  action: string;
  csrf: string;
  label: string;
  variant?: 'secondary' | 'danger';
  children?: Child;
}) {
  return (
    <form method="post" action={p.action} class="inline-form">
      <CsrfField token={p.csrf} />
      {p.children}
      <button
        type="submit"
        class={p.variant ? `button button-small button-${p.variant}` : 'button button-small'}
      >
        {p.label}
      </button>
    </form>
  );
}

/**
 * A GET form that narrows or searches a list: its fields in a row, then the button. The conditions stay in
 * the URL, so a filtered list can be bookmarked, shared and paged.
 */
export function FilterForm(p: { action: string; submit?: string; primary?: boolean; children: Child }) {
  return (
    <form method="get" action={p.action} class="filter-form" novalidate>
      {p.children}
      <button type="submit" class={p.primary ? 'button' : 'button button-secondary'}>
        {p.submit ?? '絞り込む'}
      </button>
    </form>
  );
}
