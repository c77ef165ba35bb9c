import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The real ClamAV daemon for tests (Debian's clamav-daemon, installed by .ci/run), started with a signature
// database made for the test: the EICAR test string as a custom MD5 signature, so no signature download.
const CLAMD = process.env.CLAMD_PATH ?? '/usr/sbin/clamd';
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const addr = s.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`clamd did not listen on ${port} within ${ms} ms`);
}

export type TestClamd = { url: string; stop: () => void };

/** Starts clamd on a free port of 127.0.0.1; `url` is what CLAMD_URL would be. */
export async function startClamd(): Promise<TestClamd> {
  if (!existsSync(CLAMD)) throw new Error(`no clamd at ${CLAMD} (apt-get install -y clamav-daemon)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'dxq-clamd-'));
  const db = path.join(dir, 'db');
  mkdirSync(db);
  const md5 = createHash('md5').update(EICAR).digest('hex');
  writeFileSync(path.join(db, 'custom.hdb'), `${md5}:${EICAR.length}:Test.EICAR.Custom\n`);
  const port = await freePort();
  const conf = path.join(dir, 'clamd.conf');
  writeFileSync(
    conf,
    [
      'Foreground yes',
      `DatabaseDirectory ${db}`,
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `LogFile ${path.join(dir, 'clamd.log')}`,
      'StreamMaxLength 5M',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(CLAMD, ['-c', conf], { stdio: 'ignore' });
  const stop = () => {
    proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 45_000);
  } catch (e) {
    stop();
    throw e;
  }
  return { url: `tcp://127.0.0.1:${port}`, stop };
}
