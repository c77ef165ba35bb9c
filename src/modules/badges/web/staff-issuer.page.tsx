import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import {
  ErrorSummary,
  FileField,
  fieldsOf,
  Notice,
  TextAreaField,
  TextField,
} from '../../../web/components/form.js';
import { PostForm } from '../../../web/components/form-shells.js';
import type { IssuerKeyView, IssuerProfileView } from '../issuer.service.js';
import { paths } from '../urls.js';
import { BadgeNav, IssuerLine, type OrgContext, staffPaths, UploadForm } from './staff-shared.js';

// /admin/badges/issuer: the organisation's issuer profile (what every badge it issues names as its issuer)
// and its signing keys — public halves only; the secret keys never leave issuer.service.ts — with key
// rotation behind a confirmation page.

export const ISSUER_LABELS = {
  name: '発行者名',
  url: 'ウェブサイトの URL',
  email: '問い合わせ先メールアドレス',
  description: '説明',
  image: '発行者の画像(ロゴ)',
} as const;

export const ISSUER_DONE: Record<string, string> = {
  saved:
    '発行者プロフィールを保存しました。これから発行するバッジに使われます(発行済みのバッジは変わりません)。',
  rotated:
    '署名鍵を更新しました。これから発行するバッジは新しい鍵で署名します。以前の鍵で署名したバッジも引き続き検証できます。',
};

const KEY_STATUS = { active: '使用中', retired: '使用終了(検証用に公開)' } as const;

export function profileValues(p: IssuerProfileView): Record<string, string> {
  return { name: p.name, url: p.url, email: p.email ?? '', description: p.description };
}

function Keys(p: { keys: IssuerKeyView[] }) {
  if (p.keys.length === 0) {
    return <p>署名鍵はまだありません。最初のバッジを発行するときに作られます。</p>;
  }
  return (
    <div class="table-scroll">
      <table class="data-table">
        <caption>署名鍵(公開鍵のみ。秘密鍵は暗号化して保管され、どの画面にも表示されません)</caption>
        <thead>
          <tr>
            <th scope="col">鍵 ID</th>
            <th scope="col">公開鍵(Multikey)</th>
            <th scope="col">作成日時(日本時間)</th>
            <th scope="col">状態</th>
          </tr>
        </thead>
        <tbody>
          {p.keys.map((k) => (
            <tr>
              <th scope="row">
                <code>{k.verificationMethod}</code>
              </th>
              <td>
                <code>{k.publicKeyMultibase}</code>
              </td>
              <td>{formatJst(k.createdAt)}</td>
              <td>{KEY_STATUS[k.status]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function IssuerPage(p: {
  org: OrgContext;
  csrf: string;
  profile: IssuerProfileView;
  keys: IssuerKeyView[];
  values: Record<string, string>;
  errors?: FieldErrors | undefined;
  done?: string | undefined;
}) {
  const field = fieldsOf(ISSUER_LABELS, p.values, p.errors);
  const manage = p.org.can('badges.manage');
  const did = paths.didDocument(p.org.orgId);
  return (
    <>
      <h1>発行者プロフィールと署名鍵</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="issuer" />
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={p.errors} labels={ISSUER_LABELS} />
      <dl class="summary-list">
        <dt>発行者 ID</dt>
        <dd>
          <code>{p.profile.issuerId}</code>
        </dd>
        <dt>公開鍵の文書</dt>
        <dd>
          <a href={did}>{did}</a>
        </dd>
        <dt>公開プロフィール</dt>
        <dd>
          <a href={paths.issuerProfile(p.org.orgId)}>{paths.issuerProfile(p.org.orgId)}</a>
        </dd>
        {p.profile.imageUrl ? (
          <>
            <dt>画像</dt>
            <dd>
              <img src={p.profile.imageUrl} alt={`${p.profile.name}の画像`} width={96} height={96} />
            </dd>
          </>
        ) : null}
      </dl>
      <section aria-labelledby="h-profile">
        <h2 id="h-profile">プロフィール</h2>
        {p.profile.saved ? null : (
          <Notice>まだ保存されていません。組織名とこのサイトの URL が使われます。</Notice>
        )}
        {manage ? (
          <UploadForm action="/admin/badges/issuer" csrf={p.csrf} submit="保存する">
            <input type="hidden" name="orgId" value={p.org.orgId} />
            <TextField
              {...field('name')}
              required
              maxLength={200}
              hint="バッジに発行者として表示されます(200文字以内)。"
            />
            <TextField {...field('url')} required type="url" maxLength={2000} hint="http(s) で始まる URL" />
            <TextField {...field('email')} type="email" maxLength={254} autocomplete="off" hint="任意" />
            <TextAreaField {...field('description')} rows={4} maxLength={2000} hint="任意(2000文字以内)" />
            <FileField
              name="image"
              label={ISSUER_LABELS.image}
              error={p.errors?.image}
              accept=".png,.svg,image/png,image/svg+xml"
              hint="任意。PNG か SVG。選ばなければ今の画像のままです。"
            />
          </UploadForm>
        ) : (
          <dl class="summary-list">
            <dt>{ISSUER_LABELS.name}</dt>
            <dd>{p.profile.name}</dd>
            <dt>{ISSUER_LABELS.url}</dt>
            <dd>{p.profile.url}</dd>
            <dt>{ISSUER_LABELS.email}</dt>
            <dd>{p.profile.email ?? '—'}</dd>
            <dt>{ISSUER_LABELS.description}</dt>
            <dd class="prose-text">{p.profile.description || '—'}</dd>
          </dl>
        )}
      </section>
      <section aria-labelledby="h-keys">
        <h2 id="h-keys">署名鍵</h2>
        <Keys keys={p.keys} />
        {manage && p.keys.length > 0 ? (
          <p>
            <a href={staffPaths.rotate(p.org.orgId)}>署名鍵を更新する(ローテーション)</a>
          </p>
        ) : null}
      </section>
    </>
  );
}

export function RotateConfirmPage(p: {
  org: OrgContext;
  csrf: string;
  active: IssuerKeyView | undefined;
  error?: string | undefined;
}) {
  return (
    <>
      <h1>署名鍵の更新の確認</h1>
      <IssuerLine org={p.org} />
      <ErrorSummary errors={p.error ? { _form: p.error } : undefined} labels={{}} />
      <p>署名鍵を更新すると、次のようになります。</p>
      <ul>
        <li>新しい鍵を作り、これから発行するバッジはその鍵で署名します。</li>
        <li>
          今の鍵{p.active ? <code>{p.active.verificationMethod}</code> : null}
          は使用を終えますが、公開鍵の文書に残るため、これまでに発行したバッジは引き続き検証できます。
        </li>
        <li>鍵の更新は監査ログに記録されます。元に戻すことはできません。</li>
      </ul>
      <PostForm action="/admin/badges/issuer/rotate" csrf={p.csrf} submit="署名鍵を更新する">
        <input type="hidden" name="orgId" value={p.org.orgId} />
        <input type="hidden" name="confirmed" value="yes" />
      </PostForm>
      <p>
        <a href={staffPaths.issuer(p.org.orgId)}>更新せずに戻る</a>
      </p>
    </>
  );
}
