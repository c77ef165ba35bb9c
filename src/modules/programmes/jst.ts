/**
 * Japan Standard Time for the programme forms. Windows are entered in <input type="datetime-local">, which
 * sends a wall-clock time with no zone ('2026-07-01T10:00'); the secretariat and every applicant mean Japan
 * time, whatever zone the server runs in. Japan has kept UTC+9 without daylight saving since 1951, so a fixed
 * offset is exact for any date a programme can have (fiscal years from 2022).
 */
const JST_OFFSET_MS = 9 * 3_600_000;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * '2026-07-01T10:00' (or with ':ss') read as Japan time → the instant, or null for anything that is not a
 * real calendar time (2026-02-30, 24:00, a zone suffix, blank).
 */
export function parseJstLocal(value: string): Date | null {
  const m = LOCAL.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (h > 23 || mi > 59 || s > 59) return null;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over to 03-02: a round trip that changes the day means it did not exist.
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return new Date(utc - JST_OFFSET_MS);
}

/** The instant as a datetime-local value in Japan time ('2026-07-01T10:00', seconds only when not zero). */
export function toJstLocal(d: Date | null | undefined): string {
  if (!d) return '';
  const iso = new Date(d.getTime() + JST_OFFSET_MS).toISOString(); // the JST wall clock, labelled Z
  const seconds = iso.slice(17, 19);
  return seconds === '00' ? iso.slice(0, 16) : iso.slice(0, 19);
}

/** 'YYYY-MM-DD' that is a real calendar date, else null. */
export function parseDateOnly(value: string): string | null {
  const m = DATE.exec(value.trim());
  if (!m) return null;
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return m[0];
}

/** The Japanese fiscal year (年度, April to March) that the instant falls in, in Japan time. */
export function fiscalYearOf(d: Date): number {
  const jst = new Date(d.getTime() + JST_OFFSET_MS);
  const y = jst.getUTCFullYear();
  return jst.getUTCMonth() < 3 ? y - 1 : y;
}
