import type { Deps } from '../../../deps.js';
import { SelectField, TextField } from '../../../web/components/form.js';
import type { PublicBuilder } from '../../../web/pages/public-page.js';
import { describeSkills } from '../../credentials/skill-framework.service.js';
import { PREFECTURE_LIST, prefectureName } from '../../organisations/prefectures.js';
import { FORMAT_LABEL, LAYER_SHORT } from '../programme.labels.js';
import type { ProgrammeView } from '../programme.presenter.js';
import { searchPublicProgrammes } from '../programme.read.service.js';
import { nextWindowChange } from '../public-cache.js';
import { ProgrammeCard } from './public-components.js';
import {
  type CatalogueQuery,
  catalogueSearch,
  hasConditions,
  KEYWORD_MAX,
  PAGE_SIZE,
  toPublicFilter,
} from './public-filter.js';

type Option = { value: string; label: string };

/** What the filter menus offer: only organisations and skills that some public programme has. */
type Facets = { organisations: Option[]; skills: Option[] };

async function facetsOf(deps: Deps, all: ProgrammeView[]): Promise<Facets> {
  const orgs = new Map<string, string>();
  const codesByFramework = new Map<string, Set<string>>();
  const allCodes = new Set<string>();
  for (const p of all) {
    orgs.set(p.organisationId, p.organisationName);
    for (const code of p.skillCodes) {
      allCodes.add(code);
      if (!p.skillFrameworkId) continue;
      const set = codesByFramework.get(p.skillFrameworkId) ?? new Set<string>();
      set.add(code);
      codesByFramework.set(p.skillFrameworkId, set);
    }
  }
  // Names come from the framework each programme aligned to (framework data, OPEN-BADGES.md); a code
  // without a known name is still offered, by its code.
  const names = new Map<string, string>();
  for (const [frameworkId, codes] of codesByFramework) {
    for (const item of await describeSkills(deps, frameworkId, [...codes])) {
      if (!names.has(item.code)) names.set(item.code, item.name);
    }
  }
  const byCode = (a: string, b: string) => a.localeCompare(b, 'ja', { numeric: true });
  return {
    organisations: [...orgs]
      .map(([value, label]) => ({ value, label }))
      .sort((a, b) => a.label.localeCompare(b.label, 'ja')),
    skills: [...allCodes].sort(byCode).map((code) => {
      const name = names.get(code);
      return { value: code, label: name ? `${code} ${name}` : code };
    }),
  };
}

/** The conditions in words, for the result heading and the page title. */
export function describeConditions(q: CatalogueQuery, facets: Facets): string[] {
  const out: string[] = [];
  if (q.q) out.push(`キーワード「${q.q}」`);
  if (q.layer) out.push(LAYER_SHORT[q.layer]);
  if (q.org) out.push(facets.organisations.find((o) => o.value === q.org)?.label ?? '指定の運営団体');
  if (q.pref) out.push(prefectureName(q.pref));
  if (q.format) out.push(FORMAT_LABEL[q.format]);
  if (q.skill) out.push(`スキル ${facets.skills.find((s) => s.value === q.skill)?.label ?? q.skill}`);
  if (q.open) out.push('募集中のみ');
  return out;
}

function FilterForm(props: { q: CatalogueQuery; facets: Facets }) {
  const { q, facets } = props;
  return (
    <form method="get" action="/programmes" class="catalogue-filters" aria-labelledby="h-filters">
      <h2 id="h-filters">条件で絞り込む</h2>
      <div class="search-form">
        <TextField
          name="q"
          label="キーワード"
          type="search"
          value={q.q}
          maxLength={KEYWORD_MAX}
          hint="プログラム名・概要から探します"
        />
        <SelectField
          name="layer"
          label="区分"
          value={q.layer ? String(q.layer) : ''}
          placeholder="すべて"
          options={[
            { value: '2', label: 'ケーススタディ教育プログラム(2層)' },
            { value: '3', label: '地域企業協働プログラム(3層)' },
          ]}
        />
        <SelectField
          name="org"
          label="運営団体"
          value={q.org ?? ''}
          placeholder="すべて"
          options={facets.organisations}
        />
        <SelectField
          name="pref"
          label="都道府県"
          value={q.pref ? String(q.pref) : ''}
          placeholder="すべて"
          options={PREFECTURE_LIST.map((p) => ({ value: String(p.code), label: p.name }))}
        />
        <SelectField
          name="format"
          label="実施形式"
          value={q.format ?? ''}
          placeholder="すべて"
          options={Object.entries(FORMAT_LABEL).map(([value, label]) => ({ value, label }))}
        />
        <SelectField
          name="skill"
          label="身につくスキル(DSS-P)"
          value={q.skill ?? ''}
          placeholder="すべて"
          options={facets.skills}
        />
        <div class="field field-checkbox">
          <input type="checkbox" id="f-open" name="open" value="1" checked={q.open} />
          <label for="f-open">募集中のプログラムだけを表示</label>
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="button">
          この条件で探す
        </button>
        <a href="/programmes">条件をクリア</a>
      </div>
    </form>
  );
}

/** Links to the other pages of the results, keeping the conditions; the current page is text. */
function Pager(props: { q: CatalogueQuery; page: number; pages: number }) {
  const { q, page, pages } = props;
  if (pages <= 1) return null;
  const href = (n: number) => `/programmes${catalogueSearch({ ...q, page: n })}`;
  return (
    <nav class="pager" aria-label="検索結果のページ">
      <ul class="pagination">
        {page > 1 ? (
          <li>
            <a href={href(page - 1)} rel="prev">
              前のページ
            </a>
          </li>
        ) : null}
        {Array.from({ length: pages }, (_, i) => i + 1).map((n) => (
          <li>
            {n === page ? (
              <span aria-current="page">{n}ページ目(表示中)</span>
            ) : (
              <a href={href(n)}>{n}ページ目</a>
            )}
          </li>
        ))}
        {page < pages ? (
          <li>
            <a href={href(page + 1)} rel="next">
              次のページ
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/**
 * `/programmes`: the catalogue, one cacheable page per canonical query, PAGE_SIZE results a page (a long
 * list is hard to scan, and a smaller page is cheaper to send to every visitor).
 */
export function buildCatalogue(deps: Deps, q: CatalogueQuery): PublicBuilder {
  return async (now) => {
    const all = await searchPublicProgrammes(deps, {});
    const results = hasConditions(q) ? await searchPublicProgrammes(deps, toPublicFilter(q, now)) : all;
    const facets = await facetsOf(deps, all);
    const conditions = describeConditions(q, facets);
    const pages = Math.max(1, Math.ceil(results.length / PAGE_SIZE));
    const page = Math.min(q.page ?? 1, pages);
    const shown = results.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const count = `${results.length}件`;
    const heading = conditions.length
      ? `検索結果 ${count}(${conditions.join('、')})`
      : `すべてのプログラム ${count}`;
    const pageNote = pages > 1 ? `(${page}/${pages}ページ)` : '';
    return {
      // The count is in the title, which a screen reader reads first after the (no-JS) page load.
      title: `プログラムを探す: ${conditions.length ? `${count}(${conditions.join('、')})` : count}${pageNote}`,
      description:
        'マナビDX Quest のケーススタディ教育プログラム(2層)と地域企業協働プログラム(3層)を、区分・地域・実施形式・募集状況・スキルで探せます。',
      path: `/programmes${catalogueSearch({ ...q, page })}`,
      validUntil: nextWindowChange(all, now),
      body: (
        <>
          <h1>プログラムを探す</h1>
          <p class="lead">
            全国の事業者・地域ハブ団体が運営するマナビDX Quest
            のプログラムを、ひとつの窓口で探せます。申込みは各プログラムのページから行います。
          </p>
          <FilterForm q={q} facets={facets} />
          <section aria-labelledby="h-results">
            <h2 id="h-results" class="result-count">
              {heading}
            </h2>
            {pages > 1 ? (
              <p>
                {(page - 1) * PAGE_SIZE + 1}〜{(page - 1) * PAGE_SIZE + shown.length}件目を表示しています。
              </p>
            ) : null}
            {results.length === 0 ? (
              <p>
                条件に合うプログラムはありません。条件を減らすか、<a href="/programmes">すべてのプログラム</a>
                をご覧ください。
              </p>
            ) : (
              <ul class="programme-list">
                {shown.map((p) => (
                  <ProgrammeCard p={p} now={now} />
                ))}
              </ul>
            )}
            <Pager q={q} page={page} pages={pages} />
          </section>
        </>
      ),
    };
  };
}
