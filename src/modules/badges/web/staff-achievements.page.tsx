import { formatJst } from '../../../lib/clock.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, Notice, SelectField } from '../../../web/components/form.js';
import { FilterForm, SmallPost } from '../../../web/components/form-shells.js';
import type { AchievementVersionView, AchievementView } from '../achievement.presenter.js';
import { BadgeNav, IssuerLine, type OrgContext, staffPaths } from './staff-shared.js';

// /admin/badges: an organisation's achievements (what its badges certify), and one achievement with its
// draft, its published version and every version (the form is staff-achievement-form.page.tsx).

export const ACHIEVEMENT_LABELS = {
  key: 'キー',
  programmeId: 'プログラム',
  name: 'バッジの名称',
  description: '説明',
  criteriaNarrative: '取得基準',
  achievementType: '種類',
  validDays: '有効期間(日数)',
  frameworkId: 'スキル標準',
  skillCodes: 'スキル項目',
  imagePng: 'バッジ画像(PNG)',
  imageSvg: 'バッジ画像(SVG)',
} as const;

export const LIMITS = { name: 200, description: 2000, criteriaNarrative: 5000 } as const;

/** OB 3.0 AchievementType values offered on the form (the service also takes any other valid one). */
export const ACHIEVEMENT_TYPE_LABEL: Record<string, string> = {
  CertificateOfCompletion: '修了証(CertificateOfCompletion)',
  Certificate: '認定証(Certificate)',
  Certification: '資格(Certification)',
  Badge: 'バッジ(Badge)',
  Competency: '能力(Competency)',
  Course: '講座(Course)',
  Award: '表彰(Award)',
  Achievement: '達成(Achievement)',
};

const VERSION_STATUS_LABEL = { draft: '下書き', published: '公開中', retired: '公開終了' } as const;

export const ACHIEVEMENT_DONE: Record<string, string> = {
  created:
    '下書きとして登録しました。内容と画像を確かめて「公開する」を押すと、このバッジを発行できるようになります。',
  edited: '下書きを保存しました。',
  new_version:
    '公開中の版は変えずに、変更を新しい版の下書きとして保存しました。公開すると、以後の発行はこの版になります。',
  published: '公開しました。以後このバッジはこの版で発行されます。',
  retired: '発行を停止しました。発行済みのバッジは有効なままです。',
};

export type ProgrammeChoice = { id: string; title: string };

function StatusTag(p: { v: AchievementVersionView }) {
  return (
    <span class={p.v.status === 'published' ? 'badge badge-open' : 'badge badge-upcoming'}>
      {VERSION_STATUS_LABEL[p.v.status]}
    </span>
  );
}

function OrgChooser(p: { org: OrgContext; action: string }) {
  if (p.org.choices.length === 0) return null;
  return (
    <FilterForm action={p.action} submit="表示する">
      <SelectField
        name="org"
        label="発行する組織"
        value={p.org.orgId}
        options={p.org.choices.map((o) => ({ value: o.id, label: o.name }))}
      />
    </FilterForm>
  );
}

export function AchievementListPage(p: {
  org: OrgContext;
  achievements: AchievementView[];
  programmes: ProgrammeChoice[];
}) {
  const title = (id: string | null) => p.programmes.find((x) => x.id === id)?.title ?? '—';
  return (
    <>
      <h1>バッジの発行と管理</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="achievements" />
      <OrgChooser org={p.org} action="/admin/badges" />
      <p>
        バッジ(オープンバッジ
        3.0)は、ここで登録した達成基準ごとに発行します。公開した版は変更できません。内容を変えると新しい版になり、発行済みのバッジはそのまま有効です。
      </p>
      {p.org.can('badges.manage') ? (
        <p>
          <a class="button" href={staffPaths.newAchievement(p.org.orgId)}>
            新しいバッジを登録する
          </a>
        </p>
      ) : null}
      {p.achievements.length === 0 ? (
        <p>登録されたバッジはまだありません。</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table">
            <caption>登録されたバッジ({p.achievements.length}件)</caption>
            <thead>
              <tr>
                <th scope="col">名称</th>
                <th scope="col">キー</th>
                <th scope="col">プログラム</th>
                <th scope="col">公開中の版</th>
                <th scope="col">下書き</th>
              </tr>
            </thead>
            <tbody>
              {p.achievements.map((a) => {
                const latest = a.versions[0];
                return (
                  <tr>
                    <th scope="row">
                      <a href={staffPaths.achievement(a.id)}>{latest?.name ?? a.key}</a>
                    </th>
                    <td>
                      <code>{a.key}</code>
                    </td>
                    <td>{title(a.programmeId)}</td>
                    <td>{a.published ? `第${a.published.version}版` : 'なし(発行できません)'}</td>
                    <td>{a.draft ? `第${a.draft.version}版` : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function VersionFacts(p: { v: AchievementVersionView }) {
  const { v } = p;
  return (
    <dl class="summary-list">
      <dt>名称</dt>
      <dd>{v.name}</dd>
      <dt>説明</dt>
      <dd class="prose-text">{v.description}</dd>
      <dt>取得基準</dt>
      <dd class="prose-text">{v.criteriaNarrative}</dd>
      <dt>種類</dt>
      <dd>{ACHIEVEMENT_TYPE_LABEL[v.achievementType] ?? v.achievementType}</dd>
      <dt>有効期間</dt>
      <dd>{v.validDays ? `発行から${v.validDays}日` : '期限なし'}</dd>
      <dt>スキル項目</dt>
      <dd>
        {v.alignments.length === 0 ? (
          'なし'
        ) : (
          <ul class="plain-list">
            {v.alignments.map((a) => (
              <li>
                <a href={a.url}>{`${a.code} ${a.name}`}</a>({a.frameworkName} ver.{a.frameworkVersion})
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>画像</dt>
      <dd>
        {v.imageUrls.png ? (
          <img src={v.imageUrls.png} alt={`バッジ画像「${v.name}」`} width={96} height={96} />
        ) : null}
        {v.hasPng ? 'PNG 登録済み' : 'PNG 未登録'}・{v.hasSvg ? 'SVG 登録済み' : 'SVG なし(PNG から作成)'}
      </dd>
      <dt>証明データでの ID</dt>
      <dd>
        <code>{v.achievementUrl}</code>
      </dd>
    </dl>
  );
}

export function AchievementDetailPage(p: {
  org: OrgContext;
  csrf: string;
  a: AchievementView;
  programmeTitle: string | null;
  done?: string | undefined;
  errors?: FieldErrors | undefined;
}) {
  const { a } = p;
  const manage = p.org.can('badges.manage');
  const name = a.published?.name ?? a.draft?.name ?? a.key;
  return (
    <>
      <h1>{name}</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="achievements" />
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={p.errors} labels={ACHIEVEMENT_LABELS} />
      <dl class="summary-list">
        <dt>キー</dt>
        <dd>
          <code>{a.key}</code>
        </dd>
        <dt>プログラム</dt>
        <dd>{p.programmeTitle ?? '結び付けていません'}</dd>
        <dt>発行</dt>
        <dd>
          {a.published ? `第${a.published.version}版で発行します` : '公開中の版がないため、発行できません'}
        </dd>
      </dl>
      {manage ? (
        <ul class="desk-links">
          <li>
            <a href={staffPaths.editAchievement(a.id)}>
              {a.draft ? `下書き(第${a.draft.version}版)を編集する` : '内容を変更する(新しい版を作る)'}
            </a>
          </li>
        </ul>
      ) : null}
      {a.draft ? (
        <section aria-labelledby="h-draft">
          <h2 id="h-draft">下書き(第{a.draft.version}版)</h2>
          <VersionFacts v={a.draft} />
          {manage ? (
            <SmallPost
              action={`${staffPaths.achievement(a.id)}/publish`}
              csrf={p.csrf}
              label="この下書きを公開する"
            />
          ) : null}
        </section>
      ) : null}
      {a.published ? (
        <section aria-labelledby="h-published">
          <h2 id="h-published">公開中の版(第{a.published.version}版)</h2>
          <VersionFacts v={a.published} />
          {manage ? (
            <SmallPost
              action={`${staffPaths.achievement(a.id)}/retire`}
              csrf={p.csrf}
              label="このバッジの発行を停止する"
              variant="secondary"
            />
          ) : null}
        </section>
      ) : null}
      <section aria-labelledby="h-versions">
        <h2 id="h-versions">版の履歴</h2>
        <div class="table-scroll">
          <table class="data-table">
            <caption>すべての版(新しい順)</caption>
            <thead>
              <tr>
                <th scope="col">版</th>
                <th scope="col">状態</th>
                <th scope="col">名称</th>
                <th scope="col">公開日時(日本時間)</th>
                <th scope="col">公開終了日時(日本時間)</th>
                <th scope="col">最終更新(日本時間)</th>
              </tr>
            </thead>
            <tbody>
              {a.versions.map((v) => (
                <tr>
                  <th scope="row">第{v.version}版</th>
                  <td>
                    <StatusTag v={v} />
                  </td>
                  <td>{v.name}</td>
                  <td>{v.publishedAt ? formatJst(v.publishedAt) : '—'}</td>
                  <td>{v.retiredAt ? formatJst(v.retiredAt) : '—'}</td>
                  <td>{formatJst(v.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
