import { z } from 'zod';
import type { FieldErrors } from '../lib/errors.js';
import type { AppContext } from './context.js';

// zod answers in Japanese by default (STYLE.md 2); schemas still give their own messages where it helps.
z.config(z.locales.ja());

export type FormResult<T> =
  | { ok: true; data: T; values: Record<string, string> }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

export type FormFields = Record<string, string | File | (string | File)[]>;

const formCache = new WeakMap<Request, Promise<FormFields>>();

/**
 * The posted form, as Hono's `parseBody({ all: true })` gives it (a repeated name, or one ending in `[]`, as
 * an array), read once per request however many readers ask (the CSRF check, then the route). An urlencoded
 * body — every form without a file — is decoded with URLSearchParams (the same WHATWG parser FormData uses)
 * from the body text, which @hono/node-server reads straight off the socket; multipart goes through Hono.
 */
export function formFields(c: AppContext): Promise<FormFields> {
  const raw = c.req.raw;
  let form = formCache.get(raw);
  if (!form) {
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    form =
      type === 'application/x-www-form-urlencoded'
        ? c.req.text().then(urlencodedFields)
        : (c.req.parseBody({ all: true }) as Promise<FormFields>);
    formCache.set(raw, form);
  }
  return form;
}

function urlencodedFields(text: string): FormFields {
  const out: FormFields = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) {
    const had = out[k];
    if (had === undefined) out[k] = k.endsWith('[]') ? [v] : v;
    else if (Array.isArray(had)) had.push(v);
    else out[k] = [had, v];
  }
  return out;
}

/** Parses an urlencoded/multipart form with a zod schema; on failure returns per-field Japanese messages. */
export async function parseForm<S extends z.ZodType>(
  c: AppContext,
  schema: S,
): Promise<FormResult<z.infer<S>>> {
  const body = await formFields(c);
  const values: Record<string, string> = {};
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === '_csrf') continue;
    if (Array.isArray(v)) {
      input[k] = v.filter((x) => typeof x === 'string');
      values[k] = String((input[k] as string[])[0] ?? '');
    } else if (typeof v === 'string') {
      input[k] = v;
      values[k] = v;
    } else {
      input[k] = v; // File
    }
  }
  return validate(schema, input, values);
}

export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  values: Record<string, string> = {},
): FormResult<z.infer<S>> {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, data: r.data, values };
  return { ok: false, errors: fieldErrors(r.error), values };
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : '_form';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
