import { randomBytes } from 'node:crypto';
import { type Deps, transaction } from '../../deps.js';
import { systemActor } from '../../lib/actor.js';
import { audit } from '../../modules/audit/audit.service.js';
import { createStaffAccount } from '../../modules/identity/account.service.js';
import type { Database } from '../client.js';
import type { OrganisationKind, Role } from '../schema.js';
import { seedDemoProgrammes } from './demo-programmes.js';

type DemoOrg = {
  key: string;
  kind: OrganisationKind;
  name: string;
  nameEn: string;
  prefecture: number | null;
};

// Demo organisations: fictitious names, so nobody mistakes trial data for a real operator or hub.
export const DEMO_ORGS: DemoOrg[] = [
  {
    key: 'meti',
    kind: 'ministry',
    name: '経済産業省 商務情報政策局(デモ)',
    nameEn: 'METI (demo)',
    prefecture: 13,
  },
  {
    key: 'secretariat',
    kind: 'secretariat',
    name: 'マナビDX Quest 事務局(デモ)',
    nameEn: 'Manabi DX Quest Secretariat (demo)',
    prefecture: 13,
  },
  {
    key: 'op1',
    kind: 'case_study_operator',
    name: 'ケーススタディ運営 第一事業者(デモ)',
    nameEn: 'Case-study operator 1 (demo)',
    prefecture: 13,
  },
  {
    key: 'op2',
    kind: 'case_study_operator',
    name: 'ケーススタディ運営 第二事業者(デモ)',
    nameEn: 'Case-study operator 2 (demo)',
    prefecture: 27,
  },
  {
    key: 'hub-hokkaido',
    kind: 'regional_hub',
    name: '北海道DX人材育成ハブ(デモ)',
    nameEn: 'Hokkaido hub (demo)',
    prefecture: 1,
  },
  {
    key: 'hub-tohoku',
    kind: 'regional_hub',
    name: '東北地域企業協働ハブ(デモ)',
    nameEn: 'Tohoku hub (demo)',
    prefecture: 4,
  },
  {
    key: 'hub-kanto',
    kind: 'regional_hub',
    name: '関東デジタル実践ハブ(デモ)',
    nameEn: 'Kanto hub (demo)',
    prefecture: 13,
  },
  {
    key: 'hub-chubu',
    kind: 'regional_hub',
    name: '中部ものづくりDXハブ(デモ)',
    nameEn: 'Chubu hub (demo)',
    prefecture: 23,
  },
  {
    key: 'hub-kansai',
    kind: 'regional_hub',
    name: '関西地域DX協働ハブ(デモ)',
    nameEn: 'Kansai hub (demo)',
    prefecture: 27,
  },
  {
    key: 'hub-kyushu',
    kind: 'regional_hub',
    name: '九州・沖縄DX人材ハブ(デモ)',
    nameEn: 'Kyushu-Okinawa hub (demo)',
    prefecture: 40,
  },
];

type DemoStaff = { org: string; local: string; name: string; role: Role };

const DEMO_STAFF: DemoStaff[] = [
  { org: 'meti', local: 'meti', name: '経産 閲覧', role: 'viewer' },
  { org: 'secretariat', local: 'admin', name: '事務局 管理者', role: 'admin' },
  { org: 'secretariat', local: 'staff', name: '事務局 担当', role: 'staff' },
  { org: 'secretariat', local: 'reviewer', name: '事務局 審査', role: 'reviewer' },
  ...DEMO_ORGS.filter((o) => o.kind === 'case_study_operator' || o.kind === 'regional_hub').flatMap((o) => [
    {
      org: o.key,
      local: `${o.key}-admin`,
      name: `${o.name.replace('(デモ)', '')} 管理者`,
      role: 'admin' as Role,
    },
    {
      org: o.key,
      local: `${o.key}-staff`,
      name: `${o.name.replace('(デモ)', '')} 担当`,
      role: 'staff' as Role,
    },
  ]),
];

export const DEMO_DOMAIN = 'demo.dxq.example';

export type SeededAccount = { email: string; password: string; org: string; role: Role };

/** A 20-character password from a 56-letter alphabet without look-alikes (≈116 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(40);
  let out = '';
  for (const b of bytes) {
    if (b >= 224) continue; // 224 = 4 × 56: keep the choice uniform
    out += alphabet[b % alphabet.length];
    if (out.length === 20) break;
  }
  return out.length === 20 ? out : generatePassword();
}

/**
 * Loads demo data once, into an empty database. Passwords are generated now and returned for printing once;
 * only their argon2id hashes are stored. Returns [] when organisations already exist.
 */
export async function seedDemo(deps: Deps): Promise<SeededAccount[]> {
  return transaction(deps, async (tx) => {
    const existing = await tx.selectFrom('organisations').select('id').limit(1).execute();
    if (existing.length > 0) return [];
    const actor = systemActor('seed');
    const ids = new Map<string, string>();
    for (const o of DEMO_ORGS) {
      const row = await tx
        .insertInto('organisations')
        .values({ kind: o.kind, name: o.name, name_en: o.nameEn, prefecture_code: o.prefecture })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(o.key, row.id);
      await audit(
        deps,
        tx,
        actor,
        'organisations.created',
        { type: 'organisation', id: row.id },
        { name: o.name },
      );
    }
    await seedDemoProgrammes(
      tx,
      DEMO_ORGS.map((o) => ({
        id: ids.get(o.key) ?? '',
        kind: o.kind,
        name: o.name,
        prefecture: o.prefecture,
      })),
      deps.clock.now(),
    );
    const accounts: SeededAccount[] = [];
    for (const s of DEMO_STAFF) {
      const orgId = ids.get(s.org);
      if (!orgId) throw new Error(`unknown demo org ${s.org}`);
      const email = `${s.local}@${DEMO_DOMAIN}`;
      const password = generatePassword();
      await createSeedStaff(deps, tx, { email, displayName: s.name, password, orgId, role: s.role });
      accounts.push({
        email,
        password,
        org: DEMO_ORGS.find((o) => o.key === s.org)?.name ?? s.org,
        role: s.role,
      });
    }
    return accounts;
  });
}

/** A staff account with one membership, created by the system (seed, CLI) and audited. */
export async function createSeedStaff(
  deps: Deps,
  tx: Database,
  input: { email: string; displayName: string; password: string; orgId: string; role: Role },
  by = 'seed',
): Promise<string> {
  const userId = await createStaffAccount(deps, tx, input);
  await tx
    .insertInto('memberships')
    .values({ user_id: userId, organisation_id: input.orgId, role: input.role })
    .execute();
  await audit(
    deps,
    tx,
    systemActor(by),
    'memberships.created',
    { type: 'user', id: userId },
    {
      organisationId: input.orgId,
      role: input.role,
    },
  );
  return userId;
}
