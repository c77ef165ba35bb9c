import { PREFECTURE_LIST, type Prefecture } from '../organisations/prefectures.js';

/**
 * The usual eight regions (地方区分) over JIS X 0401 codes, for grouping the 47 prefectures in forms and
 * filters: 47 checkboxes in one run are hard to scan, eight labelled groups are not.
 */
const REGIONS: { name: string; from: number; to: number }[] = [
  { name: '北海道', from: 1, to: 1 },
  { name: '東北', from: 2, to: 7 },
  { name: '関東', from: 8, to: 14 },
  { name: '中部', from: 15, to: 23 },
  { name: '近畿', from: 24, to: 30 },
  { name: '中国', from: 31, to: 35 },
  { name: '四国', from: 36, to: 39 },
  { name: '九州・沖縄', from: 40, to: 47 },
];

export type PrefectureRegion = { name: string; prefectures: readonly Prefecture[] };

export const PREFECTURE_REGIONS: readonly PrefectureRegion[] = REGIONS.map((r) => ({
  name: r.name,
  prefectures: PREFECTURE_LIST.filter((p) => p.code >= r.from && p.code <= r.to),
}));
