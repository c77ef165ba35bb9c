import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

// The one place that reads process.env (ARCHITECTURE.md). Everything else receives a Config.

/** The 問い合わせ窓口 named on /privacy and /accessibility when CONTACT_NAME is unset. */
export const DEFAULT_CONTACT_NAME = 'マナビDX Quest 事務局';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  BASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().email().default('no-reply@dxq.localhost'),
  SECRET_KEY: z.string().min(32).optional(),
  SECRET_KEY_FILE: z.string().min(1).optional(),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(12),
  MAGIC_LINK_MINUTES: z.coerce.number().int().min(1).max(15).default(15),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  WORKER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  BADGE_POOL_SIZE: z.coerce.number().int().min(0).max(32).optional(),
  SEED_DEMO: z.enum(['true', 'false']).optional(),
  RETENTION_DAYS: z.coerce.number().int().min(30).max(3650).default(365),
  CONTACT_NAME: z.string().trim().min(1).max(100).default(DEFAULT_CONTACT_NAME),
  CONTACT_EMAIL: z.string().email().max(254).optional(),
  CLAMD_URL: z
    .string()
    .regex(/^(tcp:\/\/[^/\s]+:\d{1,5}|unix:\/\/\/\S+)$/, 'tcp://host:port か unix:///path/to/clamd.sock')
    .optional(),
  CLAMD_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
});

export type Config = {
  port: number;
  host: string;
  baseUrl: string;
  secureCookies: boolean;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  secretKey: Buffer;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  magicLinkMs: number;
  bodyLimitBytes: number;
  trustProxy: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  workerConcurrency: number;
  workerPollMs: number;
  /** Badge signing threads (decision 0020): undefined = one per core, 0 = sign in the request's own thread. */
  badgePoolSize?: number | undefined;
  seedDemo: boolean;
  /** Days after recruitment ends before applicants' personal data is anonymised (個人情報保護法: retention). */
  retentionDays: number;
  /**
   * The 問い合わせ窓口 on /privacy and /accessibility (個人情報保護法 32条: where to make requests and
   * complaints). No address is shown, and none made up, unless CONTACT_EMAIL is set.
   */
  contact: { name: string; email: string | undefined };
  /**
   * Where uploads are scanned for malware (SECURITY.md: ClamAV's clamd in production): tcp://host:port or
   * unix:///path. Unset: uploads are not scanned (a warning at start), for trials and development.
   */
  clamd: { url: string | undefined; timeoutMs: number };
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`設定 (環境変数) が正しくありません / invalid settings:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    secureCookies: baseUrl.startsWith('https://'),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    secretKey: loadSecretKey(e.SECRET_KEY, e.SECRET_KEY_FILE, dataDir),
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    magicLinkMs: e.MAGIC_LINK_MINUTES * 60_000,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerPollMs: e.WORKER_POLL_MS,
    badgePoolSize: e.BADGE_POOL_SIZE,
    // Demo data by default only on the embedded database (trials); a PostgreSQL deployment opts in.
    seedDemo: e.SEED_DEMO ? e.SEED_DEMO === 'true' : !e.DATABASE_URL,
    retentionDays: e.RETENTION_DAYS,
    contact: { name: e.CONTACT_NAME, email: e.CONTACT_EMAIL },
    clamd: { url: e.CLAMD_URL, timeoutMs: e.CLAMD_TIMEOUT_MS },
  };
}

/**
 * The server secret (CSRF token MAC, TOTP secret encryption) comes from SECRET_KEY, SECRET_KEY_FILE,
 * or, for a single embedded instance, a file generated once under DATA_DIR. Never from the repository.
 * Several instances must share one: set SECRET_KEY or SECRET_KEY_FILE on each.
 */
function loadSecretKey(value: string | undefined, file: string | undefined, dataDir: string): Buffer {
  if (value) return Buffer.from(value, 'utf8');
  if (file) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length < 32)
      throw new ConfigError(
        `SECRET_KEY_FILE ${file}: 32文字以上の秘密鍵が必要です / the key must be at least 32 characters`,
      );
    return Buffer.from(key, 'utf8');
  }
  const generated = path.join(dataDir, 'secret.key');
  if (!existsSync(generated)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(generated, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(generated, 0o600);
  return Buffer.from(readFileSync(generated, 'utf8').trim(), 'utf8');
}

/** A config for tests: nothing read from the environment but DATABASE_URL, nothing written to disk. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    baseUrl: 'http://localhost:3000',
    secureCookies: false,
    dataDir: '',
    databaseUrl: undefined,
    databasePoolSize: 5,
    smtpUrl: undefined,
    mailFrom: 'no-reply@dxq.test',
    secretKey: randomBytes(32),
    sessionIdleMs: 30 * 60_000,
    sessionAbsoluteMs: 12 * 3_600_000,
    magicLinkMs: 15 * 60_000,
    bodyLimitBytes: 1024 * 1024,
    trustProxy: false,
    logLevel: 'silent',
    workerConcurrency: 2,
    workerPollMs: 50,
    seedDemo: false,
    retentionDays: 365,
    contact: { name: DEFAULT_CONTACT_NAME, email: undefined },
    clamd: { url: undefined, timeoutMs: 2_000 },
    ...overrides,
  };
}
