import type { OrganisationKind } from '../../../db/schema.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, fieldsOf, Notice, SelectField, TextField } from '../../../web/components/form.js';
import { FilterForm, PostForm } from '../../../web/components/form-shells.js';
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
      <FilterForm action="/admin/organisations">
        <SelectField
          name="kind"
          label="種別で絞り込む"
          options={kindOptions}
          placeholder="すべて"
          value={p.kind ?? ''}
        />
      </FilterForm>
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
  const field = fieldsOf(ORG_LABELS, p.values, p.errors);
  return (
    <>
      <TextField {...field('name')} required maxLength={LIMITS.name} />
      <TextField
        {...field('nameEn')}
        maxLength={LIMITS.nameEn}
        hint="任意。英語の資料やバッジに表示する名称です。"
        autocomplete="off"
      />
      <SelectField {...field('kind')} required options={kindOptions} placeholder="選択してください" />
      <SelectField
        {...field('prefectureCode')}
        hint="地域ハブ団体は必ず選択してください。"
        options={prefectureOptions}
        placeholder="選択してください"
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
      <PostForm action={p.action} csrf={p.csrf} submit={p.submit}>
        <OrganisationFields errors={p.errors} values={p.values} />
      </PostForm>
      <p>
        <a href={p.back}>戻る</a>
      </p>
    </>
  );
}
