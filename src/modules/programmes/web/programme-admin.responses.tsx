import type { FieldErrors } from '../../../lib/errors.js';
import type { AppContext } from '../../../web/context.js';
import { render } from '../../../web/render.js';
import { getProgrammeAdmin } from '../programme-admin.service.js';
import { done } from './programme-admin.helpers.js';
import { ProgrammeDetailPage, type ReturnFormState } from './programme-admin-detail.page.js';

/** The programme page, also the answer to a refused or invalid action on it (with the reason on top). */
export async function detail(
  c: AppContext,
  id: string,
  extra: { errors?: FieldErrors | undefined; returnForm?: ReturnFormState } = {},
  status: 200 | 409 | 422 = 200,
) {
  const d = await getProgrammeAdmin(c.get('deps'), c.get('actor'), id);
  return render(
    c,
    d.programme.title,
    <ProgrammeDetailPage d={d} csrf={c.get('csrfToken')} done={done(c)} {...extra} />,
    status,
  );
}
