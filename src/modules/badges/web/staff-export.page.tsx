import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, fieldsOf, Notice, SelectField } from '../../../web/components/form.js';
import { FilterForm } from '../../../web/components/form-shells.js';
import { EXPORT_CSV_COLUMNS } from '../export.service.js';
import { BadgeNav, IssuerLine, type OrgContext } from './staff-shared.js';

// /admin/badges/export: the export of issued badges for IPA's skill-information platform (issue 4 §8b),
// filtered by fiscal year and organisation (the secretariat: any or all; others: their own), downloaded as
// JSON Lines, CSV or XLSX.

export const EXPORT_LABELS = { fy: '年度(授与日)', org: '発行した組織' } as const;

export const ALL_ORGS = 'all';

const COLUMN_NOTE: Record<(typeof EXPORT_CSV_COLUMNS)[number], string> = {
  credential_id: '証明データの ID(urn:uuid:…)',
  achievement_id: 'バッジ(達成基準)の版の ID(URL)',
  achievement_version: '版の番号',
  achievement_name: 'バッジの名称',
  dssp_codes: 'スキル項目(DSS-P)のコード(空白区切り)',
  framework: 'スキル標準とそのバージョン',
  issuer_id: '発行者の ID(did:web)',
  issuer_name: '発行者名',
  valid_from: '有効開始日時',
  valid_until: '有効期限(なければ空)',
  awarded_date: '授与日時',
  status: '状態(valid: 有効、revoked: 失効、expired: 期限切れ)',
  revoked_at: '取り消し日時',
  replaced_by: '訂正後の証明データの ID',
  credential: '署名済みの証明データ(JSON、JWT 形式で発行したものは JWT)',
};

export function ExportPage(p: {
  org: OrgContext;
  fiscalYears: number[];
  values: { fy: string; org: string };
  /** The download links' query string, when the filter is valid. */
  query: string | null;
  errors?: FieldErrors | undefined;
}) {
  const field = fieldsOf(EXPORT_LABELS, p.values, p.errors);
  const secretariat = p.org.choices.length > 0;
  const base = '/admin/badges/export/credentials';
  return (
    <>
      <h1>IPA向けエクスポート</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="export" />
      <p>
        発行したバッジを、IPA
        のスキル情報基盤への連携用に書き出します。1件ごとに、署名済みの証明データと、その要点(バッジ・スキル項目・発行者・状態など)を含みます。受領者の氏名とメールアドレスは含みません。
      </p>
      <ErrorSummary errors={p.errors} labels={EXPORT_LABELS} />
      <FilterForm action="/admin/badges/export" submit="この条件にする">
        <SelectField
          {...field('fy')}
          options={p.fiscalYears.map((y) => ({ value: String(y), label: `${y}年度` }))}
          placeholder="すべての年度"
          hint="年度は4月1日から翌年3月31日まで(日本時間)。"
        />
        {secretariat ? (
          <SelectField
            {...field('org')}
            options={[
              { value: ALL_ORGS, label: 'すべての組織' },
              ...p.org.choices.map((o) => ({ value: o.id, label: o.name })),
            ]}
          />
        ) : (
          <input type="hidden" name="org" value={p.org.orgId} />
        )}
      </FilterForm>
      {p.query !== null ? (
        <>
          <ul class="link-list">
            <li>
              <a href={`${base}.jsonl?${p.query}`} download>
                JSON Lines でダウンロード
              </a>
            </li>
            <li>
              <a href={`${base}.csv?${p.query}`} download>
                CSV(UTF-8)でダウンロード
              </a>
            </li>
            <li>
              <a href={`${base}.xlsx?${p.query}`} download>
                Excel(XLSX)でダウンロード
              </a>
            </li>
          </ul>
          <Notice>ダウンロードは監査ログに記録されます。</Notice>
        </>
      ) : null}
      <div class="table-scroll">
        <table class="data-table">
          <caption>CSV・XLSX の列(JSON Lines は同じ内容を1行1件の JSON で)</caption>
          <thead>
            <tr>
              <th scope="col">列</th>
              <th scope="col">内容</th>
            </tr>
          </thead>
          <tbody>
            {EXPORT_CSV_COLUMNS.map((col) => (
              <tr>
                <th scope="row">
                  <code>{col}</code>
                </th>
                <td>{COLUMN_NOTE[col]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
