import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import {
  CheckboxField,
  ErrorSummary,
  fieldsOf,
  TextAreaField,
  TextField,
} from '../../../web/components/form.js';
import { PostForm } from '../../../web/components/form-shells.js';
import type { IssuedBadgeDetail } from '../badge-list.service.js';
import { IssuerLine, type OrgContext, staffPaths } from './staff-shared.js';

// The two actions on an issued badge: revoking it (a required reason, then a confirmation page; nothing
// signed changes, its status-list bit does) and correcting it (a new badge with the same award date; the old
// one is revoked as "corrected").

export const REVOKE_LABELS = { reason: '取り消しの理由' } as const;
export const REVOKE_REASON_MAX = 500;

export const CORRECT_LABELS = {
  name: '氏名',
  email: 'メールアドレス',
  evidenceUrl: '根拠 URL',
  narrative: '所見',
  useCurrentVersion: '公開中の版で発行し直す',
  note: '訂正の理由(監査ログに記録)',
} as const;

export function RevokePage(p: {
  org: OrgContext;
  csrf: string;
  b: IssuedBadgeDetail;
  /** 'form': enter the reason; 'confirm': the reason entered, asking to confirm. */
  step: 'form' | 'confirm';
  values: Record<string, string>;
  errors?: FieldErrors | undefined;
}) {
  const { b } = p;
  const field = fieldsOf(REVOKE_LABELS, p.values, p.errors);
  const action = `${staffPaths.credential(b.id)}/revoke`;
  return (
    <>
      <h1>{p.step === 'confirm' ? 'バッジの取り消しの確認' : 'バッジの取り消し'}</h1>
      <IssuerLine org={p.org} />
      <ErrorSummary errors={p.errors} labels={REVOKE_LABELS} />
      <dl class="summary-list">
        <dt>バッジ</dt>
        <dd>{`${b.achievementName}(第${b.version}版)`}</dd>
        <dt>受領者</dt>
        <dd>
          {b.recipientName}({b.recipientEmail})
        </dd>
        <dt>発行</dt>
        <dd>{formatJst(b.issuedAt)}</dd>
      </dl>
      {p.step === 'form' ? (
        <PostForm action={action} csrf={p.csrf} submit="確認へ進む">
          <p>
            取り消したバッジは、検証すると「失効」と表示されます。元に戻すことはできません。内容の誤りを直すときは「訂正して発行し直す」を使ってください。
          </p>
          <TextAreaField
            {...field('reason')}
            required
            rows={3}
            maxLength={REVOKE_REASON_MAX}
            hint={`${REVOKE_REASON_MAX}文字以内。監査ログに記録されます(受領者には表示されません)。`}
          />
        </PostForm>
      ) : (
        <PostForm action={action} csrf={p.csrf} submit="取り消す">
          <dl class="summary-list">
            <dt>{REVOKE_LABELS.reason}</dt>
            <dd class="prose-text">{p.values.reason}</dd>
          </dl>
          <p>このバッジを取り消します。元に戻すことはできません。</p>
          <input type="hidden" name="reason" value={p.values.reason ?? ''} />
          <input type="hidden" name="confirmed" value="yes" />
        </PostForm>
      )}
      <p>
        <a href={staffPaths.credential(b.id)}>取り消さずに戻る</a>
      </p>
    </>
  );
}

export function CorrectPage(p: {
  org: OrgContext;
  csrf: string;
  b: IssuedBadgeDetail;
  publishedVersion: number | null;
  values: Record<string, string>;
  errors?: FieldErrors | undefined;
}) {
  const { b } = p;
  const field = fieldsOf(CORRECT_LABELS, p.values, p.errors);
  return (
    <>
      <h1>バッジの訂正</h1>
      <IssuerLine org={p.org} />
      <ErrorSummary errors={p.errors} labels={CORRECT_LABELS} />
      <p>
        署名済みのバッジは変更できないため、訂正した内容で新しいバッジを発行し(授与日は元のまま)、元のバッジを「訂正」として取り消します。受領者には新しい受け取り用のリンクをメールで送ります。
      </p>
      <dl class="summary-list">
        <dt>バッジ</dt>
        <dd>{`${b.achievementName}(第${b.version}版)`}</dd>
        <dt>授与日</dt>
        <dd>{formatJst(b.awardedAt)}</dd>
      </dl>
      <PostForm action={`${staffPaths.credential(b.id)}/correct`} csrf={p.csrf} submit="訂正して発行し直す">
        <TextField {...field('name')} required maxLength={100} autocomplete="off" />
        <TextField {...field('email')} required type="email" maxLength={254} autocomplete="off" />
        <TextField {...field('evidenceUrl')} type="url" maxLength={2000} hint="任意。http(s) の URL。" />
        <TextAreaField {...field('narrative')} rows={3} maxLength={2000} hint="任意(2000文字以内)。" />
        {p.publishedVersion !== null && p.publishedVersion !== b.version ? (
          <CheckboxField
            {...field('useCurrentVersion')}
            label={`${CORRECT_LABELS.useCurrentVersion}(第${p.publishedVersion}版)`}
            hint={`チェックしなければ、元のバッジと同じ第${b.version}版で発行します。`}
            checked={p.values.useCurrentVersion === 'yes'}
          />
        ) : null}
        <TextAreaField {...field('note')} rows={2} maxLength={500} hint="任意(500文字以内)。" />
      </PostForm>
      <p>
        <a href={staffPaths.credential(b.id)}>訂正せずに戻る</a>
      </p>
    </>
  );
}
