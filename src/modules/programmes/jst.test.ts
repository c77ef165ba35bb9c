import { afterEach, describe, expect, it } from 'vitest';
import { fiscalYearOf, parseDateOnly, parseJstLocal, toJstLocal } from './jst.js';

describe('Japan time for datetime-local inputs', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('reads a wall-clock time as JST, whatever the server zone', () => {
    for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo', 'Pacific/Kiritimati']) {
      process.env.TZ = tz;
      expect(parseJstLocal('2026-07-01T10:00')?.toISOString()).toBe('2026-07-01T01:00:00.000Z');
      expect(parseJstLocal('2026-07-01T10:00:30')?.toISOString()).toBe('2026-07-01T01:00:30.000Z');
    }
  });

  it('crosses the date line backwards: JST midnight is the previous day in UTC', () => {
    expect(parseJstLocal('2027-01-01T00:00')?.toISOString()).toBe('2026-12-31T15:00:00.000Z');
    expect(parseJstLocal('2026-03-31T23:59:59')?.toISOString()).toBe('2026-03-31T14:59:59.000Z');
  });

  it('has no daylight-saving gap or overlap (US and EU change dates read like any other day)', () => {
    expect(parseJstLocal('2026-03-08T02:30')?.toISOString()).toBe('2026-03-07T17:30:00.000Z');
    expect(parseJstLocal('2026-10-25T02:30')?.toISOString()).toBe('2026-10-24T17:30:00.000Z');
  });

  it('refuses what is not a real time', () => {
    for (const bad of [
      '',
      '2026-02-30T10:00',
      '2026-13-01T10:00',
      '2026-07-01T24:00',
      '2026-07-01T10:60',
      '2026-07-01 10:00',
      '2026-07-01T10:00Z',
      '2026-07-01T10:00+09:00',
      '2026/07/01T10:00',
      'tomorrow',
    ]) {
      expect(parseJstLocal(bad), bad).toBeNull();
    }
    expect(parseJstLocal('2028-02-29T12:00')).not.toBeNull(); // a leap day
    expect(parseJstLocal('2027-02-29T12:00')).toBeNull();
  });

  it('writes an instant back as the JST wall clock, round-tripping', () => {
    process.env.TZ = 'America/New_York';
    expect(toJstLocal(new Date('2026-07-01T01:00:00Z'))).toBe('2026-07-01T10:00');
    expect(toJstLocal(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01T00:00');
    expect(toJstLocal(new Date('2026-07-01T01:00:30Z'))).toBe('2026-07-01T10:00:30');
    expect(toJstLocal(null)).toBe('');
    for (const v of ['2026-07-01T10:00', '2027-01-01T00:00', '2026-08-31T23:59:59']) {
      expect(toJstLocal(parseJstLocal(v))).toBe(v);
    }
  });

  it('checks calendar dates', () => {
    expect(parseDateOnly('2026-08-01')).toBe('2026-08-01');
    expect(parseDateOnly(' 2026-08-01 ')).toBe('2026-08-01');
    expect(parseDateOnly('2026-02-29')).toBeNull();
    expect(parseDateOnly('2026-8-1')).toBeNull();
  });

  it('knows the fiscal year (年度, April–March) in Japan time', () => {
    expect(fiscalYearOf(new Date('2026-03-31T14:59:59Z'))).toBe(2025); // 23:59:59 on 31 March JST
    expect(fiscalYearOf(new Date('2026-03-31T15:00:00Z'))).toBe(2026); // 00:00 on 1 April JST
    expect(fiscalYearOf(new Date('2027-01-15T00:00:00Z'))).toBe(2026);
  });
});
