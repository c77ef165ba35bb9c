// Shared helpers for benchmarks (not tests): start dxq as its own process, run wrk, read its numbers.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `dxq_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'dxq-bench-'));
}

export type Server = { url: string; proc: ChildProcess; stop: () => Promise<void> };

/** Starts `dxq serve` (compiled build) with the given environment and waits until it answers. */
export async function startServer(
  env: Record<string, string>,
  port: number,
  role = 'serve',
): Promise<Server> {
  const proc = spawn(process.execPath, [path.resolve('dist/main.js'), role], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export type WrkResult = { rps: number; p50ms: number; p99ms: number; errors: number };

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

/** wrk (Debian's package) with 1 thread: the load generator gets one core, the server the other. */
export function wrk(url: string, opts: { connections?: number; seconds?: number } = {}): WrkResult {
  const out = execFileSync(
    'wrk',
    ['-t1', `-c${opts.connections ?? 50}`, `-d${opts.seconds ?? 10}s`, '--latency', url],
    { encoding: 'utf8' },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps, p50ms: p50, p99ms: p99, errors };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** CPU seconds used so far (user + system) by the processes whose command name matches, read from /proc (Linux). */
export function cpuSeconds(match: (comm: string, pid: number) => boolean): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!match(comm, Number(d))) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick; // utime, stime (fields 14, 15)
    } catch {}
  }
  return total;
}

/** One answered request of `sendAll`: its status and its latency in milliseconds. */
export type Sent = { status: number; ms: number };

/**
 * A minimal HTTP/1.1 load generator: `concurrency` keep-alive connections, each sending the next prepared
 * request when the previous answer has fully arrived. The requests are serialised before the clock starts, so
 * the generator costs a few microseconds a request (Node's fetch costs ~0.5 ms, which on a 2-core machine
 * takes CPU from the server being measured). Understands Content-Length and chunked bodies.
 *
 * Each connection first sends its share of `warmUp` (not measured) and waits until every connection has, so
 * the clock starts with all `concurrency` connections open and accepted, as behind a reverse proxy that keeps
 * its connections to dxq open. (A Node server that is busy accepts new connections slowly — measured
 * 2026-11-26: 200 connections opened at once took ~4 s to be accepted while the first ones were being served —
 * so without this the first request of each connection measures the accept queue, not the request.)
 */
export async function sendAll(
  host: string,
  port: number,
  requests: Buffer[],
  concurrency: number,
  warmUp: Buffer[] = [],
): Promise<{ results: Sent[]; seconds: number }> {
  const { connect } = await import('node:net');
  const results: Sent[] = [];
  let next = 0;
  let t0 = 0;
  let waiting = concurrency;
  let release = () => {};
  const allWarm = new Promise<void>((r) => {
    release = r;
  });
  const warmed = () => {
    waiting--;
    if (waiting === 0) {
      t0 = performance.now();
      release();
    }
  };
  const worker = (w: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const mine = warmUp.filter((_, i) => i % concurrency === w);
      let warming = true;
      let buf: Buffer = Buffer.alloc(0);
      let started = 0;
      const sendNext = () => {
        if (warming) {
          const req = mine.shift();
          if (req) return void socket.write(req);
          warming = false;
          warmed();
          return void allWarm.then(sendNext);
        }
        const req = requests[next++];
        if (!req) {
          socket.end();
          return resolve();
        }
        started = performance.now();
        socket.write(req);
      };
      socket.on('connect', sendNext);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.subarray(0, end).toString('latin1');
          const status = Number(head.slice(9, 12));
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          let total: number;
          if (length) total = end + 4 + Number(length[1]);
          else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
            const last = buf.indexOf('\r\n0\r\n\r\n', end);
            if (last < 0) return;
            total = last + 7;
          } else total = end + 4;
          if (buf.length < total) return;
          buf = buf.subarray(total);
          if (!warming) results.push({ status, ms: performance.now() - started });
          sendNext();
        }
      });
    });
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { results, seconds: (performance.now() - t0) / 1000 };
}
