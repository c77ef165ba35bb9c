import type { FieldErrors } from '../../../lib/errors.js';
import {
  CheckboxGroup,
  ErrorSummary,
  FileField,
  fieldsOf,
  Notice,
  SelectField,
  TextAreaField,
  TextField,
} from '../../../web/components/form.js';
import type { FrameworkSummary, SkillFrameworkView } from '../../credentials/skill-framework.presenter.js';
import type { AchievementView } from '../achievement.presenter.js';
import {
  ACHIEVEMENT_LABELS,
  ACHIEVEMENT_TYPE_LABEL,
  LIMITS,
  type ProgrammeChoice,
} from './staff-achievements.page.js';
import { BadgeNav, IssuerLine, type OrgContext, staffPaths, UploadForm } from './staff-shared.js';

// The form that registers an achievement or edits one (a multipart form: the images). Editing a draft
// changes it; editing a published achievement makes the next version's draft (the published one is frozen).
// The skill items offered are one framework version's, grouped by category › subcategory.

function skillGroups(f: SkillFrameworkView) {
  return f.categories.flatMap((c) =>
    c.subcategories.map((s) => ({
      label: [c.name, s.name].filter(Boolean).join(' › ') || f.name,
      options: s.items.map((i) => ({ value: i.code, label: `${i.code} ${i.name}` })),
    })),
  );
}

export type AchievementFormState = {
  values: Record<string, string>;
  skillCodes: string[];
  errors?: FieldErrors | undefined;
};

export function AchievementFormPage(p: {
  org: OrgContext;
  csrf: string;
  /** The achievement being edited (its key and versions), or null for a new one. */
  editing: AchievementView | null;
  programmes: ProgrammeChoice[];
  framework: SkillFrameworkView | null;
  frameworks: FrameworkSummary[];
  state: AchievementFormState;
}) {
  const field = fieldsOf(ACHIEVEMENT_LABELS, p.state.values, p.state.errors);
  const e = p.editing;
  const heading = e
    ? e.draft
      ? `下書きの編集: ${e.draft.name}`
      : `新しい版の作成: ${e.published?.name ?? e.key}`
    : '新しいバッジの登録';
  const action = e ? staffPaths.editAchievement(e.id) : '/admin/badges/achievements/new';
  const others = p.frameworks.filter((f) => f.id !== p.framework?.id);
  const typeOptions = Object.entries(ACHIEVEMENT_TYPE_LABEL).map(([value, label]) => ({ value, label }));
  const current = p.state.values.achievementType;
  if (current && !ACHIEVEMENT_TYPE_LABEL[current]) typeOptions.push({ value: current, label: current });
  const formPath = e ? staffPaths.editAchievement(e.id) : staffPaths.newAchievement(p.org.orgId);
  const sep = formPath.includes('?') ? '&' : '?';
  return (
    <>
      <h1>{heading}</h1>
      <IssuerLine org={p.org} />
      <BadgeNav org={p.org} current="achievements" />
      {e && !e.draft ? (
        <Notice>
          公開中の第{e.published?.version}版は変更されません。保存すると第{(e.versions[0]?.version ?? 0) + 1}
          版の下書きができ、公開すると以後の発行はその版になります。
        </Notice>
      ) : null}
      <ErrorSummary errors={p.state.errors} labels={ACHIEVEMENT_LABELS} />
      <UploadForm action={action} csrf={p.csrf} submit={e ? '下書きとして保存する' : '下書きとして登録する'}>
        {e ? null : <input type="hidden" name="orgId" value={p.org.orgId} />}
        {e ? null : (
          <TextField
            {...field('key')}
            required
            maxLength={40}
            autocomplete="off"
            hint="一括発行の一覧の「バッジ」列に書く識別子です。英小文字・数字・「-」「_」「.」の40文字以内(例: regional-2026)。登録後は変更できません。"
          />
        )}
        {e ? null : (
          <SelectField
            {...field('programmeId')}
            options={p.programmes.map((x) => ({ value: x.id, label: x.title }))}
            placeholder="結び付けない"
            hint="このプログラムの受講確定者に一括発行するときに使われます。"
          />
        )}
        <TextField {...field('name')} required maxLength={LIMITS.name} hint={`${LIMITS.name}文字以内`} />
        <TextAreaField
          {...field('description')}
          required
          rows={4}
          maxLength={LIMITS.description}
          hint={`バッジが何を証明するか(${LIMITS.description}文字以内)。バッジのページと証明データに載ります。`}
        />
        <TextAreaField
          {...field('criteriaNarrative')}
          required
          rows={5}
          maxLength={LIMITS.criteriaNarrative}
          hint={`取得の条件(${LIMITS.criteriaNarrative}文字以内)。`}
        />
        <SelectField {...field('achievementType')} required options={typeOptions} />
        <TextField
          {...field('validDays')}
          inputmode="numeric"
          hint="発行日から何日有効か(半角数字)。空欄なら期限はありません。"
        />
        <input type="hidden" name="frameworkId" value={p.framework?.id ?? ''} />
        {p.framework ? (
          <CheckboxGroup
            {...field('skillCodes')}
            label={`${ACHIEVEMENT_LABELS.skillCodes}: ${p.framework.name} ver.${p.framework.version}`}
            hint="このバッジが証明するスキル項目を選んでください。証明データに、項目のコードと公開ページの URL が載ります。"
            groups={skillGroups(p.framework)}
            values={p.state.skillCodes}
          />
        ) : (
          <p>スキル標準が登録されていないため、スキル項目は選べません。</p>
        )}
        <FileField
          name="imagePng"
          label={ACHIEVEMENT_LABELS.imagePng}
          error={p.state.errors?.imagePng}
          accept=".png,image/png"
          hint={
            e
              ? '選ばなければ今の画像のままです。公開には PNG が必要です(証明データを埋め込んだ画像を作ります)。'
              : '公開には PNG が必要です(証明データを埋め込んだ画像を作ります)。正方形、512×512 ピクセル程度を推奨します。'
          }
        />
        <FileField
          name="imageSvg"
          label={ACHIEVEMENT_LABELS.imageSvg}
          error={p.state.errors?.imageSvg}
          accept=".svg,image/svg+xml"
          hint="任意。スクリプトや外部参照は取り除いて保存します。選ばなければ PNG から SVG 版を作ります。"
        />
      </UploadForm>
      {others.length > 0 ? (
        <section aria-labelledby="h-frameworks">
          <h2 id="h-frameworks">別のバージョンのスキル標準で選ぶ</h2>
          <p>切り替えると、入力中の内容は消えます。先にバージョンを選んでから入力してください。</p>
          <ul class="link-list">
            {others.map((f) => (
              <li>
                <a href={`${formPath}${sep}framework=${f.id}`}>{`${f.name} ver.${f.version}`}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p>
        <a href={e ? staffPaths.achievement(e.id) : staffPaths.home(p.org.orgId)}>戻る</a>
      </p>
    </>
  );
}
