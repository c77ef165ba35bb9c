import type { ProgrammeStatus } from '../../../db/schema.js';
import { formatJst } from '../../../lib/clock.js';
import { Notice, SelectField } from '../../../web/components/form.js';
import { FilterForm } from '../../../web/components/form-shells.js';
import { LAYER_SHORT, PROGRAMME_STATUS_LABEL } from '../programme.labels.js';
import type { ProgrammeView } from '../programme.presenter.js';
import type { ListFilter } from '../programme.schema.js';
import type { StaffProgrammeList } from '../programme-admin.service.js';

// The management lists: an organisation's own programmes, every programme for the secretariat (with filters
// in the query string, so a filtered list is a shareable URL), and the secretariat's review queue.

const STATUSES: ProgrammeStatus[] = ['draft', 'submitted', 'published', 'closed', 'archived'];
const statusOptions = STATUSES.map((s) => ({ value: s, label: PROGRAMME_STATUS_LABEL[s] }));

function Table(p: {
  items: ProgrammeView[];
  caption: string;
  showOrg: boolean;
  dateLabel: string;
  date: (v: ProgrammeView) => Date | null;
}) {
  if (p.items.length === 0) return <p>該当するプログラムはありません。</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption>
          {p.caption}({p.items.length}件)
        </caption>
        <thead>
          <tr>
            <th scope="col">プログラム名</th>
            {p.showOrg ? <th scope="col">運営団体</th> : null}
            <th scope="col">区分</th>
            <th scope="col">年度</th>
            <th scope="col">状態</th>
            <th scope="col">{p.dateLabel}</th>
          </tr>
        </thead>
        <tbody>
          {p.items.map((g) => (
            <tr>
              <th scope="row">
                <a href={`/admin/programmes/${g.id}`}>{g.title}</a>
              </th>
              {p.showOrg ? <td>{g.organisationName}</td> : null}
              <td>{LAYER_SHORT[g.layer]}</td>
              <td>{g.fiscalYear}</td>
              <td>{PROGRAMME_STATUS_LABEL[g.status]}</td>
              <td>{formatJst(p.date(g)) || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ProgrammeListPage(p: {
  list: StaffProgrammeList;
  filter: ListFilter;
  fiscalYears: number[];
  canReview: boolean;
  done?: string | undefined;
}) {
  const { list, filter: f } = p;
  return (
    <>
      <h1>{list.all ? 'プログラム一覧(全組織)' : 'プログラム一覧'}</h1>
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <div class="actions">
        {list.canCreate ? (
          <a class="button" href="/admin/programmes/new">
            プログラムを作成する
          </a>
        ) : null}
        {p.canReview ? (
          <a class="button button-secondary" href="/admin/programmes/review">
            公開申請の確認待ち
          </a>
        ) : null}
      </div>
      <FilterForm action="/admin/programmes">
        <SelectField
          name="status"
          label="状態"
          options={statusOptions}
          placeholder="すべて"
          value={f.status ?? ''}
        />
        {list.all ? (
          <>
            <SelectField
              name="layer"
              label="区分"
              options={[
                { value: '2', label: LAYER_SHORT[2] },
                { value: '3', label: LAYER_SHORT[3] },
              ]}
              placeholder="すべて"
              value={f.layer ? String(f.layer) : ''}
            />
            <SelectField
              name="org"
              label="運営団体"
              options={list.organisations.map((o) => ({ value: o.id, label: o.name }))}
              placeholder="すべて"
              value={f.org ?? ''}
            />
          </>
        ) : null}
        <SelectField
          name="fy"
          label="年度"
          options={p.fiscalYears.map((y) => ({ value: String(y), label: `${y}年度` }))}
          placeholder="すべて"
          value={f.fy ? String(f.fy) : ''}
        />
      </FilterForm>
      <Table
        items={list.items}
        caption="プログラム"
        showOrg={list.all}
        dateLabel="募集締切"
        date={(g) => g.closesAt}
      />
    </>
  );
}

export function ReviewQueuePage(p: { items: ProgrammeView[] }) {
  return (
    <>
      <h1>公開申請の確認待ち</h1>
      <p>申請の古い順に並んでいます。プログラム名を選んで内容を確認し、承認するか差し戻してください。</p>
      <Table
        items={p.items}
        caption="確認待ちのプログラム"
        showOrg
        dateLabel="申請日時"
        date={(g) => g.updatedAt}
      />
      <p>
        <a href="/admin/programmes">プログラム一覧へ戻る</a>
      </p>
    </>
  );
}
