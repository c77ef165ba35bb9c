import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, Notice } from '../../../web/components/form.js';
import { PostForm } from '../../../web/components/form-shells.js';
import {
  FORMAT_LABEL,
  type FrameworkImportDetail,
  type FrameworkImportView,
  IMPORT_STATUS_LABEL,
} from '../framework-import.presenter.js';
import type { Issue } from '../framework-import.report.js';
import { type FrameworkSummary, frameworkPath } from '../skill-framework.presenter.js';

// /admin/frameworks: the versions (any staff member) and, for the secretariat, the import records and the
// dry-run report of one import with its "import" button.

const OFFICIAL = { official: '公式', unconfirmed: '未確認' } as const;

function Versions(p: { frameworks: FrameworkSummary[] }) {
  return (
    <div class="table-scroll">
      <table>
        <caption>登録されているバージョン({p.frameworks.length}件)</caption>
        <thead>
          <tr>
            <th scope="col">名称とバージョン</th>
            <th scope="col">識別子</th>
            <th scope="col">スキル項目</th>
            <th scope="col">公式か</th>
          </tr>
        </thead>
        <tbody>
          {p.frameworks.map((f) => (
            <tr>
              <th scope="row">
                <a href={frameworkPath(f)}>{`${f.name} ver.${f.version}`}</a>
              </th>
              <td>
                <code>{f.slug}</code>
              </td>
              <td>{f.itemCount}件</td>
              <td>{OFFICIAL[f.officialStatus]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Imports(p: { imports: FrameworkImportView[] }) {
  if (p.imports.length === 0) return <p>取り込みの記録はまだありません。</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption>取り込みの記録(新しい順、最大50件)</caption>
        <thead>
          <tr>
            <th scope="col">確認日時(日本時間)</th>
            <th scope="col">ファイル</th>
            <th scope="col">識別子・バージョン</th>
            <th scope="col">状態</th>
            <th scope="col">エラー・警告</th>
            <th scope="col">確認した人</th>
          </tr>
        </thead>
        <tbody>
          {p.imports.map((i) => (
            <tr>
              <th scope="row">
                <a href={`/admin/frameworks/imports/${i.id}`}>{formatJst(i.checkedAt)}</a>
              </th>
              <td>{i.fileNames.join('、')}</td>
              <td>{i.slug && i.version ? `${i.slug} ${i.version}` : '—'}</td>
              <td>{IMPORT_STATUS_LABEL[i.status]}</td>
              <td>
                {i.errorCount}件・{i.warningCount}件
              </td>
              <td>{i.checkedBy ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function FrameworkAdminListPage(p: {
  frameworks: FrameworkSummary[];
  imports: FrameworkImportView[] | null;
}) {
  return (
    <>
      <h1>スキル標準の管理</h1>
      <p>
        スキル標準はバージョンごとに登録され、登録後は変更できません。プログラムとデジタル証明書は、登録されたバージョンのスキル項目に対応づけます。
        <a href="/frameworks">公開ページ</a>
      </p>
      {p.imports ? (
        <p>
          <a class="button" href="/admin/frameworks/import">
            新しいバージョンを取り込む
          </a>
        </p>
      ) : null}
      <Versions frameworks={p.frameworks} />
      {p.imports ? (
        <section aria-labelledby="h-imports">
          <h2 id="h-imports">取り込みの記録</h2>
          <Imports imports={p.imports} />
        </section>
      ) : null}
    </>
  );
}

function IssueTable(p: { issues: Issue[]; errors: number; warnings: number; omitted: number }) {
  if (p.issues.length === 0) return <p>エラー・警告はありません。</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption>
          確認結果(エラー{p.errors}件・警告{p.warnings}件{p.omitted ? `。ほか${p.omitted}件は省略` : ''})
        </caption>
        <thead>
          <tr>
            <th scope="col">区分</th>
            <th scope="col">場所</th>
            <th scope="col">列・項目</th>
            <th scope="col">コード</th>
            <th scope="col">内容</th>
          </tr>
        </thead>
        <tbody>
          {p.issues.map((i) => (
            <tr>
              <th scope="row">{i.severity === 'error' ? 'エラー' : '警告'}</th>
              <td>{i.at}</td>
              <td>{i.column ?? '—'}</td>
              <td>{i.code ? <code>{i.code}</code> : '—'}</td>
              <td>{i.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ImportReportPage(p: {
  d: FrameworkImportDetail;
  csrf: string;
  done?: boolean;
  errors?: FieldErrors | undefined;
}) {
  const { d } = p;
  const r = d.report;
  const target = r.meta.slug && r.meta.version ? frameworkPath(r.meta) : null;
  return (
    <>
      <p>
        <a href="/admin/frameworks">スキル標準の管理</a>
      </p>
      <h1>{d.status === 'imported' ? 'スキル標準の取り込み結果' : '取り込み前の確認結果'}</h1>
      <ErrorSummary errors={p.errors} labels={{}} />
      {d.status === 'imported' && target ? (
        <Notice kind="success">
          {p.done ? '取り込みました。' : 'このファイルは取り込み済みです。'}
          <a href={target}>公開ページ({`${r.meta.name} ver.${r.meta.version}`})</a>
        </Notice>
      ) : null}
      {d.status === 'checked' ? (
        <Notice>
          エラーはありません。内容を確かめて、下の「このバージョンを取り込む」を押してください。
        </Notice>
      ) : null}
      {d.status === 'rejected' ? (
        <Notice kind="warning">
          エラーが{r.errors}件あるため取り込めません。ファイルを直して、
          <a href="/admin/frameworks/import">もう一度確認</a>
          してください。
        </Notice>
      ) : null}
      <dl class="summary-list">
        <dt>ファイル</dt>
        <dd>{r.files.map((f) => `${f.name}(${f.bytes.toLocaleString('ja-JP')}バイト)`).join('、')}</dd>
        <dt>形式</dt>
        <dd>{FORMAT_LABEL[r.format]}</dd>
        <dt>識別子</dt>
        <dd>{r.meta.slug ? <code>{r.meta.slug}</code> : '—'}</dd>
        <dt>バージョン</dt>
        <dd>{r.meta.version || '—'}</dd>
        <dt>名称</dt>
        <dd>{r.meta.name || '—'}</dd>
        <dt>出典・位置づけ</dt>
        <dd class="prose-text">{r.meta.provenance || '—'}</dd>
        <dt>公式か</dt>
        <dd>{r.meta.official ? '公式版(確認済み)' : '公式かどうか未確認(公開ページにそう表示)'}</dd>
        <dt>件数</dt>
        <dd>
          カテゴリ{r.counts.categories}件、サブカテゴリ{r.counts.subcategories}件、スキル項目{r.counts.items}
          件、ロール{r.counts.roles}件
        </dd>
        <dt>確認</dt>
        <dd>
          {formatJst(d.checkedAt)} {d.checkedBy ?? ''}
        </dd>
        {d.importedAt ? (
          <>
            <dt>取り込み</dt>
            <dd>
              {formatJst(d.importedAt)} {d.importedBy ?? ''}
            </dd>
          </>
        ) : null}
      </dl>
      <IssueTable issues={r.issues} errors={r.errors} warnings={r.warnings} omitted={r.omitted} />
      {d.status === 'checked' ? (
        <PostForm
          action={`/admin/frameworks/imports/${d.id}/import`}
          csrf={p.csrf}
          submit="このバージョンを取り込む"
        >
          <p>取り込んだバージョンは変更・削除できません。</p>
        </PostForm>
      ) : null}
    </>
  );
}
