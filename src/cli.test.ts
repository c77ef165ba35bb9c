import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The CLI as a user runs it: the compiled build (npm test builds it first) under this Node (24).
const main = path.resolve('dist/main.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'dxq-cli-'));

function dxq(...args: string[]) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const r = spawnSync(process.execPath, [main, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('dxq CLI', () => {
  it('prints help, and refuses unknown commands and flags with exit code 2', { timeout: 120_000 }, () => {
    const help = dxq('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('dxq create-admin');
    const unknown = dxq('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('不明なコマンドです / unknown command: frobnicate');
    expect(dxq('serve', '--port', '1').code).toBe(2);
    expect(dxq('create-admin', '--mail', 'x@example.jp').code).toBe(2);
    expect(dxq('create-admin', '--email', 'not-an-address', '--name', 'x').code).toBe(2);
  });

  it('migrates, seeds the demo data once with generated passwords, and creates an admin', {
    timeout: 240_000,
  }, () => {
    expect(dxq('migrate').out).toContain('applied: 0001-foundation');
    expect(dxq('migrate').out).toContain('up to date');
    const first = dxq('seed');
    expect(first.code).toBe(0);
    const passwords = [...first.out.matchAll(/@demo\.dxq\.example\s+(\S{20})\s/g)].map((m) => m[1]);
    expect(passwords.length).toBeGreaterThanOrEqual(16);
    expect(new Set(passwords).size).toBe(passwords.length);
    const second = dxq('seed');
    expect(second.out).toContain('nothing seeded');
    expect(second.out).not.toMatch(/@demo\.dxq\.example\s+\S{20}/);
    const admin = dxq('create-admin', '--email', 'Ops@Example.JP', '--name', '運用 担当');
    expect(admin.code).toBe(0);
    expect(admin.out).toMatch(/created: ops@example\.jp\n.*password: \S{20}/);
    expect(dxq('create-admin', '--email', 'ops@example.jp', '--name', '運用 担当').code).toBe(1);
    // The generated server secret is private to the owner.
    expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o077).toBe(0);
  });
});
