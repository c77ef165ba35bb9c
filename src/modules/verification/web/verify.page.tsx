import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import {
  CsrfField,
  ErrorSummary,
  FileField,
  Notice,
  TextAreaField,
  TextField,
} from '../../../web/components/form.js';
import type { StepOutcome, VerificationSummary } from '../../badges/verify.js';
import { STEP_LABEL } from '../../badges/verify.labels.js';
import { MAX_UPLOAD_BYTES, type Verification } from '../verification.service.js';

export const FIELD_LABELS = {
  url: 'バッジの URL',
  credential: 'バッジのデータ(JSON または JWT)',
  file: 'バッジの画像(PNG・SVG)',
  email: '受領者のメールアドレス',
} as const;

const SUMMARY: Record<VerificationSummary, { text: string; kind: 'success' | 'warning' | 'info' }> = {
  valid: { text: '有効なバッジです', kind: 'success' },
  invalid: { text: '有効なバッジではありません', kind: 'warning' },
  revoked: { text: 'このバッジは失効しています', kind: 'warning' },
  indeterminate: { text: '確認できなかった項目があります', kind: 'info' },
};

const OUTCOME: Record<StepOutcome, string> = {
  passed: '確認済み',
  failed: '不合格',
  unknown: '確認できず',
  skipped: '対象外',
};

type Values = { url?: string | undefined; credential?: string | undefined; email?: string | undefined };

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** A credential's date in Japan time, as the rest of the site shows dates; what does not parse, as written. */
function jst(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : `${formatJst(d)}(日本時間)`;
}

/** What the checked credential says it is: the achievement, the issuer, the date. */
function Facts(p: { credential: Record<string, unknown> }) {
  const subject = p.credential.credentialSubject as Record<string, unknown> | undefined;
  const achievement = subject?.achievement as Record<string, unknown> | undefined;
  const issuer = p.credential.issuer as Record<string, unknown> | string | undefined;
  const issuerName = typeof issuer === 'string' ? issuer : (str(issuer?.name) ?? str(issuer?.id));
  return (
    <dl class="facts">
      <dt>バッジ</dt>
      <dd>{str(achievement?.name) ?? '—'}</dd>
      <dt>発行者</dt>
      <dd>{issuerName ?? '—'}</dd>
      <dt>有効開始</dt>
      <dd>{jst(str(p.credential.validFrom)) ?? '—'}</dd>
      {str(p.credential.validUntil) ? (
        <>
          <dt>有効期限</dt>
          <dd>{jst(str(p.credential.validUntil))}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function VerificationResultView(p: { v: Verification }) {
  const { v } = p;
  return (
    <section aria-labelledby="h-result" class="verification-result">
      <h2 id="h-result" tabindex={-1}>
        検証結果
      </h2>
      <p>確認したもの: {v.source}</p>
      {v.problem ? <Notice kind="warning">{v.problem}</Notice> : null}
      {v.result ? (
        <>
          <Notice kind={SUMMARY[v.result.summary].kind}>
            <strong>{SUMMARY[v.result.summary].text}</strong>
          </Notice>
          {v.result.credential ? <Facts credential={v.result.credential} /> : null}
          <div class="table-scroll">
            <table class="data-table">
              <caption>検証の手順と結果</caption>
              <thead>
                <tr>
                  <th scope="col">手順</th>
                  <th scope="col">結果</th>
                  <th scope="col">説明</th>
                </tr>
              </thead>
              <tbody>
                {v.result.steps.map((s, i) => (
                  <tr class={`step-${s.outcome}`}>
                    <th scope="row">
                      {i + 1}. {STEP_LABEL[s.step]}
                    </th>
                    <td class="nowrap">{OUTCOME[s.outcome]}</td>
                    <td>{s.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {v.result.refusedUrls.length > 0 ? (
            <>
              <p>次の外部の文書は取得していません(このサイトは外部へ通信しません):</p>
              <ul>
                {v.result.refusedUrls.map((u) => (
                  <li>
                    <code>{u}</code>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

export function VerifyPage(p: {
  csrf: string;
  values?: Values;
  errors?: FieldErrors | undefined;
  verification?: Verification | null;
}) {
  const values = p.values ?? {};
  return (
    <>
      <h1>バッジの検証</h1>
      <p>
        マナビDX Quest のオープンバッジ(Open Badges
        3.0)が本物か、失効していないかを確かめられます。次のどれか1つを指定してください。
        検証はこのサイトの中だけで行い、外部のサーバーには問い合わせません。
      </p>
      {p.verification ? <VerificationResultView v={p.verification} /> : null}
      <ErrorSummary errors={p.errors} labels={FIELD_LABELS} />
      <form method="post" action="/verify" enctype="multipart/form-data" novalidate>
        <CsrfField token={p.csrf} />
        <TextField
          name="url"
          type="url"
          label={FIELD_LABELS.url}
          hint="このサイトで発行されたバッジのページの URL(例: https://…/badges/…)"
          value={values.url}
          maxLength={2000}
          error={p.errors?.url}
        />
        <TextAreaField
          name="credential"
          label={FIELD_LABELS.credential}
          hint="バッジのファイル(.json)の中身、または JWT を貼り付けてください(256KB まで)"
          value={values.credential}
          rows={6}
          error={p.errors?.credential}
        />
        <FileField
          name="file"
          label={FIELD_LABELS.file}
          hint={`バッジのデータが埋め込まれた PNG または SVG の画像(${MAX_UPLOAD_BYTES / 1024 / 1024}MB まで)`}
          accept="image/png,image/svg+xml,.png,.svg"
          error={p.errors?.file}
        />
        <TextField
          name="email"
          type="email"
          label={FIELD_LABELS.email}
          hint="任意。バッジの受領者本人のものか確かめる場合に入力します(保存はしません)"
          value={values.email}
          maxLength={254}
          autocomplete="off"
          error={p.errors?.email}
        />
        <button type="submit" class="button">
          検証する
        </button>
      </form>
    </>
  );
}
