import type { FieldErrors } from '../../../lib/errors.js';
import {
  CheckboxField,
  CsrfField,
  ErrorSummary,
  FileField,
  fieldsOf,
  TextAreaField,
  TextField,
} from '../../../web/components/form.js';
import { UploadColumnsTable } from '../../../web/components/upload-columns.js';
import { ITEM_COLUMNS, LIMITS, ROLE_COLUMNS } from '../framework-import.format.js';
import { IMPORT_LABELS as L } from './framework-import.schema.js';

// /admin/frameworks/import: the upload form of the dry run, and the import format documented beside it with
// the templates to download. A multipart form (files), otherwise the shared form pattern (form.tsx).

function FormatGuide() {
  return (
    <section aria-labelledby="h-format">
      <h2 id="h-format">ファイルの形式</h2>
      <p>
        XLSX・CSVは、1行に1つのスキル項目を書きます。1行目は見出しです(日本語・英語のどちらでも可)。
        XLSXは「スキル項目」シートに項目、「ロール」シートにロールを書きます(「スキル項目」シートがなければ最初のシートを読みます)。
        CSVはUTF-8(Excelでは「CSV UTF-8(コンマ区切り)」)で保存し、ロールは別のCSVで送ります。
        JSONは、同梱のDSS-Pデータと同じ形(categories → subcategories → skills)に、任意で roles
        を加えたものです。
        公開ページの「JSON」からダウンロードしたものも、そのまま別のバージョンとして取り込めます。
      </p>
      <ul class="link-list">
        <li>
          <a href="/admin/frameworks/template.xlsx" download>
            テンプレート(XLSX)
          </a>
        </li>
        <li>
          <a href="/admin/frameworks/template.csv" download>
            スキル項目のテンプレート(CSV)
          </a>
        </li>
        <li>
          <a href="/admin/frameworks/template-roles.csv" download>
            ロールのテンプレート(CSV)
          </a>
        </li>
        <li>
          <a href="/admin/frameworks/template.json" download>
            テンプレート(JSON)
          </a>
        </li>
      </ul>
      <UploadColumnsTable caption="スキル項目の列" columns={ITEM_COLUMNS} />
      <UploadColumnsTable caption="ロールの列" columns={ROLE_COLUMNS} />
      <h3>確認される内容</h3>
      <ul>
        <li>必須の列と値があること、同じ見出しが2つないこと</li>
        <li>
          コードが半角英数字で始まり、半角英数字・「.」「-」「_」だけの40文字以内であること、重複しないこと
        </li>
        <li>名称が{LIMITS.name}文字以内で、改行や制御文字を含まないこと</li>
        <li>数式のセル、「=」「+」「-」「@」で始まる値がないこと</li>
        <li>同じカテゴリ・サブカテゴリのコードには同じ名称が書かれていること</li>
        <li>ロールが重視するスキル項目のコードがファイルにあること</li>
        <li>
          文字コードはUTF-8を推奨(Shift_JISのCSVも読み込めますが、確認結果に警告が出ます。文字が正しいか確かめてください)
        </li>
        <li>
          スキル項目は{LIMITS.items}件まで、ロールは{LIMITS.roles}件まで、ファイルは
          {LIMITS.fileBytes / 1024 / 1024}MBまで
        </li>
      </ul>
    </section>
  );
}

export function ImportFormPage(p: { csrf: string; values: Record<string, string>; errors?: FieldErrors }) {
  const field = fieldsOf(L, p.values, p.errors);
  return (
    <>
      <p>
        <a href="/admin/frameworks">スキル標準の管理</a>
      </p>
      <h1>スキル標準の取り込み</h1>
      <p>
        まずファイルを確認します(この時点では何も登録されません)。確認結果にエラーがなければ、次の画面で取り込みます。
        取り込んだバージョンは変更できません。直すときは新しいバージョンとして取り込みます。
      </p>
      <ErrorSummary errors={p.errors} labels={L} />
      <form method="post" action="/admin/frameworks/import" enctype="multipart/form-data" novalidate>
        <CsrfField token={p.csrf} />
        <FileField
          name="file"
          label={L.file}
          hint="XLSX・CSV(UTF-8)・JSON。下の「ファイルの形式」を参照してください。"
          error={p.errors?.file}
          required
          accept=".xlsx,.csv,.json,application/json,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        />
        <FileField
          name="rolesFile"
          label={L.rolesFile}
          hint="スキル項目をCSVで送るときに、ロールを別のCSVで送れます。"
          error={p.errors?.rolesFile}
          accept=".csv,text/csv"
        />
        <TextField
          {...field('slug')}
          maxLength={40}
          hint="URLに使う半角英小文字・数字・「-」(例: dss-p)。JSONに slug があれば空欄で可。"
          autocomplete="off"
        />
        <TextField
          {...field('version')}
          maxLength={20}
          hint="半角英数字・「.」「-」(例: 2.0)。JSONに version があれば空欄で可。"
          autocomplete="off"
        />
        <TextField
          {...field('name')}
          maxLength={LIMITS.frameworkName}
          hint={`${LIMITS.frameworkName}文字以内。JSONに name があれば空欄で可。`}
        />
        <TextAreaField
          {...field('provenance')}
          maxLength={LIMITS.provenance}
          rows={4}
          hint={`公開ページに表示されます。どこから得たリストか、公式かどうかを書いてください(${LIMITS.provenance}文字以内)。JSONに provenance(または what と source)があれば空欄で可。`}
        />
        <CheckboxField
          name="official"
          label="策定元が公表した公式版であることを確認した"
          hint="チェックしない場合、公開ページに「公式に公表されたものかどうかは確認されていません」と表示されます。"
          checked={p.values.official === 'yes'}
          error={p.errors?.official}
        />
        <button type="submit" class="button">
          確認する(まだ取り込みません)
        </button>
      </form>
      <FormatGuide />
    </>
  );
}
