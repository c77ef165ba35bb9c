import { describe, expect, it } from 'vitest';
import { validate } from '../../web/forms.js';
import {
  acceptInvitationSchema,
  invitationSchema,
  organisationSchema,
  roleChangeSchema,
} from './organisation.schema.js';
import { PREFECTURE_LIST, prefectureName } from './prefectures.js';

describe('organisation schema', () => {
  it('normalises names with NFKC and trims full-width spaces', () => {
    const r = validate(organisationSchema, {
      name: '\u3000ＤＸ推進ハブ　北海道 ',
      nameEn: '',
      kind: 'regional_hub',
      prefectureCode: '１',
    });
    expect(r.ok && r.data).toEqual({
      name: 'DX推進ハブ 北海道',
      nameEn: null,
      kind: 'regional_hub',
      prefectureCode: 1,
    });
  });

  it('requires a name of at most 100 characters', () => {
    const empty = validate(organisationSchema, { name: '　', kind: 'secretariat' });
    expect(!empty.ok && empty.errors.name).toBe('組織名を入力してください');
    const long = validate(organisationSchema, { name: 'あ'.repeat(101), kind: 'secretariat' });
    expect(!long.ok && long.errors.name).toBe('組織名は100文字以内で入力してください');
    const max = validate(organisationSchema, { name: 'あ'.repeat(100), kind: 'secretariat' });
    expect(max.ok).toBe(true);
  });

  it('limits the English name to 200 characters and makes it optional', () => {
    const r = validate(organisationSchema, { name: 'A', nameEn: 'x'.repeat(201), kind: 'ministry' });
    expect(!r.ok && r.errors.nameEn).toBe('英語名は200文字以内で入力してください');
    const none = validate(organisationSchema, { name: 'A', kind: 'ministry' });
    expect(none.ok && none.data.nameEn).toBeNull();
  });

  it('requires a known kind', () => {
    const r = validate(organisationSchema, { name: 'A', kind: 'company' });
    expect(!r.ok && r.errors.kind).toBe('組織の種別を選択してください');
  });

  it('requires a prefecture 1–47 for regional hubs only', () => {
    const missing = validate(organisationSchema, { name: 'A', kind: 'regional_hub', prefectureCode: '' });
    expect(!missing.ok && missing.errors.prefectureCode).toBe('地域ハブ団体は都道府県を選択してください');
    const out = validate(organisationSchema, { name: 'A', kind: 'regional_hub', prefectureCode: '48' });
    expect(!out.ok && out.errors.prefectureCode).toBe('都道府県を一覧から選択してください');
    const junk = validate(organisationSchema, { name: 'A', kind: 'regional_hub', prefectureCode: '1; drop' });
    expect(junk.ok).toBe(false);
    const operator = validate(organisationSchema, {
      name: 'A',
      kind: 'case_study_operator',
      prefectureCode: '',
    });
    expect(operator.ok && operator.data.prefectureCode).toBeNull();
  });

  it('rejects control characters in names', () => {
    const r = validate(organisationSchema, { name: 'A\u0007B', kind: 'ministry' });
    expect(!r.ok && r.errors.name).toBe('使用できない文字が含まれています');
  });

  it('validates invitations and role changes', () => {
    const ok = validate(invitationSchema, { email: ' Taro@Example.JP ', role: 'admin' });
    expect(ok.ok && ok.data).toEqual({ email: 'taro@example.jp', role: 'admin' });
    const bad = validate(invitationSchema, { email: 'taro', role: 'owner' });
    expect(!bad.ok && bad.errors.email).toContain('メールアドレスの形式');
    expect(!bad.ok && bad.errors.role).toBe('役割を選択してください');
    expect(validate(roleChangeSchema, { role: 'viewer' }).ok).toBe(true);
    expect(validate(roleChangeSchema, {}).ok).toBe(false);
  });

  it('checks the accepting password and its confirmation', () => {
    const mismatch = validate(acceptInvitationSchema, {
      displayName: '山田 太郎',
      password: 'a-long-passphrase-1',
      confirm: 'x',
    });
    expect(!mismatch.ok && mismatch.errors.confirm).toBe('確認用のパスワードが一致しません');
    const short = validate(acceptInvitationSchema, {
      displayName: '山田',
      password: 'short',
      confirm: 'short',
    });
    expect(!short.ok && short.errors.password).toContain('8文字以上');
    const ok = validate(acceptInvitationSchema, {
      displayName: '山田　太郎',
      password: 'a-long-passphrase-1',
      confirm: 'a-long-passphrase-1',
    });
    expect(ok.ok && ok.data).toEqual({ displayName: '山田 太郎', password: 'a-long-passphrase-1' });
  });
});

describe('prefectures', () => {
  it('lists the 47 prefectures in JIS X 0401 order', () => {
    expect(PREFECTURE_LIST).toHaveLength(47);
    expect(PREFECTURE_LIST[0]).toEqual({ code: 1, name: '北海道' });
    expect(prefectureName(13)).toBe('東京都');
    expect(prefectureName(27)).toBe('大阪府');
    expect(prefectureName(47)).toBe('沖縄県');
    expect(prefectureName(0)).toBe('');
    expect(prefectureName(48)).toBe('');
    expect(prefectureName(null)).toBe('');
  });
});
