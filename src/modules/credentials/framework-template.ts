import ExcelJS from 'exceljs';
import { toCsv } from '../../lib/csv.js';
import { xlsxCell } from '../applications/export.format.js';
import dssp from './data/dss-p-v2.0.json' with { type: 'json' };
import type { FrameworkItemInput, FrameworkRoleInput } from './framework-import.check.js';
import { type ColumnDef, ITEM_COLUMNS, ROLE_COLUMNS } from './framework-import.format.js';

/**
 * Files in the import format: the templates the import page offers, and the files tests import. A template
 * holds the first skill items of the shipped DSS-P list and one example role; the header row uses the
 * Japanese labels (the English keys are accepted too).
 */

export type FrameworkRows = { items: FrameworkItemInput[]; roles: FrameworkRoleInput[] };

const itemCells = (i: FrameworkItemInput) => [
  i.categoryCode,
  i.categoryName,
  i.subcategoryCode,
  i.subcategoryName,
  i.code,
  i.name,
  i.nameEn ?? '',
];
const roleCells = (r: FrameworkRoleInput) => [
  r.code,
  r.name,
  r.nameEn ?? '',
  r.group,
  r.description,
  r.itemCodes.join(' '),
];
const headers = (columns: readonly ColumnDef[]) => columns.map((c) => c.label);

/** The example the templates carry: DSS-P's first three items and one role that emphasises two of them. */
export function templateRows(): FrameworkRows {
  const [c] = dssp.categories;
  const [s] = c?.subcategories ?? [];
  const items = (s?.skills ?? []).slice(0, 3).map((k) => ({
    code: k.id,
    name: k.name,
    nameEn: null,
    categoryCode: c?.id ?? '',
    categoryName: c?.name ?? '',
    subcategoryCode: s?.id ?? '',
    subcategoryName: s?.name ?? '',
  }));
  const roles = [
    {
      code: 'business-architect',
      name: 'ビジネスアーキテクト',
      nameEn: 'Business Architect',
      group: '人材類型',
      description: '',
      itemCodes: items.slice(0, 2).map((i) => i.code),
    },
  ];
  return { items, roles };
}

export function itemsCsv(rows: FrameworkRows): string {
  return toCsv([headers(ITEM_COLUMNS), ...rows.items.map(itemCells)]);
}

export function rolesCsv(rows: FrameworkRows): string {
  return toCsv([headers(ROLE_COLUMNS), ...rows.roles.map(roleCells)]);
}

function addSheet(wb: ExcelJS.Workbook, name: string, rows: string[][]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  rows.forEach((cells, i) => {
    const row = ws.addRow(cells.map(xlsxCell));
    // Text format: Excel keeps 1.10 as typed instead of turning it into the number 1.1.
    row.eachCell({ includeEmpty: true }, (cell) => {
      cell.numFmt = '@';
    });
    if (i === 0) row.font = { bold: true };
  });
  ws.columns.forEach((col) => {
    col.width = 24;
  });
}

/** An XLSX with the sheets スキル項目 and ロール, and 説明 (what each column means). */
export async function frameworkXlsx(
  rows: FrameworkRows,
  opts: { guide?: boolean } = {},
): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'dxq';
  wb.created = new Date(0);
  wb.modified = new Date(0);
  addSheet(wb, 'スキル項目', [headers(ITEM_COLUMNS), ...rows.items.map(itemCells)]);
  addSheet(wb, 'ロール', [headers(ROLE_COLUMNS), ...rows.roles.map(roleCells)]);
  if (opts.guide !== false) {
    addSheet(wb, '説明', [
      ['シート', '見出し', '英語の見出し(どちらでも可)', '必須', '内容'],
      ...ITEM_COLUMNS.map((c) => ['スキル項目', c.label, c.key, c.required ? '必須' : '任意', c.description]),
      ...ROLE_COLUMNS.map((c) => ['ロール', c.label, c.key, c.required ? '必須' : '任意', c.description]),
    ]);
  }
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** The JSON template: the shipped DSS-P file's shape with the example items, and `roles`. */
export function frameworkJsonTemplate(rows: FrameworkRows) {
  const [first] = rows.items;
  return {
    slug: 'example',
    version: '1.0',
    name: 'スキル標準の名称',
    provenance: '出典: …(公開ページに表示されます)',
    categories: first
      ? [
          {
            id: first.categoryCode,
            name: first.categoryName,
            subcategories: [
              {
                id: first.subcategoryCode,
                name: first.subcategoryName,
                skills: rows.items.map((i) => ({
                  id: i.code,
                  name: i.name,
                  ...(i.nameEn ? { name_en: i.nameEn } : {}),
                })),
              },
            ],
          },
        ]
      : [],
    roles: rows.roles.map((r) => ({
      code: r.code,
      name: r.name,
      ...(r.nameEn ? { name_en: r.nameEn } : {}),
      ...(r.group ? { group: r.group } : {}),
      skills: r.itemCodes,
    })),
  };
}
