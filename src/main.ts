import { parseArgs } from 'node:util';
import { ConfigError } from './config.js';
import { DataDirBusyError } from './db/client.js';
import { createSecretariatAdmin } from './db/seed/admin.js';
import { AppError } from './lib/errors.js';
import { displayName, email } from './modules/identity/identity.schema.js';
import { boot, migrate, printAccounts, run, seed } from './server.js';

const HELP = `dxq — マナビDX Quest 事務局システム

使い方 / usage:
  dxq [start]        Web サーバーとワーカーを起動 (npm start) / web + worker in one process
  dxq serve          Web サーバーだけを起動 / web only
  dxq worker         ジョブワーカーだけを起動 / job worker only
  dxq migrate        データベースのマイグレーションを適用 / apply migrations
  dxq seed           空のデータベースにデモデータを投入 / load demo data into an empty database
  dxq create-admin --email <address> --name <氏名>
                     事務局の管理者アカウントを作成し、パスワードを表示 / create a secretariat admin
  dxq --help         この説明 / this help

設定は環境変数で行います (README 参照) / settings come from environment variables (see README).
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const noArgs = () => {
    if (rest.length)
      throw new UsageError(`'${command}' は引数を取りません / takes no arguments: ${rest.join(' ')}`);
  };
  switch (command) {
    case 'start':
      noArgs();
      await run({ web: true, worker: true });
      return -1; // keeps running
    case 'serve':
      noArgs();
      await run({ web: true, worker: false });
      return -1;
    case 'worker':
      noArgs();
      await run({ web: false, worker: true });
      return -1;
    case 'migrate': {
      noArgs();
      const { deps, handle } = await boot();
      const applied = await migrate(deps);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
      await handle.close();
      return 0;
    }
    case 'seed': {
      noArgs();
      const { deps, handle } = await boot();
      await migrate(deps);
      const accounts = await seed(deps);
      if (accounts.length) printAccounts(accounts, deps.config.baseUrl);
      else
        process.stdout.write(
          'データが既にあるため、デモデータは投入しませんでした / not empty: nothing seeded\n',
        );
      await handle.close();
      return 0;
    }
    case 'create-admin':
      return createAdmin(rest);
    default:
      throw new UsageError(`不明なコマンドです / unknown command: ${command}`);
  }
}

async function createAdmin(args: string[]): Promise<number> {
  let values: { email?: string | undefined; name?: string | undefined };
  try {
    ({ values } = parseArgs({
      args,
      options: { email: { type: 'string' }, name: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const e = email.safeParse(values.email ?? '');
  const n = displayName.safeParse(values.name ?? '');
  if (!e.success || !n.success)
    throw new UsageError('--email と --name を正しく指定してください / give a valid --email and --name');
  const { deps, handle } = await boot();
  try {
    await migrate(deps);
    const password = await createSecretariatAdmin(deps, { email: e.data, displayName: n.data });
    process.stdout.write(
      `事務局管理者を作成しました / created: ${e.data}\nパスワード / password: ${password}\n初回ログインで認証アプリを登録してください。\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`${err.messageJa}\n`);
      return 1;
    }
    throw err;
  } finally {
    await handle.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${HELP}`);
      process.exit(2);
    }
    if (err instanceof ConfigError || err instanceof DataDirBusyError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`dxq: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
