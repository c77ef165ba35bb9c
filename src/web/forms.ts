import { z } from 'zod';
import type { FieldErrors } from '../lib/errors.js';
import type { AppContext } from './context.js';

// zod answers in Japanese by default (STYLE.md 2); schemas still give their own messages where it helps.
z.config(z.locales.ja());

export type FormResult<T> =
  | { ok: true; data: T; values: Record<string, string> }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** Parses an urlencoded/multipart form with a zod schema; on failure returns per-field Japanese messages. */
export async function parseForm<S extends z.ZodType>(
  c: AppContext,
  schema: S,
): Promise<FormResult<z.infer<S>>> {
  const body = await c.req.parseBody({ all: true });
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
