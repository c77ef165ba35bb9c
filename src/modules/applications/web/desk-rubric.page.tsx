import type { FieldErrors } from '../../../lib/errors.js';
import { ErrorSummary, fieldsOf, Notice, TextAreaField, TextField } from '../../../web/components/form.js';
import { PostForm, SmallPost } from '../../../web/components/form-shells.js';
import type { RubricView } from '../rubric.criteria.service.js';
import { CRITERION_LABELS, RUBRIC_LIMITS } from '../rubric.schema.js';
import { ProgrammeNav, programmePath } from './desk-fields.js';

// The rubric of a programme: the criteria in order, small POST forms to move and remove them, a form to
// add one, and an edit page per criterion.

export type CriterionFormState = {
  errors?: FieldErrors | undefined;
  values?: Record<string, string> | undefined;
};

export const RUBRIC_DONE: Record<string, string> = {
  added: '評価項目を追加しました。',
  updated: '評価項目を更新しました。',
  removed: '評価項目を削除しました。',
  moved: '評価項目の順番を変更しました。',
};

export function CriterionFields(p: CriterionFormState) {
  const field = fieldsOf(CRITERION_LABELS, p.values, p.errors);
  return (
    <>
      <TextField {...field('label')} required maxLength={RUBRIC_LIMITS.label} />
      <TextAreaField
        {...field('description')}
        hint="任意。評価者が採点の目安にする説明です。"
        maxLength={RUBRIC_LIMITS.description}
        rows={3}
      />
      <TextField
        {...field('scaleMax')}
        required
        type="number"
        inputmode="numeric"
        hint="1〜10。評価者は0からこの数までの整数で採点します。"
        value={p.values?.scaleMax ?? '5'}
      />
      <TextField
        {...field('weight')}
        required
        inputmode="text"
        hint="0.01〜100(小数第2位まで)。合計点への効き方の比です。"
        value={p.values?.weight ?? '1'}
      />
    </>
  );
}

export function RubricPage(p: {
  programmeId: string;
  title: string;
  rubric: RubricView;
  csrf: string;
  templates: boolean;
  done?: string | undefined;
  add?: CriterionFormState;
  status?: string;
}) {
  const base = `${programmePath(p.programmeId)}/rubric`;
  const { criteria, canEdit } = p.rubric;
  return (
    <>
      <h1>{p.title}: 評価基準</h1>
      <ProgrammeNav programmeId={p.programmeId} current="rubric" templates={p.templates} />
      {p.done ? <Notice kind="success">{p.done}</Notice> : null}
      <ErrorSummary errors={p.add?.errors} labels={CRITERION_LABELS} />
      <p>
        合計点は、評価者ごとに「各項目の点数÷満点」を重みで加重平均して100点満点にし、利益相反を申告していない評価者の平均を取ったものです。評価項目を追加すると、それまでの採点は再採点されるまで合計点に含まれません。
      </p>
      <div class="table-scroll">
        <table class="data-table">
          <caption>評価項目({criteria.length}件)</caption>
          <thead>
            <tr>
              <th scope="col">順</th>
              <th scope="col">評価項目</th>
              <th scope="col">説明</th>
              <th scope="col" class="number">
                段階(満点)
              </th>
              <th scope="col" class="number">
                重み
              </th>
              <th scope="col" class="number">
                採点数
              </th>
              {canEdit ? <th scope="col">操作</th> : null}
            </tr>
          </thead>
          <tbody>
            {criteria.map((c, i) => (
              <tr>
                <td class="number">{i + 1}</td>
                <th scope="row">{c.label}</th>
                <td class="answer-text">{c.description || '—'}</td>
                <td class="number">{c.scaleMax}</td>
                <td class="number">{c.weight}</td>
                <td class="number">{c.scored}</td>
                {canEdit ? (
                  <td>
                    <div class="actions">
                      <a href={`${base}/${c.id}`} aria-label={`「${c.label}」を編集`}>
                        編集
                      </a>
                      {i > 0 ? (
                        <SmallPost
                          action={`${base}/${c.id}/move`}
                          csrf={p.csrf}
                          label={`「${c.label}」を上へ`}
                          variant="secondary"
                        >
                          <input type="hidden" name="direction" value="up" />
                        </SmallPost>
                      ) : null}
                      {i < criteria.length - 1 ? (
                        <SmallPost
                          action={`${base}/${c.id}/move`}
                          csrf={p.csrf}
                          label={`「${c.label}」を下へ`}
                          variant="secondary"
                        >
                          <input type="hidden" name="direction" value="down" />
                        </SmallPost>
                      ) : null}
                      <SmallPost
                        action={`${base}/${c.id}/remove`}
                        csrf={p.csrf}
                        label={`「${c.label}」を削除`}
                        variant="secondary"
                      />
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canEdit ? (
        <>
          <Notice kind="warning">評価項目を削除すると、その項目への採点も削除されます。</Notice>
          <h2>評価項目を追加する</h2>
          <PostForm action={base} csrf={p.csrf} submit="追加する">
            <CriterionFields {...p.add} />
          </PostForm>
        </>
      ) : null}
    </>
  );
}

export function CriterionEditPage(p: {
  programmeId: string;
  criterionId: string;
  title: string;
  csrf: string;
  form: CriterionFormState;
}) {
  const base = `${programmePath(p.programmeId)}/rubric`;
  return (
    <>
      <h1>評価項目の編集: {p.title}</h1>
      <ErrorSummary errors={p.form.errors} labels={CRITERION_LABELS} />
      <PostForm action={`${base}/${p.criterionId}`} csrf={p.csrf} submit="更新する">
        <CriterionFields {...p.form} />
      </PostForm>
      <p>
        <a href={base}>評価基準へ戻る</a>
      </p>
    </>
  );
}
