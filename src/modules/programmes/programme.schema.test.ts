import { describe, expect, it } from 'vitest';
import { validate } from '../../web/forms.js';
import {
  listFilterSchema,
  programmeContentSchema,
  programmeSchema,
  returnSchema,
} from './programme.schema.js';
import { eligibilityQuestionFormSchema, extraQuestionFormSchema } from './programme-questions.schema.js';

const FULL = {
  fiscalYear: '2026',
  title: '  地域DX　プログラム ',
  summary: '概要',
  descriptionMd: '## 見出し\r\n\r\n本文',
  format: 'hybrid',
  prefectureCodes: ['13', '1', '13'],
  venue: '千代田区',
  startsOn: '2026-08-01',
  endsOn: '2026-10-31',
  scheduleNote: '',
  opensAt: '2026-06-01T10:00',
  closesAt: '2026-07-01T17:00',
  capacity: '３０',
  feeYen: '22,000円',
  targetLearners: '社会人',
  weeklyHours: '６.5',
  commitmentRequired: 'yes',
  dxStage: 'pattern1',
  skillCodes: ['1.1.1', '2.1.1'],
};

describe('programme form schema', () => {
  it('normalises Japanese input and reads times as JST', () => {
    const r = validate(programmeSchema, FULL);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.title).toBe('地域DX プログラム');
    expect(r.data.descriptionMd).toBe('## 見出し\n\n本文');
    expect(r.data.prefectureCodes).toEqual([1, 13]);
    expect(r.data.capacity).toBe(30);
    expect(r.data.feeYen).toBe(22000);
    expect(r.data.weeklyHours).toBe(6.5);
    expect(r.data.opensAt?.toISOString()).toBe('2026-06-01T01:00:00.000Z');
    expect(r.data.closesAt?.toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(r.data.commitmentRequired).toBe(true);
    expect(r.data.skillCodes).toEqual(['1.1.1', '2.1.1']);
  });

  it('lets a draft be half-done: blanks become null, an unticked box false, one checkbox a list', () => {
    const r = validate(programmeSchema, {
      fiscalYear: '2026',
      title: 'x',
      format: 'online',
      feeYen: '0',
      prefectureCodes: '47',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data).toMatchObject({
      capacity: null,
      weeklyHours: null,
      opensAt: null,
      startsOn: null,
      dxStage: null,
      commitmentRequired: false,
      prefectureCodes: [47],
      skillCodes: [],
    });
  });

  it('answers bad input with Japanese messages on the right fields', () => {
    const r = validate(programmeSchema, {
      ...FULL,
      title: '　',
      format: 'x',
      prefectureCodes: ['48'],
      capacity: '0',
      feeYen: '',
      weeklyHours: '81',
      opensAt: '2026-02-30T10:00',
      endsOn: '2026-07-01',
      dxStage: 'pattern9',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toMatchObject({
      title: 'プログラム名を入力してください',
      format: '実施形式を選択してください',
      prefectureCodes: '都道府県を一覧から選択してください',
      capacity: '定員は1〜100,000の整数で入力してください',
      feeYen: '受講料を入力してください(無料の場合は0)',
      weeklyHours: '学習時間は0〜80の数(小数は1桁まで)で入力してください',
      opensAt: '募集開始日時は正しい日時で入力してください',
      dxStage: 'DXの段階を一覧から選択してください',
    });
  });

  it('checks the order of dates and of the window', () => {
    const r = validate(programmeSchema, { ...FULL, endsOn: '2026-07-31', closesAt: '2026-06-01T10:00' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.endsOn).toBe('終了日は開始日以降の日付にしてください');
    expect(r.errors.closesAt).toBe('募集締切日時は募集開始日時より後にしてください');
  });

  it('enforces the stored limits and refuses control characters', () => {
    const r = validate(programmeSchema, { ...FULL, title: 'あ'.repeat(121), venue: 'a\u0007b' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.title).toBe('プログラム名は120文字以内で入力してください');
    expect(r.errors.venue).toBe('使用できない文字が含まれています');
  });

  it('keeps script text as typed (escaping is the page’s job)', () => {
    const r = validate(programmeContentSchema, { title: '<script>alert(1)</script>' });
    expect(r.ok && r.data.title).toBe('<script>alert(1)</script>');
  });

  it('requires a comment to send a programme back', () => {
    const r = validate(returnSchema, { comment: ' \n ' });
    expect(!r.ok && r.errors.comment).toBe('差し戻しの理由を入力してください');
  });

  it('reads list filters forgivingly', () => {
    expect(listFilterSchema.parse({ status: 'published', layer: '3', fy: '2026', org: 'nope' })).toEqual({
      status: 'published',
      layer: 3,
      fy: 2026,
      org: undefined,
    });
    expect(listFilterSchema.parse({ status: 'x', layer: '9', fy: 'abc' })).toEqual({
      status: undefined,
      layer: undefined,
      fy: undefined,
      org: undefined,
    });
  });
});

describe('question forms', () => {
  it('builds an eligibility question, mapping はい/いいえ to stored answers', () => {
    const r = validate(eligibilityQuestionFormSchema, {
      kind: 'yes_no',
      label: '18歳以上ですか',
      acceptable: 'はい',
      ineligibleMessage: '18歳以上の方が対象です。',
    });
    expect(r.ok && r.data).toEqual({
      label: '18歳以上ですか',
      help: undefined,
      kind: 'yes_no',
      options: [],
      acceptable: ['yes'],
      ineligibleMessage: '18歳以上の方が対象です。',
    });
  });

  it('requires acceptable answers that exist among the options', () => {
    const r = validate(eligibilityQuestionFormSchema, {
      kind: 'choice',
      label: '居住地',
      options: '県内\n県外',
      acceptable: '海外',
      ineligibleMessage: 'x',
    });
    expect(!r.ok && r.errors.acceptable).toBe('受け付ける回答は選択肢と同じ文言で入力してください');
  });

  it('builds extra questions with limits only where they apply', () => {
    const r = validate(extraQuestionFormSchema, {
      kind: 'multi_choice',
      label: '関心分野',
      options: 'データ\nAI\n\nデータ\n業務改善',
      maxSelect: '2',
      maxLength: '300',
      required: 'yes',
    });
    expect(r.ok && r.data).toEqual({
      label: '関心分野',
      help: undefined,
      kind: 'multi_choice',
      required: true,
      options: ['データ', 'AI', '業務改善'],
      maxSelect: 2,
    });
    const bad = validate(extraQuestionFormSchema, {
      kind: 'choice',
      label: 'x',
      options: 'ひとつ',
      maxLength: '5000',
    });
    expect(!bad.ok && bad.errors).toMatchObject({
      options: '選択肢を2つ以上入力してください',
      maxLength: '最大文字数は1〜4000の整数で入力してください',
    });
  });
});
