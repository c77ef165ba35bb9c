import type { FrameworkOfficialStatus } from '../../../db/schema-frameworks.js';
import type { Deps } from '../../../deps.js';
import type { PublicBuilder } from '../../../web/pages/public-page.js';
import {
  type FrameworkSummary,
  frameworkPath,
  type SkillCategoryView,
  type SkillRoleView,
  skillItemPath,
} from '../skill-framework.presenter.js';
import { getFrameworkDetail, getSkillItemPage, listFrameworks } from '../skill-framework.service.js';

// The public pages of skill frameworks (no sign-in): the list, one version (categories → subcategories →
// items, and roles) and one item, the stable page a badge alignment's targetUrl points to. Each version page
// and item page says where the list comes from and whether its official status is confirmed.

const versionLabel = (f: { name: string; version: string }) => `${f.name} ver.${f.version}`;

/** The official-status statement and the provenance text, shown on every version and item page. */
export function Provenance(p: { status: FrameworkOfficialStatus; provenance: string }) {
  return (
    <section
      class={p.status === 'official' ? 'notice' : 'notice notice-warning'}
      aria-labelledby="h-provenance"
    >
      <h2 id="h-provenance">出典・位置づけ</h2>
      {p.status === 'official' ? (
        <p>このバージョンは、策定元が公表したものであることを事務局が確認しています。</p>
      ) : (
        <p>
          <strong>このバージョンが公式に公表されたものかどうかは確認されていません。</strong>
          公式のものが公表されたときは、別のバージョンとして登録します(このページの内容は変わりません)。
        </p>
      )}
      <p class="prose-text">{p.provenance}</p>
    </section>
  );
}

function StatusTag(p: { status: FrameworkOfficialStatus }) {
  return <span class="tag">{p.status === 'official' ? '公式' : '公式か未確認'}</span>;
}

/** /frameworks */
export function buildFrameworkListPage(deps: Deps): PublicBuilder {
  return async () => {
    const all = await listFrameworks(deps);
    const bySlug = new Map<string, FrameworkSummary[]>();
    for (const f of all) bySlug.set(f.slug, [...(bySlug.get(f.slug) ?? []), f]);
    return {
      title: 'スキル標準',
      description:
        'マナビDX Questのプログラムとデジタル証明書が対応づけるスキル標準と、そのスキル項目の一覧です。',
      path: '/frameworks',
      body: (
        <>
          <h1>スキル標準</h1>
          <p class="lead">
            マナビDX Questのプログラムとデジタル証明書(オープンバッジ)が対応づけるスキル標準です。
            バージョンごとに内容は固定され、新しいバージョンは並べて登録されます。
          </p>
          {[...bySlug.values()].map((versions) => (
            <section aria-labelledby={`h-${versions[0]?.slug}`}>
              <h2 id={`h-${versions[0]?.slug}`}>{versions[0]?.name}</h2>
              <ul class="link-list">
                {versions.map((f) => (
                  <li>
                    <a href={frameworkPath(f)}>{versionLabel(f)}</a>(スキル項目 {f.itemCount}件){' '}
                    <StatusTag status={f.officialStatus} />
                  </li>
                ))}
              </ul>
            </section>
          ))}
          {all.length === 0 ? <p>登録されたスキル標準はありません。</p> : null}
        </>
      ),
    };
  };
}

function Categories(p: { f: { slug: string; version: string }; categories: SkillCategoryView[] }) {
  return (
    <>
      {p.categories.map((c) => (
        <section aria-labelledby={`cat-${c.code || 'none'}`}>
          <h2 id={`cat-${c.code || 'none'}`}>{c.code ? `${c.code} ${c.name}` : '分類なし'}</h2>
          {c.subcategories.map((s) => (
            <>
              {s.code ? <h3>{`${s.code} ${s.name}`}</h3> : null}
              <ul class="link-list">
                {s.items.map((i) => (
                  <li>
                    <a href={skillItemPath(p.f, i.code)}>
                      <code>{i.code}</code> {i.name}
                    </a>
                    {i.nameEn ? <span lang="en">({i.nameEn})</span> : null}
                  </li>
                ))}
              </ul>
            </>
          ))}
        </section>
      ))}
    </>
  );
}

function Roles(p: {
  f: { slug: string; version: string };
  roles: SkillRoleView[];
  names: Map<string, string>;
}) {
  if (p.roles.length === 0) return null;
  return (
    <section aria-labelledby="h-roles">
      <h2 id="h-roles">ロール</h2>
      {p.roles.map((r) => (
        <section aria-labelledby={`role-${r.code}`}>
          <h3 id={`role-${r.code}`}>
            {r.name}
            {r.nameEn ? <span lang="en">({r.nameEn})</span> : null}
          </h3>
          <dl class="summary-list">
            <dt>コード</dt>
            <dd>
              <code>{r.code}</code>
            </dd>
            {r.group ? (
              <>
                <dt>区分</dt>
                <dd>{r.group}</dd>
              </>
            ) : null}
          </dl>
          {r.description ? <p class="prose-text">{r.description}</p> : null}
          {r.itemCodes.length ? (
            <>
              <p>重視するスキル項目:</p>
              <ul class="link-list">
                {r.itemCodes.map((code) => (
                  <li>
                    <a href={skillItemPath(p.f, code)}>
                      <code>{code}</code> {p.names.get(code) ?? ''}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ))}
    </section>
  );
}

/** /frameworks/<slug>/<version> */
export function buildFrameworkPage(deps: Deps, slug: string, version: string): PublicBuilder {
  return async () => {
    const { framework: f, roles } = await getFrameworkDetail(deps, slug, version);
    const names = new Map(f.items.map((i) => [i.code, i.name]));
    return {
      title: versionLabel(f),
      description: `${versionLabel(f)}のカテゴリとスキル項目(${f.items.length}件)の一覧です。`,
      path: frameworkPath(f),
      body: (
        <>
          <p>
            <a href="/frameworks">スキル標準の一覧</a>
          </p>
          <h1>{versionLabel(f)}</h1>
          <dl class="summary-list">
            <dt>識別子</dt>
            <dd>
              <code>{f.slug}</code>
            </dd>
            <dt>バージョン</dt>
            <dd>{f.version}</dd>
            <dt>スキル項目</dt>
            <dd>{f.items.length}件</dd>
            <dt>機械可読な形式</dt>
            <dd>
              <a href={`${frameworkPath(f)}.json`} type="application/json">
                JSON
              </a>
            </dd>
          </dl>
          <Provenance status={f.officialStatus} provenance={f.provenance} />
          <Categories f={f} categories={f.categories} />
          <Roles f={f} roles={roles} names={names} />
        </>
      ),
    };
  };
}

/** /frameworks/<slug>/<version>/<code> */
export function buildSkillItemPage(deps: Deps, slug: string, version: string, code: string): PublicBuilder {
  return async () => {
    const { framework: f, item, roles, otherVersions } = await getSkillItemPage(deps, slug, version, code);
    return {
      title: `${item.name}(${versionLabel(f)} ${item.code})`,
      description: `${versionLabel(f)}のスキル項目 ${item.code}「${item.name}」です。`,
      path: skillItemPath(f, item.code),
      ogType: 'article',
      body: (
        <>
          <p>
            <a href={frameworkPath(f)}>{versionLabel(f)}</a>
          </p>
          <h1>{item.name}</h1>
          <dl class="summary-list">
            <dt>コード</dt>
            <dd>
              <code>{item.code}</code>
            </dd>
            {item.nameEn ? (
              <>
                <dt>英語名</dt>
                <dd lang="en">{item.nameEn}</dd>
              </>
            ) : null}
            {item.categoryCode ? (
              <>
                <dt>カテゴリ</dt>
                <dd>{`${item.categoryCode} ${item.categoryName}`}</dd>
              </>
            ) : null}
            {item.subcategoryCode ? (
              <>
                <dt>サブカテゴリ</dt>
                <dd>{`${item.subcategoryCode} ${item.subcategoryName}`}</dd>
              </>
            ) : null}
            <dt>スキル標準</dt>
            <dd>
              <a href={frameworkPath(f)}>{f.name}</a>
            </dd>
            <dt>バージョン</dt>
            <dd>{f.version}</dd>
            {roles.length ? (
              <>
                <dt>重視するロール</dt>
                <dd>{roles.map((r) => r.name).join('、')}</dd>
              </>
            ) : null}
          </dl>
          <Provenance status={f.officialStatus} provenance={f.provenance} />
          <p>
            このページのURLは、デジタル証明書(オープンバッジ)がこのスキル項目を示すために使う、変わらないURLです。
          </p>
          {otherVersions.length ? (
            <section aria-labelledby="h-other-versions">
              <h2 id="h-other-versions">同じコードの項目がある他のバージョン</h2>
              <ul class="link-list">
                {otherVersions.map((o) => (
                  <li>
                    <a href={o.path}>{`${versionLabel(o)} ${item.code}`}</a>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      ),
    };
  };
}
