import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/app.js';
import { createTestEnv, dbKinds, type TestEnv } from '../../../test/db.js';
import { publishedAchievement } from '../badges.test-support.js';
import { EXPORT_PAGE_SIZE } from '../export.service.js';
import { issueBadge } from '../issue.service.js';
import { type StaffUser, staffUser } from './staff-test-support.js';

/**
 * The IPA export streamed from the database (export-download.service.ts) with more credentials than several
 * database pages, many of them sharing one award time so that page boundaries fall inside a tie: every
 * credential is in each file exactly once, each file parses, the download says how many it holds, and the
 * end of each download is audited (complete, or not when the reader stops part-way, having had at most two
 * database pages read ahead of it).
 */

/** RFC 4180 as the export writes it (every cell quoted, CRLF), parsed independently of lib/csv.ts. */
function parseQuotedCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') throw new Error(`unquoted cell at ${i}`);
    let cell = '';
    i++;
    for (;;) {
      const q = text.indexOf('"', i);
      if (q < 0) throw new Error('unterminated cell');
      cell += text.slice(i, q);
      if (text[q + 1] === '"') {
        cell += '"';
        i = q + 2;
      } else {
        i = q + 1;
        break;
      }
    }
    row.push(cell);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length) throw new Error('last line not terminated');
  return rows;
}

const CLONES = 2 * EXPORT_PAGE_SIZE + 234;

describe.each(dbKinds())('streamed IPA export on %s', (kind) => {
  let env: TestEnv;
  let app: TestApp;
  let hub: StaffUser;
  let expected: Set<string>;

  beforeAll(async () => {
    env = await createTestEnv(kind);
    app = testApp(env);
    hub = await staffUser(app, env, 'regional_hub', 'staff');
    const achievement = await publishedAchievement(env, hub.actor);
    for (const [email, format] of [
      ['stream-ldp@example.jp', 'ldp'],
      ['stream-jwt@example.jp', 'jwt'],
    ] as const) {
      await issueBadge(env, hub.actor, { achievementId: achievement.id, email, name: '受講 太郎', format });
    }
    // Copies of the issued rows under new ids (signing 1,200 badges would only slow the test down): the export
    // reads ids, dates and the stored documents, not signatures. Three award times shared by ~400 rows each.
    await sql`
      insert into credentials (id, organisation_id, achievement_version_id, issuer_key_id, recipient_email,
        recipient_name, salt, format, credential, jwt, status_list_id, status_index, valid_from, valid_until,
        awarded_at, issued_at, issued_by, baked_png, baked_svg)
      select gen_random_uuid(), c.organisation_id, c.achievement_version_id, c.issuer_key_id,
        'clone-' || g || '@example.jp', c.recipient_name, c.salt, c.format, c.credential, c.jwt, c.status_list_id,
        200000 + g, c.valid_from, c.valid_until, c.awarded_at - (g % 3) * interval '1 second', c.issued_at,
        c.issued_by, c.baked_png, c.baked_svg
      from generate_series(1, ${CLONES}) g
      cross join lateral (select * from credentials where organisation_id = ${hub.actor.org.id}
        order by recipient_email limit 1 offset (g % 2)) c`.execute(env.db);
    const ids = await env.db
      .selectFrom('credentials')
      .select('id')
      .where('organisation_id', '=', hub.actor.org.id)
      .execute();
    expected = new Set(ids.map((r) => `urn:uuid:${r.id}`));
    // Another organisation's badges stay out of the hub's file.
    const other = await staffUser(app, env, 'regional_hub', 'staff');
    await issueBadge(env, other.actor, {
      achievementId: (await publishedAchievement(env, other.actor)).id,
      email: 'other-org@example.jp',
      name: '他 花子',
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  const path = (ext: string) => `/admin/badges/export/credentials.${ext}?org=${hub.actor.org.id}`;
  const downloads = () =>
    env.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'badges.export.downloaded')
      .where('actor_user_id', '=', hub.actor.userId)
      .orderBy('id', 'desc')
      .execute();

  /** Asserts the ids are exactly the hub's credentials, each once. */
  function exactlyOnce(ids: string[]) {
    expect(ids.length).toBe(expected.size);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(expected);
  }

  it('streams JSON Lines over several database pages: every credential once', async () => {
    expect(expected.size).toBe(CLONES + 2);
    const res = await hub.client.get(path('jsonl'));
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-export-rows'))).toBe(expected.size);
    // The body arrives in pieces (a database page each), not as one buffer.
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const parts: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const text = Buffer.concat(parts).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const records = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { credentialId: string; organisationId: string });
    exactlyOnce(records.map((r) => r.credentialId));
    expect(new Set(records.map((r) => r.organisationId))).toEqual(new Set([hub.actor.org.id]));
    expect((await downloads())[0]?.details).toMatchObject({
      format: 'jsonl',
      rows: expected.size,
      expectedRows: expected.size,
      complete: true,
    });
  });

  it('streams CSV with a BOM, one line per credential, every cell quoted', async () => {
    const res = await hub.client.get(path('csv'));
    expect(Number(res.headers.get('x-export-rows'))).toBe(expected.size);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseQuotedCsv(new TextDecoder().decode(bytes.subarray(3)));
    expect(rows[0]?.[0]).toBe('credential_id');
    const body = rows.slice(1);
    expect(body.every((r) => r.length === rows[0]?.length)).toBe(true);
    exactlyOnce(body.map((r) => r[0] ?? ''));
    // The last column is the signed credential (JSON, or the JWT for a JWT badge).
    const signed = body.map((r) => r.at(-1) ?? '');
    const jwts = signed.filter((c) => /^ey[\w-]+\.[\w-]+\.[\w-]+$/.test(c));
    expect(jwts.length).toBeGreaterThan(0);
    for (const c of signed.filter((x) => !jwts.includes(x))) expect(JSON.parse(c).proof).toBeDefined();
    expect((await downloads())[0]?.details).toMatchObject({
      format: 'csv',
      rows: expected.size,
      complete: true,
    });
  });

  it('streams XLSX that a spreadsheet reader opens, header frozen, every credential once', async () => {
    const res = await hub.client.get(path('xlsx'));
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe('credentials');
    expect(ws?.rowCount).toBe(expected.size + 1);
    expect(ws?.getRow(1).getCell(1).value).toBe('credential_id');
    expect(ws?.getRow(1).font?.bold ?? ws?.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws?.getRow(2).getCell(3).numFmt).toBe('@');
    expect(ws?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const ids = (ws?.getColumn(1).values ?? []).slice(2).map(String);
    exactlyOnce(ids);
    expect((await downloads())[0]?.details).toMatchObject({
      format: 'xlsx',
      rows: expected.size,
      complete: true,
    });
  });

  it('stops reading when the download is cancelled, and audits it as incomplete', async () => {
    for (const ext of ['jsonl', 'xlsx']) {
      const res = await hub.client.get(path(ext));
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      await reader.cancel();
      const last = (await downloads())[0]?.details as { format: string; rows: number; complete: boolean };
      expect(last.format).toBe(ext);
      expect(last.complete).toBe(false);
      expect(last.rows).toBeLessThan(expected.size);
      // Read from the database at most two pages ahead of the reader, who took a single chunk.
      expect(last.rows).toBeLessThanOrEqual(2 * EXPORT_PAGE_SIZE);
    }
  });
});
