import { Hono } from 'hono';
import { type FieldErrors, isAppError } from '../../../lib/errors.js';
import { assertUploadClean } from '../../../lib/malware-scan.js';
import type { AppContext, AppEnv } from '../../../web/context.js';
import { formFields, parseForm } from '../../../web/forms.js';
import { servePublic } from '../../../web/pages/public-page.js';
import { redirect, render } from '../../../web/render.js';
import type { PublicCache } from '../../programmes/public-cache.js';
import {
  checkFrameworkImport,
  getFrameworkImport,
  importFramework,
  listFrameworkImports,
} from '../framework-import.service.js';
import {
  frameworkJsonTemplate,
  frameworkXlsx,
  itemsCsv,
  rolesCsv,
  templateRows,
} from '../framework-template.js';
import { authorize, can } from '../skill-framework.policy.js';
import { frameworkJson, frameworkPath, skillItemPath } from '../skill-framework.presenter.js';
import { getFrameworkDetail, listFrameworks } from '../skill-framework.service.js';
import { FrameworkAdminListPage, ImportReportPage } from './framework-admin.pages.js';
import { importFormSchema, toMetaInput } from './framework-import.schema.js';
import { ImportFormPage } from './framework-import-form.page.js';
import { buildFrameworkListPage, buildFrameworkPage, buildSkillItemPage } from './framework-public.pages.js';

/**
 * Skill frameworks on the web (issue 4 §1), mounted at '/': the public pages under /frameworks (no sign-in;
 * cached for anonymous visitors like the other public pages, the import bumps the content version) and the
 * staff pages under /admin/frameworks. Routes parse and delegate; the services authorise.
 */

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const attachment = (name: string) => `attachment; filename="${name}"`;

/** A chosen file from a multipart body (a form without a chosen file sends an empty, nameless part). */
function chosenFile(v: unknown): File | null {
  const f = Array.isArray(v) ? v[0] : v;
  return f instanceof File && (f.size > 0 || f.name !== '') ? f : null;
}

async function upload(f: File) {
  return { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) };
}

async function reportPage(
  c: AppContext,
  id: string,
  opts: { done?: boolean; error?: string } = {},
  status: 200 | 409 = 200,
) {
  const d = await getFrameworkImport(c.get('deps'), c.get('actor'), id);
  return render(
    c,
    d.status === 'imported' ? 'スキル標準の取り込み結果' : '取り込み前の確認結果',
    <ImportReportPage
      d={d}
      csrf={c.get('csrfToken')}
      done={opts.done ?? false}
      errors={opts.error ? { _form: opts.error } : undefined}
    />,
    status,
  );
}

export function skillFrameworkRoutes(cache: PublicCache) {
  const app = new Hono<AppEnv>();

  // ---- public ----
  app.get('/frameworks', (c) => servePublic(c, cache, '/frameworks', buildFrameworkListPage(c.get('deps'))));

  app.get('/frameworks/:slug/:version', async (c) => {
    const deps = c.get('deps');
    const slug = c.req.param('slug');
    const version = c.req.param('version');
    if (version.endsWith('.json')) {
      // Machine-readable: the import format's JSON with absolute URLs (no version ends in .json, see 0005).
      const v = version.slice(0, -'.json'.length);
      const json = await cache.get(`framework-json ${deps.config.baseUrl} ${slug} ${v}`, async () => {
        const { framework, roles } = await getFrameworkDetail(deps, slug, v);
        return { value: JSON.stringify(frameworkJson(framework, roles, deps.config.baseUrl), null, 1) };
      });
      return c.body(json, 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Access-Control-Allow-Origin': '*',
      });
    }
    return servePublic(c, cache, frameworkPath({ slug, version }), buildFrameworkPage(deps, slug, version));
  });

  app.get('/frameworks/:slug/:version/:code', (c) => {
    const { slug, version, code } = c.req.param();
    return servePublic(
      c,
      cache,
      skillItemPath({ slug, version }, code),
      buildSkillItemPage(c.get('deps'), slug, version, code),
    );
  });

  // ---- staff ----
  app.get('/admin/frameworks', async (c) => {
    const actor = c.get('actor');
    authorize(actor, 'frameworks.list');
    const deps = c.get('deps');
    const imports = can(actor, 'frameworks.import') ? await listFrameworkImports(deps, actor) : null;
    return render(
      c,
      'スキル標準の管理',
      <FrameworkAdminListPage frameworks={await listFrameworks(deps)} imports={imports} />,
    );
  });

  app.get('/admin/frameworks/import', (c) => {
    authorize(c.get('actor'), 'frameworks.import');
    return render(c, 'スキル標準の取り込み', <ImportFormPage csrf={c.get('csrfToken')} values={{}} />);
  });

  app.post('/admin/frameworks/import', async (c) => {
    const actor = c.get('actor');
    authorize(actor, 'frameworks.import');
    const form = await parseForm(c, importFormSchema);
    const body = await formFields(c);
    const file = chosenFile(body.file);
    const rolesFile = chosenFile(body.rolesFile);
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    if (!file) errors.file = 'ファイルを選んでください';
    if (!form.ok || !file) {
      return render(
        c,
        'スキル標準の取り込み',
        <ImportFormPage csrf={c.get('csrfToken')} values={form.values} errors={errors} />,
        422,
      );
    }
    const deps = c.get('deps');
    const main = await upload(file);
    const roles = rolesFile ? await upload(rolesFile) : null;
    // SECURITY.md "Uploads": each file scanned (clamd) before a byte is parsed; an infected one is named at its
    // own field. A configured scanner that is down is UNAVAILABLE (fail closed).
    const infected: FieldErrors = {};
    for (const [field, f] of [
      ['file', main],
      ['rolesFile', roles],
    ] as const) {
      if (!f) continue;
      try {
        await assertUploadClean(deps.config, f.bytes, field);
      } catch (e) {
        if (!isAppError(e, 'VALIDATION')) throw e;
        Object.assign(infected, e.fields);
      }
    }
    if (Object.keys(infected).length > 0) {
      const page = <ImportFormPage csrf={c.get('csrfToken')} values={form.values} errors={infected} />;
      return render(c, 'スキル標準の取り込み', page, 422);
    }
    const checked = await checkFrameworkImport(deps, actor, {
      file: main,
      rolesFile: roles,
      meta: toMetaInput(form.data),
    });
    return redirect(c, `/admin/frameworks/imports/${checked.id}`);
  });

  app.get('/admin/frameworks/imports/:id', (c) =>
    reportPage(c, c.req.param('id'), { done: c.req.query('done') === 'imported' }),
  );

  app.post('/admin/frameworks/imports/:id/import', async (c) => {
    const id = c.req.param('id');
    try {
      await importFramework(c.get('deps'), c.get('actor'), id);
      return redirect(c, `/admin/frameworks/imports/${id}?done=imported`);
    } catch (e) {
      if (isAppError(e, 'INVALID_STATE') || isAppError(e, 'CONFLICT'))
        return reportPage(c, id, { error: e.messageJa }, 409);
      throw e;
    }
  });

  // The templates of the import format (framework-template.ts), documented on the import page.
  app.get('/admin/frameworks/template.xlsx', async (c) => {
    authorize(c.get('actor'), 'frameworks.import');
    return c.body(new Uint8Array(await frameworkXlsx(templateRows())), 200, {
      'Content-Type': XLSX_TYPE,
      'Content-Disposition': attachment('framework-template.xlsx'),
    });
  });
  app.get('/admin/frameworks/template.csv', (c) => {
    authorize(c.get('actor'), 'frameworks.import');
    return c.body(itemsCsv(templateRows()), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': attachment('framework-template.csv'),
    });
  });
  app.get('/admin/frameworks/template-roles.csv', (c) => {
    authorize(c.get('actor'), 'frameworks.import');
    return c.body(rolesCsv(templateRows()), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': attachment('framework-roles-template.csv'),
    });
  });
  app.get('/admin/frameworks/template.json', (c) => {
    authorize(c.get('actor'), 'frameworks.import');
    return c.body(JSON.stringify(frameworkJsonTemplate(templateRows()), null, 2), 200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': attachment('framework-template.json'),
    });
  });

  return app;
}
