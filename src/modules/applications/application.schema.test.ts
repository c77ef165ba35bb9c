import { describe, expect, it } from 'vitest';
import type { ExtraQuestion } from '../programmes/questions.js';
import { applicationSchema, draftSchema, eligibilitySchema } from './application.schema.js';

const questions: ExtraQuestion[] = [
  { id: 'motivation', label: '志望動機', kind: 'long_text', required: true, options: [], maxLength: 800 },
  { id: 'track', label: '希望コース', kind: 'choice', required: true, options: ['データ活用', '業務改善'] },
  { id: 'tools', label: '使えるツール', kind: 'multi_choice', required: false, options: ['Excel', 'Python'] },
];
const programme = { extraQuestions: questions, commitmentRequired: true };

const valid = {
  fullName: '山田 太郎',
  furigana: 'やまだ たろう',
  email: 'Taro@Example.JP',
  prefectureCode: '13',
  occupation: 'worker',
  affiliation: '株式会社テスト',
  pledge: 'yes',
  consentPurpose: 'yes',
  consentProvision: 'yes',
  idempotencyKey: 'k'.repeat(43),
  q_motivation: '地域の企業の DX に関わりたいからです。',
  q_track: 'データ活用',
  q_tools: ['Excel', 'Python'],
};

describe('application schema', () => {
  it('normalises: NFKC digits and spaces, katakana furigana, lower-case e-mail, answers by question id', () => {
    const r = applicationSchema(programme).parse({
      ...valid,
      fullName: '　山田　　太郎１２３　',
      furigana: 'やまだ　たろう',
      prefectureCode: '１３',
      affiliation: 'ＡＢＣ株式会社',
    });
    expect(r).toMatchObject({
      fullName: '山田 太郎123',
      furigana: 'ヤマダ タロウ',
      email: 'taro@example.jp',
      prefectureCode: 13,
      occupation: 'worker',
      affiliation: 'ABC株式会社',
      pledge: true,
      answers: {
        motivation: '地域の企業の DX に関わりたいからです。',
        track: 'データ活用',
        tools: ['Excel', 'Python'],
      },
    });
  });

  it('keeps rare kanji, surrogate pairs, emoji and markup exactly as typed', () => {
    const r = applicationSchema(programme).parse({
      ...valid,
      fullName: '髙橋 𠮷子 😀',
      affiliation: "<script>alert(1)</script>'; drop table applications; --",
      q_motivation: '<b>太字</b>\r\n二行目',
    });
    expect(r.fullName).toBe('髙橋 𠮷子 😀');
    expect(r.affiliation).toBe("<script>alert(1)</script>'; drop table applications; --");
    expect(r.answers.motivation).toBe('<b>太字</b>\n二行目');
  });

  it('requires every field, the pledge and both consents, with Japanese messages per field', () => {
    const r = applicationSchema(programme).safeParse({ idempotencyKey: 'k'.repeat(43) });
    expect(r.success).toBe(false);
    const fields = new Set(r.error?.issues.map((i) => String(i.path[0])));
    for (const f of [
      'fullName',
      'furigana',
      'email',
      'prefectureCode',
      'occupation',
      'affiliation',
      'pledge',
      'consentPurpose',
      'consentProvision',
      'q_motivation',
      'q_track',
    ])
      expect(fields.has(f), f).toBe(true);
    expect(fields.has('q_tools')).toBe(false);
    expect(r.error?.issues.find((i) => i.path[0] === 'fullName')?.message).toBe('氏名を入力してください');
  });

  it('enforces the limits the page shows', () => {
    const over = applicationSchema(programme).safeParse({
      ...valid,
      fullName: 'あ'.repeat(101),
      affiliation: 'a'.repeat(201),
      q_motivation: 'x'.repeat(801),
    });
    const msg = (f: string) => over.error?.issues.find((i) => i.path[0] === f)?.message;
    expect(msg('fullName')).toBe('氏名は100文字以内で入力してください');
    expect(msg('affiliation')).toBe('学校名・勤務先は200文字以内で入力してください');
    expect(msg('q_motivation')).toBe('800文字以内で入力してください');
    expect(applicationSchema(programme).safeParse({ ...valid, fullName: 'あ'.repeat(100) }).success).toBe(
      true,
    );
  });

  it('refuses non-kana furigana, control characters, unknown choices and a bad prefecture', () => {
    const bad = (patch: Record<string, unknown>) =>
      applicationSchema(programme).safeParse({ ...valid, ...patch }).success;
    expect(bad({ furigana: 'Yamada' })).toBe(false);
    expect(bad({ fullName: '山田\u0007太郎' })).toBe(false);
    expect(bad({ q_track: 'ほか' })).toBe(false);
    expect(bad({ prefectureCode: '48' })).toBe(false);
    expect(bad({ occupation: 'retired' })).toBe(false);
    expect(bad({ email: 'not-an-address' })).toBe(false);
    expect(bad({ idempotencyKey: 'short' })).toBe(false);
  });

  it('does not need the pledge when the programme does not ask for it', () => {
    const r = applicationSchema({ ...programme, commitmentRequired: false }).safeParse({
      ...valid,
      pledge: '',
    });
    expect(r.success).toBe(true);
  });

  it('saves drafts with limits but without required fields or formats', () => {
    const d = draftSchema(programme).parse({ fullName: '山田', furigana: 'やまだ', email: 'half-typed@' });
    expect(d).toMatchObject({
      fullName: '山田',
      furigana: 'ヤマダ',
      email: 'half-typed@',
      prefectureCode: null,
      occupation: null,
      affiliation: null,
      pledge: false,
    });
    expect(draftSchema(programme).safeParse({ fullName: 'あ'.repeat(101) }).success).toBe(false);
    expect(draftSchema(programme).safeParse({ q_motivation: 'x'.repeat(801) }).success).toBe(false);
  });

  it('asks each eligibility question with its own choices', () => {
    const s = eligibilitySchema([
      {
        id: 'age',
        label: '18歳以上',
        kind: 'yes_no',
        options: [],
        acceptable: ['yes'],
        ineligibleMessage: 'x',
      },
    ]);
    expect(s.safeParse({ e_age: 'yes' }).success).toBe(true);
    expect(s.safeParse({ e_age: 'maybe' }).success).toBe(false);
    expect(s.safeParse({}).error?.issues[0]?.message).toBe('回答を選んでください');
  });
});
