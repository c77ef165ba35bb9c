/** XML Schema dateTime in UTC, to the second (`2026-04-01T00:00:00Z`): how dxq writes every credential date. */
export function xsdDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A credential date (`validFrom`, `validUntil`, …) as a Date, or null unless it is an XML Schema dateTime
 * with a time zone, the form VC 2.0 requires (a bare date or a local time is not accepted).
 */
export function parseCredentialDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
