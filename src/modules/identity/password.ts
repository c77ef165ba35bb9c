import { hash, verify } from '@node-rs/argon2';
import commonPasswords from 'fxa-common-password-list';

// SECURITY.md / ASVS 5.0 L2: argon2id (OWASP parameters: m=19 MiB, t=2, p=1); 8–128 characters;
// no composition or rotation rules; refuse passwords found in a common-password list.
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(hashed: string | null, password: string): Promise<boolean> {
  // Without an account, still spend the time of one verification so the answer time does not tell.
  const target = hashed ?? (await dummyHash());
  try {
    const ok = await verify(target, password);
    return hashed !== null && ok;
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword('dxq-dummy-password-for-timing');
  return dummy;
}

export function isCommonPassword(password: string): boolean {
  return (commonPasswords as { test: (p: string) => boolean }).test(password.toLowerCase());
}
