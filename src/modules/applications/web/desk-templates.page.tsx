import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, Notice, TextAreaField } from '../../../web/components/form.js';
import { PostForm, SmallPost } from '../../../web/components/form-shells.js';
import { DECISION_PLACEHOLDERS } from '../../notifications/mail.templates.js';
import type { DecisionTemplateView } from '../decision.template.service.js';
import { TEMPLATE_MAX } from '../decision.templates.js';
import { DESK_BASE } from './desk-fields.js';

// The organisation's decision mail texts, one form per decision, each with a sample of the mail.

export const TEMPLATE_DONE: Record<string, string> = {
  saved: '文面を保存しました。',
  reset: '既定の文面に戻しました。',
};

export function TemplatesPage(p: {
  templates: DecisionTemplateView[];
  csrf: string;
  done?: string | undefined;
  failed?: { kind: string; errors: FieldErrors; value: string } | undefined;
}) {
  return (
    <>
      <h1>決定通知メールの文面</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      {p.failed ? (
        <ErrorSummary
          errors={{ [`body-${p.failed.kind}`]: p.failed.errors.body ?? '入力内容を確認してください' }}
          labels={Object.fromEntries(p.templates.map((t) => [`body-${t.kind}`, `${t.label}の本文`]))}
        />
      ) : null}
      <p>
        合格・補欠・不合格・受講確定のときに申込者へ送るメールの本文です。件名は固定です。本文では次の差し込み項目が使えます:{' '}
        {DECISION_PLACEHOLDERS.map((x) => `{${x}}`).join(' ')}
      </p>
      {p.templates.map((t) => {
        const failed = p.failed?.kind === t.kind ? p.failed : undefined;
        return (
          <section aria-labelledby={`h-${t.kind}`}>
            <h2 id={`h-${t.kind}`}>{t.label}</h2>
            <p>
              {t.isDefault
                ? '既定の文面を使っています。'
                : `${formatJst(t.updatedAt)} に ${t.updatedBy ?? '—'} が更新しました。`}
            </p>
            <PostForm
              action={`${DESK_BASE}/templates/${t.kind}`}
              csrf={p.csrf}
              submit={`${t.label}の文面を保存する`}
            >
              <TextAreaField
                name="body"
                id={`f-body-${t.kind}`}
                label={`${t.label}の本文`}
                required
                maxLength={TEMPLATE_MAX}
                rows={10}
                value={failed ? failed.value : t.body}
                error={failed?.errors.body}
              />
            </PostForm>
            {t.isDefault ? null : (
              <SmallPost
                action={`${DESK_BASE}/templates/${t.kind}/reset`}
                csrf={p.csrf}
                label={`${t.label}の文面を既定に戻す`}
                variant="secondary"
              />
            )}
            <h3>送信されるメールの見本</h3>
            <p>件名: {t.sample.subject}</p>
            <pre class="mail-body">{t.sample.text}</pre>
          </section>
        );
      })}
      <p>
        <a href={DESK_BASE}>申込み管理へ戻る</a>
      </p>
    </>
  );
}
