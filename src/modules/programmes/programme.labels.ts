import type { DxStage, ProgrammeFormat, ProgrammeStatus } from '../../db/schema.js';

export const LAYER_LABEL: Record<2 | 3, string> = {
  2: 'ケーススタディ教育プログラム(2層)',
  3: '地域企業協働プログラム(3層)',
};

export const LAYER_SHORT: Record<2 | 3, string> = { 2: '2層', 3: '3層' };

export const FORMAT_LABEL: Record<ProgrammeFormat, string> = {
  venue: '会場',
  online: 'オンライン',
  hybrid: 'ハイブリッド(会場+オンライン)',
};

/** 3層: the partner company's DX stage (マナビDX Quest 地域企業協働プログラムの類型). */
export const DX_STAGE_LABEL: Record<DxStage, string> = {
  pattern1: 'パターン1 デジタル化構想・設計',
  pattern2: 'パターン2 デジタル化設計・検証(PoC)',
  pattern3: 'パターン3 DX構想',
};

export const PROGRAMME_STATUS_LABEL: Record<ProgrammeStatus, string> = {
  draft: '下書き',
  submitted: '公開申請中',
  published: '公開中',
  closed: '募集終了',
  archived: 'アーカイブ',
};

export const QUESTION_KIND_LABEL = {
  short_text: '短い記述',
  long_text: '長い記述',
  choice: '選択(1つ)',
  multi_choice: '選択(複数)',
  yes_no: 'はい/いいえ',
} as const;

export function feeLabel(yen: number): string {
  return yen === 0 ? '無料' : `${yen.toLocaleString('ja-JP')}円(税込)`;
}
