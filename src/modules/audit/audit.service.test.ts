import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../deps.js';
import { systemActor } from '../../lib/actor.js';
import { createTestEnv, type TestEnv } from '../../test/db.js';
import { audit } from './audit.service.js';

describe('audit()', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv('pglite');
  });
  afterAll(() => env.close());

  it('never stores passwords, tokens or codes, but keeps ordinary fields', async () => {
    await transaction(env, (tx) =>
      audit(env, tx, systemActor('test'), 'test.redaction', null, {
        password: 'p',
        newPassword: 'p',
        pass: 'p',
        token: 't',
        acceptToken: 't',
        secret: 's',
        totpSecret: 's',
        code: '123456',
        otp: '123456',
        prefectureCode: 13,
        email: 'a@example.jp',
      }),
    );
    const row = await env.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'test.redaction')
      .executeTakeFirstOrThrow();
    const d = row.details as Record<string, unknown>;
    for (const k of [
      'password',
      'newPassword',
      'pass',
      'token',
      'acceptToken',
      'secret',
      'totpSecret',
      'code',
      'otp',
    ]) {
      expect(d[k]).toBe('[redacted]');
    }
    expect(d.prefectureCode).toBe(13);
    expect(d.email).toBe('a@example.jp');
    expect(d.system).toBe('test');
  });

  it('rolls back with the transaction it belongs to', async () => {
    await expect(
      transaction(env, async (tx) => {
        await audit(env, tx, systemActor('test'), 'test.rollback', null);
        throw new Error('use case failed');
      }),
    ).rejects.toThrow('use case failed');
    const rows = await env.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'test.rollback')
      .execute();
    expect(rows).toHaveLength(0);
  });
});
