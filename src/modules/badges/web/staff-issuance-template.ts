import ExcelJS from 'exceljs';
import { toCsv } from '../../../lib/csv.js';
import { xlsxCell } from '../../applications/export.format.js';
import { COLUMNS, type ListColumn } from '../issuance-file.js';

/**
 * The completion list's templates (issue 4 §4), in the columns issuance-file.ts reads. The XLSX's first sheet
 * — the one that is read — holds the header row only, every column formatted as text (so Excel keeps 0012 and
 * does not turn a URL or an address into something else); a second sheet explains the columns, with an
 * example row and the organisation's badge keys. Nothing in the template can be issued by mistake.
 */

const ORDER: ListColumn[] = ['email', 'name', 'achievement', 'evidenceUrl', 'narrative'];

const GUIDE: Record<ListColumn, { required: boolean; text: string; example: string }> = {
  email: {
    required: true,
    text: '受領者のメールアドレス(受け取り用のリンクを送ります)',
    example: 'taro@example.jp',
  },
  name: {
    required: true,
    text: '受領者の氏名(メールの宛名。証明データには載りません)',
    example: '山田 太郎',
  },
  achievement: {
    required: false,
    text: 'バッジのキー。空欄なら画面で選んだバッジを使います',
    example: 'regional-2026',
  },
  evidenceUrl: {
    required: false,
    text: '成果物などの http(s) の URL',
    example: 'https://example.jp/works/1',
  },
  narrative: {
    required: false,
    text: '取得の根拠の説明(2000文字以内)',
    example: '協働先企業への最終提案を行った',
  },
};

export const TEMPLATE_HEADER = ORDER.map((c) => COLUMNS[c].label);

export async function completionListXlsx(
  keys: { key: string; name: string }[],
): Promise<Uint8Array<ArrayBuffer>> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'dxq';
  wb.title = '完了者一覧';
  wb.created = new Date(0);
  wb.modified = new Date(0);
  const list = wb.addWorksheet('完了者一覧', { views: [{ state: 'frozen', ySplit: 1 }] });
  list.addRow(TEMPLATE_HEADER).font = { bold: true };
  ORDER.forEach((_, i) => {
    const col = list.getColumn(i + 1);
    col.numFmt = '@';
    col.width = i === 4 ? 40 : 28;
  });
  const guide = wb.addWorksheet('記入方法');
  guide.addRow(['見出し', '英語の見出し', '必須', '内容', '記入例']).font = { bold: true };
  for (const c of ORDER) {
    const g = GUIDE[c];
    guide.addRow([COLUMNS[c].label, c, g.required ? '必須' : '任意', g.text, g.example].map(xlsxCell));
  }
  guide.addRow([]);
  guide.addRow(['この組織のバッジのキー']).font = { bold: true };
  for (const k of keys) guide.addRow([xlsxCell(k.key), xlsxCell(k.name)]);
  [16, 16, 8, 50, 30].forEach((w, i) => {
    guide.getColumn(i + 1).width = w;
  });
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** The same header as CSV (UTF-8 with BOM, what Excel opens without garbling). */
export function completionListCsv(): string {
  return toCsv([TEMPLATE_HEADER]);
}
