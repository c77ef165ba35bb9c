import { z } from 'zod';
import type { ProgrammeFormat } from '../../../db/schema.js';
import { normalizeText } from '../../../lib/text.js';
import type { PublicFilter } from '../programme.repository.js';

/**
 * The catalogue's search conditions, read from the query string of a GET form so that any search is a
 * shareable URL (`/programmes?layer=3&pref=13&open=1`). A value that does not parse is ignored rather than
 * refused: a stale or hand-edited link still shows the catalogue, just without that condition.
 */
export type CatalogueQuery = {
  layer?: 2 | 3;
  org?: string;
  pref?: number;
  format?: ProgrammeFormat;
  open: boolean;
  skill?: string;
  q?: string;
  /** 1-based page of the results (PAGE_SIZE a page). */
  page?: number;
};

export const PAGE_SIZE = 20;

export const KEYWORD_MAX = 100;

const schema = z.object({
  layer: z.enum(['2', '3']).transform(Number).optional().catch(undefined),
  org: z.uuid().toLowerCase().optional().catch(undefined),
  pref: z.coerce.number().int().min(1).max(47).optional().catch(undefined),
  format: z.enum(['venue', 'online', 'hybrid']).optional().catch(undefined),
  open: z.literal('1').optional().catch(undefined),
  skill: z
    .string()
    .transform((s) => s.normalize('NFKC').trim())
    .pipe(z.string().regex(/^[\w.-]{1,40}$/))
    .optional()
    .catch(undefined),
  q: z.string().transform(normalizeText).pipe(z.string().min(1).max(KEYWORD_MAX)).optional().catch(undefined),
  page: z.coerce.number().int().min(2).max(1000).optional().catch(undefined),
});

export function parseCatalogueQuery(params: Record<string, string | undefined>): CatalogueQuery {
  const r = schema.parse(params);
  const out: CatalogueQuery = { open: r.open === '1' };
  if (r.layer === 2 || r.layer === 3) out.layer = r.layer;
  if (r.org) out.org = r.org;
  if (r.pref) out.pref = r.pref;
  if (r.format) out.format = r.format;
  if (r.skill) out.skill = r.skill;
  if (r.q) out.q = r.q;
  if (r.page) out.page = r.page;
  return out;
}

/**
 * The query string in one fixed order, without unknown or invalid parameters: the canonical URL of a search
 * (for <link rel=canonical>) and the cache key, so `?utm=x` or a reordered URL do not fill the cache.
 */
export function catalogueSearch(q: CatalogueQuery): string {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.layer) p.set('layer', String(q.layer));
  if (q.org) p.set('org', q.org);
  if (q.pref) p.set('pref', String(q.pref));
  if (q.format) p.set('format', q.format);
  if (q.skill) p.set('skill', q.skill);
  if (q.open) p.set('open', '1');
  if (q.page && q.page > 1) p.set('page', String(q.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function toPublicFilter(q: CatalogueQuery, now: Date): PublicFilter {
  return {
    layer: q.layer,
    organisationId: q.org,
    prefecture: q.pref,
    format: q.format,
    openAt: q.open ? now : undefined,
    skill: q.skill,
    q: q.q,
  };
}

/** Whether any search condition narrows the list (the page number does not). */
export function hasConditions(q: CatalogueQuery): boolean {
  return catalogueSearch({ ...q, page: undefined }) !== '';
}
