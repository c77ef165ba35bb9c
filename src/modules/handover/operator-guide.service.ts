import JSZip from 'jszip';
import type { Deps } from '../../deps.js';
import { toCsv } from '../../lib/csv.js';
import {
  buildOpenBadgeCredential,
  DSSP_TARGET_TYPE,
  signOpenBadge,
  targetFramework,
} from '../badges/credential.js';
import { generateDidKeySigningKey } from '../badges/keys.js';
import { sampleOpenBadgeInput } from '../badges/sample.js';
import type { SkillFrameworkView } from '../credentials/skill-framework.presenter.js';
import { getDefaultFramework } from '../credentials/skill-framework.service.js';

/**
 * The hand-over to the case-study operators (issue 4 §8a): how to issue a マナビDX Quest completion badge with
 * their own tools — the achievement template, the DSS-P alignment codes, the required fields, a sample signed
 * credential and the verification steps — as a public page and as a ZIP they can keep. Operators who prefer
 * can issue through dxq under their own issuer profile instead (the page says how).
 */

/** One field an operator's credential must carry, as OPEN-BADGES.md §Shape states it. */
export type RequiredField = { path: string; value: string; note: string };

export const REQUIRED_FIELDS: readonly RequiredField[] = [
  {
    path: '@context',
    value:
      '["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]',
    note: 'この順序で。1EdTechJsonSchemaValidator2019 などの拡張を使うときは extensions.json を3番目に追加',
  },
  { path: 'type', value: '["VerifiableCredential", "OpenBadgeCredential"]', note: '必ず配列で' },
  { path: 'id', value: 'urn:uuid:<UUID v4>', note: '発行ごとに新しい値(訂正時も新しい値で再発行)' },
  {
    path: 'issuer',
    value: '{ "type": ["Profile"], "id", "name", "url" }',
    note: '発行する事業者のプロフィール。id は検証可能な鍵の controller と同じ',
  },
  {
    path: 'validFrom',
    value: '2026-03-31T00:00:00Z',
    note: 'issuanceDate は使わない。期限がある場合だけ validUntil',
  },
  {
    path: 'credentialSubject',
    value:
      '{ "type": ["AchievementSubject"], "identifier": [ハッシュ化したメールアドレス], "achievement": {...} }',
    note: '氏名やメールアドレスを平文で入れない(sha256$ + hex(sha256(メールアドレス + salt)))',
  },
  {
    path: 'credentialSubject.achievement',
    value:
      '{ "type": ["Achievement"], "id", "name", "description", "criteria": { "narrative" }, "image": { "id", "type": "Image" } }',
    note: 'id はプログラムの版ごとに固定の https URL。achievementType は CertificateOfCompletion',
  },
  {
    path: 'credentialSubject.achievement.alignment[]',
    value: `{ "type": ["Alignment"], "targetName", "targetUrl", "targetFramework", "targetCode", "targetType": "${DSSP_TARGET_TYPE}" }`,
    note: 'DSS-P のスキル項目ごとに1つ。targetFramework には版を含める',
  },
  {
    path: 'credentialStatus',
    value:
      '{ "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex", "statusListCredential" }',
    note: '失効リストは 131,072 件以上、番号は無作為に割り当て',
  },
  {
    path: 'proof',
    value:
      '[{ "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod", ... }]',
    note: '配列で。VC-JWT で発行する場合は JOSE ヘッダー {alg, kid, typ:"JWT"}',
  },
];

export const VERIFICATION_STEPS: readonly string[] = [
  'JSON として読み込めること(または JWT として分解できること)',
  '1EdTech の AchievementCredential JSON Schema に適合すること(type が配列、image がオブジェクトなど)',
  '署名(proof)が発行者の公開鍵で検証できること。JSON-LD のコンテキストは同梱したものだけを使い、ネットワークから取得しない',
  '失効リスト(BitstringStatusList)で失効していないこと。確認できなかった場合は「失効していない」ではなく「確認できない」と表示する',
  '有効期間(validFrom / validUntil)の範囲内であること',
  '受講者のメールアドレスが分かる場合は、salt と組み合わせたハッシュが一致すること',
];

/** The achievement template an operator fills in (JSON), aligned to the default DSS-P framework. */
export function achievementTemplate(baseUrl: string, framework: SkillFrameworkView) {
  const first = framework.items.slice(0, 2);
  return {
    type: ['Achievement'],
    id: 'https://<事業者のドメイン>/achievements/<プログラムID>/<年度>',
    achievementType: 'CertificateOfCompletion',
    name: 'ケーススタディ教育プログラム 修了(<事業者名>)',
    description:
      '<このバッジが証明すること。例: 実在企業のデータを用いたケーススタディで、課題設定から提案までを修了した>',
    criteria: { narrative: '<修了の条件。例: 全課題を提出し、最終発表を行ったこと>' },
    image: { id: 'https://<事業者のドメイン>/achievements/<プログラムID>/<年度>/badge.png', type: 'Image' },
    inLanguage: 'ja',
    alignment: first.map((item) => ({
      type: ['Alignment'],
      targetName: item.name,
      targetUrl: `${baseUrl}/frameworks/${framework.slug}/${framework.version}/${item.code}`,
      targetFramework: targetFramework({ name: framework.name, version: framework.version }),
      targetCode: item.code,
      targetType: DSSP_TARGET_TYPE,
    })),
  };
}

/** The alignment codes of a framework as rows (code, name, category path, the page a targetUrl points to). */
export function alignmentRows(baseUrl: string, framework: SkillFrameworkView) {
  return framework.items.map((i) => ({
    code: i.code,
    name: i.name,
    category: [i.categoryName, i.subcategoryName].filter(Boolean).join(' › '),
    url: `${baseUrl}/frameworks/${framework.slug}/${framework.version}/${i.code}`,
  }));
}

// The sample is signed once per process with a did:key (it verifies anywhere, offline), as its text says.
let sample: Promise<unknown> | undefined;

/** A sample signed credential: the sample badge, issued by a throw-away did:key made for the sample. */
export function sampleSignedCredential(): Promise<unknown> {
  sample ??= (async () => {
    const key = await generateDidKeySigningKey();
    const input = sampleOpenBadgeInput();
    const credential = buildOpenBadgeCredential({
      ...input,
      issuer: { ...input.issuer, id: key.controller, name: 'サンプル事業者(署名の例)' },
    });
    return signOpenBadge(credential, key);
  })();
  sample.catch(() => {
    sample = undefined;
  });
  return sample;
}

export type OperatorGuide = {
  framework: SkillFrameworkView;
  fields: readonly RequiredField[];
  steps: readonly string[];
  template: ReturnType<typeof achievementTemplate>;
  alignments: ReturnType<typeof alignmentRows>;
  sample: unknown;
};

export async function getOperatorGuide(deps: Deps): Promise<OperatorGuide> {
  const framework = await getDefaultFramework(deps);
  const base = deps.config.baseUrl;
  return {
    framework,
    fields: REQUIRED_FIELDS,
    steps: VERIFICATION_STEPS,
    template: achievementTemplate(base, framework),
    alignments: alignmentRows(base, framework),
    sample: await sampleSignedCredential(),
  };
}

/** The guide as a ZIP: README, the template, the codes (CSV for Excel), the fields, the sample, the steps. */
export async function operatorPackage(deps: Deps): Promise<Uint8Array> {
  const g = await getOperatorGuide(deps);
  const base = deps.config.baseUrl;
  const zip = new JSZip();
  zip.file(
    'README.md',
    [
      '# マナビDX Quest オープンバッジ発行手順(ケーススタディ運営事業者向け)',
      '',
      `最新版: ${base}/open-badges/guide`,
      '',
      '修了証は Open Badges 3.0(1EdTech)= W3C Verifiable Credentials 2.0 で発行し、身につくスキルを',
      `デジタルスキル標準(DSS-P)の項目(${g.framework.name} ver.${g.framework.version})に対応付けます。`,
      '',
      '## このパッケージの内容',
      '- achievement-template.json: 達成(Achievement)のテンプレート。<> の部分を書き換えてください',
      '- dss-p-alignment-codes.csv: DSS-P の項目コードと、alignment の targetUrl に使うページ(Excel で開けます)',
      '- required-fields.csv: クレデンシャルに必須の項目と書き方',
      '- sample-credential.json: 署名済みのサンプル(did:key で署名。どこでもオフラインで検証できます)',
      '- verification-steps.md: 検証の手順',
      '',
      '## dxq から自社の名義で発行する場合',
      '自社で署名の仕組みを持たなくても、dxq の「バッジ発行」から、貴社の発行者プロフィールと貴社専用の鍵で',
      '発行できます。修了者の一覧(CSV/XLSX)を取り込み、確認(ドライラン)の後に発行すると、修了者に受け取り',
      'のメールが届きます。利用を希望する場合は事務局にご連絡ください。',
      '',
      '## DSS-P の版について',
      g.framework.provenance,
    ].join('\n'),
  );
  zip.file('achievement-template.json', `${JSON.stringify(g.template, null, 2)}\n`);
  zip.file(
    'dss-p-alignment-codes.csv',
    toCsv([
      ['targetCode', 'targetName', 'category', 'targetUrl'],
      ...g.alignments.map((a) => [a.code, a.name, a.category, a.url]),
    ]),
  );
  zip.file(
    'required-fields.csv',
    toCsv([['field', 'value', 'note'], ...g.fields.map((f) => [f.path, f.value, f.note])]),
  );
  zip.file('sample-credential.json', `${JSON.stringify(g.sample, null, 2)}\n`);
  zip.file(
    'verification-steps.md',
    ['# 検証の手順', '', ...g.steps.map((s, i) => `${i + 1}. ${s}`), ''].join('\n'),
  );
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}
