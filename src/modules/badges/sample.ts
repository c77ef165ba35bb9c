import type { OpenBadgeInput } from './credential.js';

/**
 * A realistic マナビDX Quest completion badge, for tests and for the operators' hand-over package (a sample
 * signed credential, issue 4 item 8a). Host names are placeholders under example.jp; alignments point at
 * skill item pages in the form `/frameworks/<framework>/<version>/<code>`.
 */

export const SAMPLE_BASE_URL = 'https://dxq.example.jp';

export const SAMPLE_ISSUER = {
  id: `${SAMPLE_BASE_URL}/issuers/secretariat`,
  name: 'マナビDX Quest 事務局',
  url: SAMPLE_BASE_URL,
  email: 'badges@dxq.example.jp',
  image: { id: `${SAMPLE_BASE_URL}/issuers/secretariat/logo.png`, caption: 'マナビDX Quest' },
} as const;

const DSSP = { name: 'デジタルスキル標準(DSS-P) 共通スキルリスト', version: '2.0' } as const;

function dsspItem(code: string, name: string) {
  return { framework: DSSP, code, name, url: `${SAMPLE_BASE_URL}/frameworks/dss-p/2.0/${code}` };
}

export function sampleOpenBadgeInput(overrides: Partial<OpenBadgeInput> = {}): OpenBadgeInput {
  return {
    issuer: { ...SAMPLE_ISSUER, image: { ...SAMPLE_ISSUER.image } },
    validFrom: new Date('2026-03-31T00:00:00Z'),
    awardedDate: new Date('2026-03-31T00:00:00Z'),
    recipient: { email: 'learner@example.jp', salt: 'Kz3vQm8rXw1pLs0a' },
    achievement: {
      id: `${SAMPLE_BASE_URL}/achievements/regional-collaboration/2026`,
      name: '地域企業協働プログラム 修了',
      description:
        '地域の中小企業と協働し、データとデジタル技術を用いた課題解決に取り組むマナビDX Quest の実践プログラムを修了した。',
      criteria: {
        narrative:
          '地域企業協働プログラムの全セッションに参加し、協働先企業への最終提案を行い、事務局の修了判定を受けること。',
      },
      image: { id: `${SAMPLE_BASE_URL}/achievements/regional-collaboration/2026/badge.png` },
      achievementType: 'CertificateOfCompletion',
      inLanguage: 'ja',
      version: '2026',
      alignments: [
        dsspItem('1.1.1', 'ビジネス環境と経営戦略の理解'),
        dsspItem('2.1.1', 'データ・AI理解・活用'),
        dsspItem('2.2.1', '数理統計・多変量解析・データ可視化'),
      ],
    },
    status: { statusListCredential: `${SAMPLE_BASE_URL}/status/secretariat/1`, statusListIndex: 48213 },
    ...overrides,
  };
}
