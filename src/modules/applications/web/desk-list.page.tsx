import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import {
  CsrfField,
  ErrorSummary,
  fieldsOf,
  Notice,
  SelectField,
  TextField,
} from '../../../web/components/form.js';
import { FilterForm } from '../../../web/components/form-shells.js';
import { Pagination } from '../../../web/components/pagination.js';
import { PREFECTURE_LIST } from '../../organisations/prefectures.js';
import { LAYER_SHORT } from '../../programmes/programme.labels.js';
import { APPLICATION_STATUS_LABEL } from '../application.transitions.js';
import type { DeskFilter } from '../desk.repository.js';
import { DESK_PAGE_SIZE, DESK_STATUSES, DESK_TARGETS, LIMITS, toQuery } from '../desk.schema.js';
import type { DeskList, DeskProgrammeSummary } from '../desk.service.js';
import { applicationPath, DESK_BASE, ProgrammeNav, programmePath } from './desk-fields.js';

// The desk's front page (the organisation's programmes) and one programme's list of applications.

export const LIST_LABELS = {
  status: '状況',
  prefecture: '都道府県',
  occupation: '学生・社会人',
  q: 'キーワード',
  to: '処理',
  ids: '申込み',
};

export const TARGET_LABEL: Record<(typeof DESK_TARGETS)[number], string> = {
  under_review: '選考中にする',
  accepted: '合格にする(メール通知)',
  waitlisted: '補欠にする(メール通知)',
  rejected: '不合格にする(メール通知)',
  enrolled: '受講確定にする(メール通知)',
  withdrawn: '辞退・取下げを記録する',
};

export function IndexPage(p: { programmes: DeskProgrammeSummary[]; overview: boolean; templates: boolean }) {
  return (
    <>
      <h1>申込み管理</h1>
      <ul class="desk-links">
        {p.overview ? (
          <li>
            <a href={`${DESK_BASE}/overview`}>募集状況の全体像(事務局)</a>
          </li>
        ) : null}
        {p.templates ? (
          <li>
            <a href={`${DESK_BASE}/templates`}>決定通知メールの文面</a>
          </li>
        ) : null}
      </ul>
      <div class="table-scroll">
        <table class="data-table">
          <caption>自組織のプログラム({p.programmes.length}件)</caption>
          <thead>
            <tr>
              <th scope="col">プログラム</th>
              <th scope="col">年度・層</th>
              <th scope="col">募集締切</th>
              <th scope="col" class="number">
                定員
              </th>
              <th scope="col" class="number">
                申込み
              </th>
              {DESK_STATUSES.map((s) => (
                <th scope="col" class="number">
                  {APPLICATION_STATUS_LABEL[s]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.programmes.map((x) => (
              <tr>
                <th scope="row">
                  <a href={programmePath(x.id)}>{x.title}</a>
                </th>
                <td>
                  {x.fiscalYear}年度 {LAYER_SHORT[x.layer]}
                </td>
                <td>{x.closesAt ? formatJst(x.closesAt) : '—'}</td>
                <td class="number">{x.capacity ?? '—'}</td>
                <td class="number">{x.total}</td>
                {x.counts.map((c) => (
                  <td class="number">{c.n}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.programmes.length === 0 ? <p>自組織のプログラムはまだありません。</p> : null}
    </>
  );
}

const statusOptions = DESK_STATUSES.map((s) => ({ value: s, label: APPLICATION_STATUS_LABEL[s] }));
const prefectureOptions = PREFECTURE_LIST.map((x) => ({ value: String(x.code), label: x.name }));
const occupationOptions = [
  { value: 'student', label: '学生' },
  { value: 'worker', label: '社会人' },
];

function Filters(p: { programmeId: string; values: Record<string, string>; errors: FieldErrors }) {
  const field = fieldsOf(LIST_LABELS, p.values, p.errors);
  return (
    <FilterForm action={programmePath(p.programmeId)}>
      <SelectField {...field('status')} options={statusOptions} placeholder="すべて" />
      <SelectField {...field('prefecture')} options={prefectureOptions} placeholder="すべて" />
      <SelectField {...field('occupation')} options={occupationOptions} placeholder="すべて" />
      <TextField {...field('q')} type="search" hint="氏名・ふりがな・申込番号・メール" maxLength={LIMITS.q} />
    </FilterForm>
  );
}

export function ListPage(p: {
  d: DeskList;
  filter: DeskFilter;
  values: Record<string, string>;
  csrf: string;
  done?: string | undefined;
  errors?: FieldErrors | undefined;
}) {
  const { d } = p;
  const pid = d.programme.id;
  const base = programmePath(pid);
  const first = (d.page - 1) * DESK_PAGE_SIZE + 1;
  const last = first + d.items.length - 1;
  const errors = p.errors ?? {};
  return (
    <>
      <h1>{d.programme.title}: 申込み一覧</h1>
      <ProgrammeNav programmeId={pid} current="list" templates={d.allowed.templates} />
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={p.errors} labels={LIST_LABELS} />
      <ul class="status-counts" aria-label="状況ごとの件数">
        <li>
          <a href={base}>すべて {d.all}件</a>
        </li>
        {d.counts.map((c) => (
          <li>
            <a href={`${base}?status=${c.status}`}>
              {c.label} {c.n}件
            </a>
          </li>
        ))}
      </ul>
      <p>
        定員 {d.programme.capacity ?? '設定なし'} / 合格・受講確定 {d.seatsTaken}人
      </p>
      {d.allowed.decide && d.waitlistNext ? (
        <form method="post" action={`${base}/waitlist/promote`} class="promote-form">
          <CsrfField token={p.csrf} />
          <input type="hidden" name="expected" value={d.waitlistNext.id} />
          <p>
            次の補欠: {d.waitlistNext.number} {d.waitlistNext.fullName}
          </p>
          <button type="submit" class="button button-secondary">
            補欠の先頭を繰り上げて合格にする(メール通知)
          </button>
        </form>
      ) : null}
      <Filters programmeId={pid} values={p.values} errors={errors} />
      {d.allowed.export ? (
        <ul class="desk-links">
          <li>
            <a href={`${base}/export.csv${toQuery(p.filter)}`} download>
              この条件でCSVをダウンロード
            </a>
          </li>
          <li>
            <a href={`${base}/export.xlsx${toQuery(p.filter)}`} download>
              この条件でExcel(XLSX)をダウンロード
            </a>
          </li>
          <li>
            <a href={`${base}/export.xlsx?status=accepted`} download>
              合格者一覧(XLSX)をダウンロード
            </a>
          </li>
        </ul>
      ) : null}
      {d.allowed.export ? <Notice>ダウンロードは監査ログに記録されます。</Notice> : null}
      <form method="post" action={`${base}/decisions/preview`} novalidate>
        <CsrfField token={p.csrf} />
        <div class="table-scroll">
          <table class="data-table">
            <caption>
              申込み(全{d.total}件{d.items.length ? `中 ${first}〜${last}件を表示` : ''})
            </caption>
            <thead>
              <tr>
                {d.allowed.decide ? <th scope="col">選択</th> : null}
                <th scope="col">申込番号</th>
                <th scope="col">氏名</th>
                <th scope="col">ふりがな</th>
                <th scope="col">都道府県</th>
                <th scope="col">学生・社会人</th>
                <th scope="col">学校名・勤務先</th>
                <th scope="col">状況</th>
                <th scope="col">申込日時</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((i) => (
                <tr>
                  {d.allowed.decide ? (
                    <td>
                      <input type="checkbox" name="ids" value={i.id} id={`sel-${i.id}`} />
                      <label for={`sel-${i.id}`} class="visually-hidden">
                        {`${i.number} ${i.fullName} を選択`}
                      </label>
                    </td>
                  ) : null}
                  <th scope="row">
                    <a href={applicationPath(i.id)}>{i.number || '(番号なし)'}</a>
                  </th>
                  <td>{i.fullName}</td>
                  <td>{i.furigana}</td>
                  <td>{i.prefecture}</td>
                  <td>{i.occupation}</td>
                  <td>{i.affiliation}</td>
                  <td>
                    {i.statusLabel}
                    {i.waitlistRank ? `(${i.waitlistRank}番目)` : ''}
                  </td>
                  <td>{formatJst(i.submittedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {d.items.length === 0 ? <p>条件に合う申込みはありません。</p> : null}
        {d.allowed.decide && d.items.length ? (
          <div class="actions">
            <SelectField
              name="to"
              label="選択した申込みを"
              options={DESK_TARGETS.map((t) => ({ value: t, label: TARGET_LABEL[t] }))}
              placeholder="選択してください"
              value={p.values.to}
              error={errors.to}
            />
            <button type="submit" class="button">
              確認へ進む
            </button>
          </div>
        ) : null}
      </form>
      <Pagination
        page={d.page}
        pages={d.pages}
        pageSize={DESK_PAGE_SIZE}
        label="申込み一覧のページ"
        href={(n) => `${base}${toQuery(p.filter, { page: String(n) })}`}
      />
    </>
  );
}
