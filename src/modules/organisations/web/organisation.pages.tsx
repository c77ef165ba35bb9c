import type { OrganisationKind } from '../../../db/schema.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { CsrfField, ErrorSummary, Notice, SelectField, TextField } from '../../../web/components/form.js';
import { ORG_KIND_LABEL, ORG_KINDS } from '../organisation.labels.js';
import { LIMITS } from '../organisation.schema.js';
import type { OrganisationListItem } from '../organisation.service.js';
import { PREFECTURE_LIST } from '../prefectures.js';

// Views only: what the pages look like, from view models the services return. Routes: organisation.routes.tsx.

/** ?done=… → a fixed message (never text from the URL itself). */
export const DONE: Record<string, string> = {
  created: '組織を登録しました。',
  updated: '組織情報を更新しました。',
  invited: '招待メールを送信しました。招待の有効期限は7日間です。',
  invitation_revoked: '招待を取り消しました。',
  role_changed: '役割を変更しました。',
  removed: 'メンバーを組織から外しました。',
};

export const ORG_LABELS = { name: '組織名', nameEn: '英語名', kind: '種別', prefectureCode: '都道府県' };
export const INVITE_LABELS = { email: 'メールアドレス', role: '役割' };

const kindOptions = ORG_KINDS.map((k) => ({ value: k, label: ORG_KIND_LABEL[k] }));
const prefectureOptions = PREFECTURE_LIST.map((p) => ({ value: String(p.code), label: p.name }));

export type FormState = { errors?: FieldErrors | undefined; values?: Record<string, string> | undefined };

export function ListPage(p: {
  orgs: OrganisationListItem[];
  kind: OrganisationKind | undefined;
  canCreate: boolean;
  done?: string | undefined;
}) {
  return (
    <>
      <h1>組織一覧</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      {p.canCreate ? (
        <p>
          <a class="button" href="/admin/organisations/new">
            組織を登録する
          </a>
        </p>
      ) : null}
      <form method="get" action="/admin/organisations" class="filter-form">
        <SelectField
          name="kind"
          label="種別で絞り込む"
          options={kindOptions}
          placeholder="すべて"
          value={p.kind ?? ''}
        />
        <button type="submit" class="button button-secondary">
          絞り込む
        </button>
      </form>
      <table class="data-table">
        <caption>
          {p.kind ? `${ORG_KIND_LABEL[p.kind]}の組織` : 'すべての組織'}({p.orgs.length}件)
        </caption>
        <thead>
          <tr>
            <th scope="col">組織名</th>
            <th scope="col">種別</th>
            <th scope="col">地域</th>
            <th scope="col">メンバー数</th>
          </tr>
        </thead>
        <tbody>
          {p.orgs.map((o) => (
            <tr>
              <th scope="row">
                {o.canView ? <a href={`/admin/organisations/${o.id}`}>{o.name}</a> : o.name}
              </th>
              <td>{ORG_KIND_LABEL[o.kind]}</td>
              <td>{o.prefectureName || '—'}</td>
              <td class="number">{o.memberCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.orgs.length === 0 ? <p>該当する組織はありません。</p> : null}
    </>
  );
}

export function OrganisationFields(p: FormState) {
  const v = p.values ?? {};
  const e = p.errors ?? {};
  return (
    <>
      <TextField
        name="name"
        label={ORG_LABELS.name}
        required
        maxLength={LIMITS.name}
        value={v.name}
        error={e.name}
      />
      <TextField
        name="nameEn"
        label={ORG_LABELS.nameEn}
        maxLength={LIMITS.nameEn}
        hint="任意。英語の資料やバッジに表示する名称です。"
        value={v.nameEn}
        error={e.nameEn}
        autocomplete="off"
      />
      <SelectField
        name="kind"
        label={ORG_LABELS.kind}
        required
        options={kindOptions}
        placeholder="選択してください"
        value={v.kind}
        error={e.kind}
      />
      <SelectField
        name="prefectureCode"
        label={ORG_LABELS.prefectureCode}
        hint="地域ハブ団体は必ず選択してください。"
        options={prefectureOptions}
        placeholder="選択してください"
        value={v.prefectureCode}
        error={e.prefectureCode}
      />
    </>
  );
}

export function OrganisationFormPage(
  p: FormState & { title: string; action: string; submit: string; csrf: string; back: string },
) {
  return (
    <>
      <h1>{p.title}</h1>
      <ErrorSummary errors={p.errors} labels={ORG_LABELS} />
      <form method="post" action={p.action} novalidate>
        <CsrfField token={p.csrf} />
        <OrganisationFields errors={p.errors} values={p.values} />
        <button type="submit" class="button">
          {p.submit}
        </button>
      </form>
      <p>
        <a href={p.back}>戻る</a>
      </p>
    </>
  );
}
