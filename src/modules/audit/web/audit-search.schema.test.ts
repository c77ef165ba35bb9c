import { describe, expect, it } from 'vitest';
import { validate } from '../../../web/forms.js';
import { auditSearchSchema, jstDayStart, toFilter, toQuery } from './audit-search.schema.js';

describe('audit search form', () => {
  it('reads dates as Japanese calendar days, the end day inclusive', () => {
    expect(jstDayStart('2026-04-01')?.toISOString()).toBe('2026-03-31T15:00:00.000Z');
    expect(jstDayStart('2026-02-30')).toBeNull();
    expect(jstDayStart('2026-13-01')).toBeNull();
    expect(jstDayStart('2026/04/01')).toBeNull();
    const r = validate(auditSearchSchema, { from: '2026-04-01', to: '2026-04-01' });
    if (!r.ok) throw new Error('expected valid');
    const f = toFilter(r.data);
    expect(f.from?.toISOString()).toBe('2026-03-31T15:00:00.000Z');
    expect(f.to?.toISOString()).toBe('2026-04-01T15:00:00.000Z');
  });

  it('normalises and checks fields, with Japanese messages', () => {
    const r = validate(auditSearchSchema, {
      actor: ' Ａdmin@Example.JP ',
      action: ' ｉｄｅｎｔｉｔｙ. ',
      page: 'x',
    });
    expect(r.ok && r.data).toMatchObject({ actor: 'admin@example.jp', action: 'identity.', page: 1 });
    const bad = validate(auditSearchSchema, { from: '2026-05-01', to: '2026-04-01', org: "1' or '1'='1" });
    expect(!bad.ok && bad.errors.to).toBe('終了日は開始日と同じか、それより後の日付にしてください');
    expect(!bad.ok && bad.errors.org).toBe('組織を一覧から選択してください');
    const date = validate(auditSearchSchema, { from: 'yesterday' });
    expect(!date.ok && date.errors.from).toContain('2026-04-01 の形式');
  });

  it('writes the search back as a query string without empty fields', () => {
    const r = validate(auditSearchSchema, { action: 'a&b', actor: '', page: '3' });
    if (!r.ok) throw new Error('expected valid');
    expect(toQuery(r.data)).toBe('?action=a%26b');
    expect(toQuery(r.data, 2)).toBe('?action=a%26b&page=2');
    const empty = validate(auditSearchSchema, {});
    if (!empty.ok) throw new Error('expected valid');
    expect(toQuery(empty.data)).toBe('');
  });
});
