import type { FieldErrors } from '../../../lib/errors.js';
import {
  ErrorSummary,
  FileField,
  fieldsOf,
  Notice,
  RadioGroup,
  SelectField,
  TextAreaField,
  TextField,
} from '../../../web/components/form.js';
import { PostForm } from '../../../web/components/form-shells.js';
import { UploadColumnsTable } from '../../../web/components/upload-columns.js';
import type { AchievementView } from '../achievement.presenter.js';
import { COLUMNS, type ListColumn, MAX_LIST_ROWS } from '../issuance-file.js';
import {
  BadgeNav,
  FORMAT_OPTIONS,
  IssuerLine,
  type OrgContext,
  staffPaths,
  UploadForm,
} from './staff-shared.js';

// Issuing (issue 4 §4): the form for one badge, and the bulk page — a completion list (CSV/XLSX, with its
// templates and columns explained) or a programme's enrolled learners — whose forms only make a dry run: its
// report, the start and the progress are staff-batch.page.tsx's.

export const ISSUE_LABELS = {
  achievementId: 'バッジ',
  email: 'メールアドレス',
  name: '氏名',
  evidenceUrl: '根拠 URL',
  narrative: '所見',
  format: '証明データの形式',
} as const;

export const BULK_LABELS = {
  file: '完了者一覧のファイル',
  achievementId: '「バッジ」列が空の行に使うバッジ',
  format: '証明データの形式',
  'p-programmeId': 'プログラム',
  'p-achievementId': '発行するバッジ',
  'p-format': '証明データの形式',
} as const;

/** The published achievements, as the issue forms offer them. */
export function issuableOptions(achievements: AchievementView[]) {
  return achievements
    .filter((a) => a.published)
    .map((a) => ({
      value: a.id,
      label: `${a.published?.name}(第${a.published?.version}版・${a.key})`,
    }));
}

function NoAchievements(p: { org: OrgContext }) {
  return (
    <Notice kind="warning">
      公開中のバッジがありません。先に<a href={staffPaths.home(p.org.orgId)}>バッジを登録して公開</a>
      してください。
    </Notice>
  );
}

export function IssueFormPage(p: {
  org: OrgContext;
  csrf: string;
  achievements: AchievementView[];
  values: Record<string, string>;
  errors?: FieldErrors | undefined;
}) {
  const field = fieldsOf(ISSUE_LABELS, p.values, p.errors);
  const options = issuableOptions(p.achievements);
  return (
    <>
      <h1>バッジを1件発行する</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="issue" />
      {options.length === 0 ? <NoAchievements org={p.org} /> : null}
      <ErrorSummary errors={p.errors} labels={ISSUE_LABELS} />
      <p>
        発行すると、受領者に受け取り用のリンクをメールで送ります。同じ人に同じ版のバッジが発行済みなら、新たには発行しません。
      </p>
      <PostForm action="/admin/badges/issue" csrf={p.csrf} submit="発行する">
        <input type="hidden" name="orgId" value={p.org.orgId} />
        <SelectField {...field('achievementId')} required options={options} placeholder="選択してください" />
        <TextField
          {...field('email')}
          required
          type="email"
          maxLength={254}
          autocomplete="off"
          hint="受け取り用のリンクを送ります。証明データにはハッシュ値だけが載ります。"
        />
        <TextField
          {...field('name')}
          required
          maxLength={100}
          autocomplete="off"
          hint="メールの宛名に使います(証明データには載りません)。100文字以内。"
        />
        <TextField
          {...field('evidenceUrl')}
          type="url"
          maxLength={2000}
          hint="任意。成果物などの http(s) の URL。証明データに載ります。"
        />
        <TextAreaField
          {...field('narrative')}
          rows={3}
          maxLength={2000}
          hint="任意。取得の根拠の説明(2000文字以内)。証明データに載ります。"
        />
        <RadioGroup {...field('format')} required options={FORMAT_OPTIONS} />
      </PostForm>
    </>
  );
}

function ColumnGuide() {
  const rows: { key: ListColumn; required: boolean; text: string }[] = [
    { key: 'email', required: true, text: '受領者のメールアドレス。受け取り用のリンクを送ります。' },
    { key: 'name', required: true, text: '受領者の氏名(メールの宛名。証明データには載りません)。' },
    {
      key: 'achievement',
      required: false,
      text: 'バッジのキー(または ID)。空欄の行には、フォームで選んだバッジを使います。',
    },
    { key: 'evidenceUrl', required: false, text: '成果物などの http(s) の URL。' },
    { key: 'narrative', required: false, text: '取得の根拠の説明(2000文字以内)。' },
  ];
  return (
    <UploadColumnsTable
      class="data-table"
      caption="一覧の列(1行目は見出し。日本語・英語のどちらでも可)"
      columns={rows.map((r) => ({
        key: r.key,
        label: COLUMNS[r.key].label,
        required: r.required,
        description: r.text,
      }))}
    />
  );
}

export function BulkPage(p: {
  org: OrgContext;
  csrf: string;
  achievements: AchievementView[];
  programmes: { id: string; title: string }[];
  values: Record<string, string>;
  errors?: FieldErrors | undefined;
}) {
  const field = fieldsOf(BULK_LABELS, p.values, p.errors);
  const options = issuableOptions(p.achievements);
  const formatOf = (name: 'format' | 'p-format') => ({ ...field(name), value: p.values[name] || 'ldp' });
  return (
    <>
      <h1>バッジを一括発行する</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="bulk" />
      {options.length === 0 ? <NoAchievements org={p.org} /> : null}
      <ErrorSummary errors={p.errors} labels={BULK_LABELS} />
      <p>
        まず一覧を確認します(この時点では何も発行しません)。確認結果の画面で、行ごとに発行できるかどうかと問題点を確かめてから「発行する」を押してください。
        問題のある行は発行されません。
      </p>
      <section aria-labelledby="h-upload">
        <h2 id="h-upload">完了者一覧(CSV・XLSX)から</h2>
        <ul class="link-list">
          <li>
            <a href={staffPaths.template(p.org.orgId, 'xlsx')} download>
              完了者一覧のテンプレート(XLSX)
            </a>
          </li>
          <li>
            <a href={staffPaths.template(p.org.orgId, 'csv')} download>
              完了者一覧のテンプレート(CSV UTF-8)
            </a>
          </li>
        </ul>
        <ColumnGuide />
        <p>
          XLSX は最初のシートを読みます。CSV は UTF-8 で保存してください(Shift_JIS
          も読み込めますが、確認結果で文字を確かめてください)。
          数式のセルや「=」「+」「-」「@」で始まる値は使えません。{MAX_LIST_ROWS.toLocaleString('ja-JP')}
          行まで。
        </p>
        <UploadForm action="/admin/badges/bulk/upload" csrf={p.csrf} submit="確認する(まだ発行しません)">
          <input type="hidden" name="orgId" value={p.org.orgId} />
          <FileField
            name="file"
            label={BULK_LABELS.file}
            error={p.errors?.file}
            required
            accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            hint="XLSX または CSV(10MB まで)。"
          />
          <SelectField {...field('achievementId')} options={options} placeholder="指定しない" />
          <RadioGroup {...formatOf('format')} required options={FORMAT_OPTIONS} />
        </UploadForm>
      </section>
      <section aria-labelledby="h-programme">
        <h2 id="h-programme">プログラムの受講確定者に</h2>
        <p>申込みの状況が「受講確定」の人全員が対象です。匿名化された申込みは発行できません。</p>
        {p.programmes.length === 0 ? (
          <p>この組織のプログラムがありません。</p>
        ) : (
          <PostForm
            action="/admin/badges/bulk/programme"
            csrf={p.csrf}
            submit="受講確定者を確認する(まだ発行しません)"
          >
            <input type="hidden" name="orgId" value={p.org.orgId} />
            <SelectField
              {...field('p-programmeId')}
              id="f-p-programmeId"
              required
              options={p.programmes.map((x) => ({ value: x.id, label: x.title }))}
              placeholder="選択してください"
            />
            <SelectField
              {...field('p-achievementId')}
              id="f-p-achievementId"
              options={options}
              placeholder="プログラムに結び付いたバッジ"
            />
            <RadioGroup {...formatOf('p-format')} id="f-p-format" required options={FORMAT_OPTIONS} />
          </PostForm>
        )}
      </section>
    </>
  );
}
