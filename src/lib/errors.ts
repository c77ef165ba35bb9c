/** Stable error codes. web/error-status.ts maps each to an HTTP status; tests assert codes, not text. */
export type ErrorCode =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_STATE'
  | 'RATE_LIMITED'
  | 'CSRF'
  | 'PAYLOAD_TOO_LARGE'
  | 'REAUTH_REQUIRED'
  | 'UNAVAILABLE';

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly messageJa: string;
  readonly fields: FieldErrors | undefined;

  constructor(code: ErrorCode, messageJa: string, opts: { fields?: FieldErrors; cause?: unknown } = {}) {
    super(`${code}: ${messageJa}`, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.messageJa = messageJa;
    this.fields = opts.fields;
  }
}

export function isAppError(e: unknown, code?: ErrorCode): e is AppError {
  return e instanceof AppError && (code === undefined || e.code === code);
}

/** True for errors that mean the database is not reachable (as opposed to a bug or a constraint). */
export function isDatabaseUnavailable(e: unknown): boolean {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const err = cur as { code?: unknown; message?: unknown; cause?: unknown };
    const code = typeof err.code === 'string' ? err.code : '';
    const msg = typeof err.message === 'string' ? err.message : '';
    if (
      [
        'ECONNREFUSED',
        'ECONNRESET',
        'ETIMEDOUT',
        'EPIPE',
        'ENOTFOUND',
        '57P01',
        '57P02',
        '57P03',
        '08006',
        '08001',
        '08003',
        '08004',
      ].includes(code)
    )
      return true;
    if (
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|PGlite (instance )?is (already )?closed|driver has already been destroyed|Client has encountered a connection error/i.test(
        msg,
      )
    )
      return true;
    cur = err.cause;
  }
  return false;
}
