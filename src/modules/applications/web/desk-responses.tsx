import type { FieldErrors } from '../../../lib/errors.js';
import type { AppContext } from '../../../web/context.js';
import { validate } from '../../../web/forms.js';
import { render } from '../../../web/render.js';
import type { DeskFilter } from '../desk.repository.js';
import { deskFilterSchema, toFilter } from '../desk.schema.js';
import { getApplicationDetail, listApplications } from '../desk.service.js';
import { DetailPage, type ReviewFormState } from './desk-detail.page.js';
import { doneMessage } from './desk-fields.js';
import { ListPage } from './desk-list.page.js';

// The desk's two main pages as responses, shared by the routes that show them after a form (with errors
// or a conflict). Each runs its use case, so the refusal for another organisation comes before anything.

const LIST_DONE: Record<string, string> = {
  decided: '{n}件の状況を変更しました。',
  promoted: '補欠の先頭を繰り上げて合格にしました。決定通知メールを送信しました。',
};
const DETAIL_DONE: Record<string, string> = {
  reviewed: '採点を送信しました。',
  conflict: '利益相反を申告しました。この申込みの合計点からあなたは除かれます。',
  conflict_withdrawn: '利益相反の申告を取り下げました。',
  decided: '状況を変更しました。',
};

/** The list page, also used to show a bulk form's errors (the filter then is the one in the query). */
export async function listPage(
  c: AppContext,
  programmeId: string,
  opts: { errors?: FieldErrors; values?: Record<string, string> } = {},
  status: 200 | 409 | 422 = 200,
) {
  const q = c.req.query();
  const form = validate(deskFilterSchema, q, q);
  const filter: DeskFilter = form.ok ? toFilter(form.data) : {};
  const page = form.ok ? form.data.page : 1;
  const d = await listApplications(c.get('deps'), c.get('actor'), programmeId, filter, page);
  const errors = opts.errors ?? (form.ok ? undefined : form.errors);
  return render(
    c,
    `${d.programme.title}: 申込み一覧`,
    <ListPage
      d={d}
      filter={filter}
      values={{ ...q, ...opts.values }}
      csrf={c.get('csrfToken')}
      done={doneMessage(c, LIST_DONE)}
      errors={errors}
    />,
    form.ok ? status : 422,
  );
}

export async function detailPage(
  c: AppContext,
  applicationId: string,
  extra: { review?: ReviewFormState; formError?: string } = {},
  status: 200 | 409 | 422 = 200,
) {
  const d = await getApplicationDetail(c.get('deps'), c.get('actor'), applicationId);
  return render(
    c,
    `${d.application.number} ${d.application.fullName}`,
    <DetailPage d={d} csrf={c.get('csrfToken')} done={doneMessage(c, DETAIL_DONE)} {...extra} />,
    status,
  );
}
