/** Japanese messages of the verification steps (STYLE.md 10: text lives in labels, identifiers stay English). */

export const STEP_LABEL = {
  parse: '読み取り',
  schema: '形式(Open Badges 3.0 スキーマ)',
  proof: '署名',
  status: '失効状況',
  validity: '有効期間',
  recipient: '受領者',
} as const;

export const MSG = {
  skippedAfterFailure: '前の手順で読み取れなかったため確認していません',

  parseOk: 'バッジのデータを読み取りました',
  parseEmpty: 'バッジのデータがありません',
  parseTooLarge: (limitKb: number) => `データが大きすぎます(${limitKb}KB まで)`,
  parseNotJson: 'JSON として読み取れません',
  parseNotObject: 'バッジのデータ(JSON オブジェクト)ではありません',
  parseNotJwt: 'JWT として読み取れません',
  parseUnknownFormat: 'JSON でも JWT でもありません',

  schemaOk: 'Open Badges 3.0 の形式に合っています',
  schemaFailed: 'Open Badges 3.0 の形式に合っていません',

  proofOk: '発行者の鍵による署名を確認しました',
  proofMissing: '署名がありません',
  proofUnsupported: '対応している署名方式(eddsa-rdfc-2022 または EdDSA の JWT)ではありません',
  proofInvalidSignature: '署名が一致しません。内容が改ざんされているか、別の鍵で署名されています',
  proofNotIssuersKey: '署名に使われた鍵が、発行者の鍵として登録されていません',
  proofUnknownTerms: '署名の対象に、定義されていない項目や種類が含まれています(JSON-LD の安全モード)',
  proofRemoteDocument: (urls: string) =>
    `dxq に同梱されていない外部の文書を参照しているため検証できません(外部への取得は行いません): ${urls}`,
  proofBadDidKey: '署名鍵の did:key が正しくありません',
  proofKeyLookupFailed: '署名鍵を確認できませんでした(鍵の保管先が応答しません)',
  proofJwtClaims: 'JWT の発行者・ID が、バッジの発行者・ID と一致しません',
  proofFailed: '署名を検証できませんでした',

  statusNone: 'このバッジには失効確認の情報がありません',
  statusOk: '失効していません',
  statusRevoked: 'このバッジは失効しています',
  statusSuspended: 'このバッジは一時停止されています',
  statusUnknown: '失効状況を確認できませんでした(「失効していない」という意味ではありません)',
  statusUnsupported: '対応していない失効確認の方式です(失効状況は確認できていません)',
  statusMalformed: '失効確認の情報が正しくありません',

  validityOk: (from: string, until: string | null) =>
    until ? `有効期間内です(${from} から ${until} まで)` : `有効です(${from} から)`,
  validityNoStart: '有効開始日時がないか、日時として読み取れません',
  validityBadEnd: '有効期限が日時として読み取れません',
  validityNotYet: (from: string) => `まだ有効になっていません(${from} から有効)`,
  validityExpired: (until: string) => `有効期限が切れています(${until} まで)`,

  recipientNotChecked: '受領者のメールアドレスによる確認は行っていません',
  recipientOk: '受領者のメールアドレスと一致しました',
  recipientMismatch: '受領者のメールアドレスと一致しません',
  recipientNoIdentity: 'このバッジには受領者のメールアドレスの情報がありません',
} as const;
