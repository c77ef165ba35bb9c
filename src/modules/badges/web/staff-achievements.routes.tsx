import type { Hono } from 'hono';
import type { Actor } from '../../../lib/actor.js';
import { type FieldErrors, isAppError } from '../../../lib/errors.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { redirect, render } from '../../../web/render.js';
import type { SkillFrameworkView } from '../../credentials/skill-framework.presenter.js';
import {
  getDefaultFramework,
  getFrameworkById,
  listFrameworks,
} from '../../credentials/skill-framework.service.js';
import { listProgrammesForStaff } from '../../programmes/programme-admin.service.js';
import type { AchievementView } from '../achievement.presenter.js';
import type { AchievementImages } from '../achievement.schema.js';
import {
  createAchievement,
  editAchievement,
  getAchievement,
  listAchievements,
  publishAchievement,
  retireAchievement,
} from '../achievement.service.js';
import { isUuid } from '../urls.js';
import { AchievementFormPage, type AchievementFormState } from './staff-achievement-form.page.js';
import {
  ACHIEVEMENT_DONE,
  AchievementDetailPage,
  AchievementListPage,
  type ProgrammeChoice,
} from './staff-achievements.page.js';
import {
  doneMessage,
  formList,
  formStrings,
  handleUpload,
  idParam,
  type OrgContext,
  orgContext,
  requireCan,
  staffPaths,
  type Upload,
} from './staff-shared.js';

// /admin/badges (the achievements list) and /admin/badges/achievements…: create, edit (a published version
// makes a new draft version), publish, retire. Routes parse and delegate; achievement.service.ts authorises,
// scopes to the organisation and audits.

/** The organisation's programmes, for linking an achievement to one (empty when the actor may not list them). */
async function programmesOf(c: AppContext, orgId: string): Promise<ProgrammeChoice[]> {
  try {
    const list = await listProgrammesForStaff(c.get('deps'), c.get('actor'), { organisationId: orgId });
    return list.items.filter((p) => p.organisationId === orgId).map((p) => ({ id: p.id, title: p.title }));
  } catch (e) {
    if (isAppError(e, 'FORBIDDEN')) return [];
    throw e;
  }
}

/** The framework version whose items the form offers: `?framework=`, else the achievement's, else DSS-P. */
async function frameworkFor(
  c: AppContext,
  own: string | null | undefined,
): Promise<SkillFrameworkView | null> {
  const deps = c.get('deps');
  const wanted = c.req.query('framework') ?? own ?? null;
  try {
    if (wanted && isUuid(wanted)) return await getFrameworkById(deps, wanted);
    return await getDefaultFramework(deps);
  } catch (e) {
    if (isAppError(e, 'NOT_FOUND')) return null;
    throw e;
  }
}

async function formPage(
  c: AppContext,
  org: OrgContext,
  editing: AchievementView | null,
  state: AchievementFormState,
  status: 200 | 422 = 200,
) {
  const deps = c.get('deps');
  const posted = state.values.frameworkId;
  const own = posted !== undefined ? posted || null : (editing?.versions[0]?.frameworkId ?? null);
  const [framework, frameworks, programmes] = await Promise.all([
    frameworkFor(c, own),
    listFrameworks(deps),
    editing ? Promise.resolve([]) : programmesOf(c, org.orgId),
  ]);
  return render(
    c,
    editing ? 'バッジの編集' : '新しいバッジの登録',
    <AchievementFormPage
      org={org}
      csrf={c.get('csrfToken')}
      editing={editing}
      programmes={programmes}
      framework={framework}
      frameworks={frameworks}
      state={state}
    />,
    status,
  );
}

async function detailPage(
  c: AppContext,
  a: AchievementView,
  opts: { done?: string | undefined; errors?: FieldErrors } = {},
  status: 200 | 409 | 422 = 200,
) {
  const org = await orgContext(c, a.orgId);
  const programmes = a.programmeId ? await programmesOf(c, org.orgId) : [];
  return render(
    c,
    a.published?.name ?? a.draft?.name ?? a.key,
    <AchievementDetailPage
      org={org}
      csrf={c.get('csrfToken')}
      a={a}
      programmeTitle={programmes.find((p) => p.id === a.programmeId)?.title ?? null}
      done={opts.done}
      errors={opts.errors}
    />,
    status,
  );
}

/** The form's strings as the service takes them; `validDays` that is no number is a field error here. */
function contentInput(values: Record<string, string>, skillCodes: string[]) {
  const days = (values.validDays ?? '').normalize('NFKC').trim();
  const errors: FieldErrors = {};
  if (days && !/^\d{1,5}$/.test(days))
    errors.validDays = '日数を半角数字で入力してください(空欄なら期限なし)';
  return {
    errors,
    input: {
      name: values.name ?? '',
      description: values.description ?? '',
      criteriaNarrative: values.criteriaNarrative ?? '',
      achievementType: values.achievementType ?? '',
      validDays: days && /^\d{1,5}$/.test(days) ? Number(days) : null,
      frameworkId: values.frameworkId ? values.frameworkId : null,
      skillCodes,
    },
  };
}

/**
 * The form's two image fields. A key already taken is CONFLICT at `key`, a concurrent edit CONFLICT for the
 * whole form: both are shown on the form (422) like a VALIDATION error.
 */
const IMAGE_UPLOAD = { files: ['imagePng', 'imageSvg'], formCodes: ['CONFLICT'] } as const;

function imagesOf(files: Partial<Record<'imagePng' | 'imageSvg', Upload>>): AchievementImages {
  const { imagePng: png, imageSvg: svg } = files;
  return { ...(png ? { png: png.bytes } : {}), ...(svg ? { svg: svg.bytes } : {}) };
}

/** The values a version shows in the edit form. */
function versionValues(a: AchievementView): AchievementFormState {
  const v = a.draft ?? a.published ?? a.versions[0];
  return {
    values: {
      name: v?.name ?? '',
      description: v?.description ?? '',
      criteriaNarrative: v?.criteriaNarrative ?? '',
      achievementType: v?.achievementType ?? 'CertificateOfCompletion',
      validDays: v?.validDays ? String(v.validDays) : '',
    },
    skillCodes: v?.alignments.map((x) => x.code) ?? [],
  };
}

const svgNote = (removed: string[]) => (removed.length > 0 ? '&svg=cleaned' : '');

function manageable(c: AppContext, a: AchievementView) {
  return orgContext(c, a.orgId).then((org) => {
    requireCan(org, 'badges.manage');
    return org;
  });
}

function actorOf(c: AppContext): Actor {
  return c.get('actor');
}

export function registerAchievementRoutes(app: Hono<AppEnv>) {
  app.get('/', async (c) => {
    const org = await orgContext(c);
    const deps = c.get('deps');
    const [achievements, programmes] = await Promise.all([
      listAchievements(deps, actorOf(c), { orgId: org.orgId }),
      programmesOf(c, org.orgId),
    ]);
    return render(
      c,
      'バッジの発行と管理',
      <AchievementListPage org={org} achievements={achievements} programmes={programmes} />,
    );
  });

  app.get('/achievements/new', async (c) => {
    const org = await orgContext(c);
    requireCan(org, 'badges.manage');
    return formPage(c, org, null, { values: { achievementType: 'CertificateOfCompletion' }, skillCodes: [] });
  });

  app.post('/achievements/new', async (c) => {
    const values = await formStrings(c);
    const org = await orgContext(c, values.orgId ?? '');
    requireCan(org, 'badges.manage');
    const skillCodes = await formList(c, 'skillCodes');
    const { input, errors } = contentInput(values, skillCodes);
    const state = (errs: FieldErrors): AchievementFormState => ({ values, skillCodes, errors: errs });
    if (Object.keys(errors).length > 0) return formPage(c, org, null, state(errors), 422);
    return handleUpload(
      c,
      IMAGE_UPLOAD,
      async (files) => {
        const saved = await createAchievement(c.get('deps'), actorOf(c), {
          ...input,
          orgId: org.orgId,
          key: values.key ?? '',
          programmeId: values.programmeId ? values.programmeId : null,
          images: imagesOf(files),
        });
        return redirect(c, `${staffPaths.achievement(saved.id)}?done=created${svgNote(saved.svgRemoved)}`);
      },
      (errs, status) => formPage(c, org, null, state(errs), status),
    );
  });

  app.get('/achievements/:id', async (c) => {
    const a = await getAchievement(c.get('deps'), actorOf(c), idParam(c, 'id', 'バッジ(達成基準)'));
    const svg = c.req.query('svg') === 'cleaned';
    const done = [
      doneMessage(c, ACHIEVEMENT_DONE),
      svg ? 'SVG 画像から、スクリプトや外部参照など安全でない部分を取り除いて保存しました。' : undefined,
    ]
      .filter(Boolean)
      .join(' ');
    return detailPage(c, a, { done: done || undefined });
  });

  app.get('/achievements/:id/edit', async (c) => {
    const a = await getAchievement(c.get('deps'), actorOf(c), idParam(c, 'id', 'バッジ(達成基準)'));
    const org = await manageable(c, a);
    return formPage(c, org, a, versionValues(a));
  });

  app.post('/achievements/:id/edit', async (c) => {
    const deps = c.get('deps');
    const a = await getAchievement(deps, actorOf(c), idParam(c, 'id', 'バッジ(達成基準)'));
    const org = await manageable(c, a);
    const values = await formStrings(c);
    const skillCodes = await formList(c, 'skillCodes');
    const { input, errors } = contentInput(values, skillCodes);
    const state = (errs: FieldErrors): AchievementFormState => ({ values, skillCodes, errors: errs });
    if (Object.keys(errors).length > 0) return formPage(c, org, a, state(errors), 422);
    return handleUpload(
      c,
      IMAGE_UPLOAD,
      async (files) => {
        const saved = await editAchievement(deps, actorOf(c), {
          ...input,
          achievementId: a.id,
          images: imagesOf(files),
        });
        const done = a.draft ? 'edited' : 'new_version';
        return redirect(c, `${staffPaths.achievement(a.id)}?done=${done}${svgNote(saved.svgRemoved)}`);
      },
      (errs, status) => formPage(c, org, a, state(errs), status),
    );
  });

  for (const [path, run, done] of [
    ['publish', publishAchievement, 'published'],
    ['retire', retireAchievement, 'retired'],
  ] as const) {
    app.post(`/achievements/:id/${path}`, async (c) => {
      const deps = c.get('deps');
      const id = idParam(c, 'id', 'バッジ(達成基準)');
      try {
        await run(deps, actorOf(c), { achievementId: id });
        return redirect(c, `${staffPaths.achievement(id)}?done=${done}`);
      } catch (e) {
        if (!isAppError(e, 'VALIDATION') && !isAppError(e, 'INVALID_STATE') && !isAppError(e, 'CONFLICT'))
          throw e;
        const a = await getAchievement(deps, actorOf(c), id);
        // Shown at the top of the achievement's page (it has no fields to tie the message to).
        return detailPage(c, a, { errors: { _form: e.messageJa } }, e.code === 'VALIDATION' ? 422 : 409);
      }
    });
  }
}
