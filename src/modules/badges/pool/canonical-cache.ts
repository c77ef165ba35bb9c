import { randomBytes } from 'node:crypto';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { NQuads, type Quad, canonize as rdfCanonize, type Term } from 'rdf-canonize';
import { BUNDLED_CONTEXTS } from '../document-loader.js';
import { Lru } from './lru.js';

/**
 * A per-worker cache of the JSON-LD → RDF mapping for documents of the same *shape* (decision 0020).
 *
 * Why: an eddsa-rdfc-2022 signature or verification spends ~3 ms of its ~4 ms in `jsonld.toRDF`, and nearly all
 * of that in re-processing the same type-scoped contexts for every document (jsonld.js clones the whole active
 * context before its processed-context cache lookup, so that cache never hits for them: jsonld.js issue #414).
 * The RDF canonicalisation itself (rdf-canonize) is ~0.1 ms. In bulk issuance (and when verifying our own
 * badges) the documents differ only in leaf values — ids, salts, hashes, dates, status indexes — never in
 * structure.
 *
 * How: a document's *skeleton* is the document with every substitutable string leaf replaced by a unique
 * placeholder IRI. The skeleton (with the remaining, structural strings) is the cache key. The first time a
 * shape repeats, the skeleton is converted to RDF once by the standard path (the cryptosuite's own canonize,
 * with the same options and loader), giving a template dataset in which each placeholder sits as an entire IRI
 * or an entire literal value. For every later document of that shape the real values are put in place of the
 * placeholders and the dataset is canonicalised by rdf-canonize (RDFC-1.0) — the same function the standard
 * path ends with — so the N-Quads are those the standard path gives.
 *
 * When a leaf is substitutable — JSON-LD copies it through unchanged — and the guards that make sure of it:
 * - the document must be plain JSON: plain objects, dense arrays, strings that are well-formed Unicode, finite
 *   numbers (not -0), booleans and null — nothing JSON.stringify would silently drop or change (undefined,
 *   NaN, Dates…), no `__proto__` key (it would vanish from the skeleton), and no `@index` (or a term that
 *   aliases it or is an index container): JSON-LD drops `@index` in RDF but keeps two values that differ only by
 *   it, and refuses to merge two nodes whose indexes differ, so equal values there could change the output;
 * - only string values; never `type`/`@type` values (they select type-scoped contexts), never `@context`, never
 *   values of other keywords (`@language`, `@direction`, …);
 * - never a string that is a term, a keyword or a blank node id, or whose prefix (text before the first `:`) is
 *   a term of any bundled context (it could be a compact IRI or a `@vocab`-relative term);
 * - every `@context` in the document must be bundled URLs (no inline contexts, which could define prefixes);
 * - in the template every placeholder must appear, and only as a whole IRI or a whole literal value (not inside
 *   another string, not as a type, datatype or language); otherwise the shape always takes the standard path;
 * - at substitution an IRI value must be an absolute IRI as jsonld defines it, with no character N-Quads would
 *   escape, and a literal must be well-formed Unicode; the IRI values must differ from one another and from every
 *   other IRI in the template (otherwise JSON-LD would merge two nodes the template keeps apart), and the
 *   substituted dataset must have no two equal quads (JSON-LD may keep one or both: a duplicate value is dropped,
 *   two values that differ only by `@index` are not); otherwise that document takes the standard path;
 * - a new template is accepted only if it reproduces the standard path's output for the document that created
 *   it, and every `spotCheckEvery`-th fast result is compared with the standard path again; any difference sends
 *   the shape to the standard path for good (and is counted).
 * Anything unexpected — an option the cache does not know, a failure — goes to the standard path, which then
 * gives its own result or error. Nothing is cached across workers or persisted.
 */

export type Canonize = (input: unknown, options?: Record<string, unknown>) => Promise<string>;

export type CanonicalCacheOptions = {
  /** Shapes kept (LRU). Default 64. */
  maxShapes?: number;
  /** A shape is templated the second time it is seen (one-off documents cost nothing extra). Default 2. */
  promoteAfter?: number;
  /** Compare every n-th fast result with the standard path. Default 256; 0 = never. */
  spotCheckEvery?: number;
};

export type CanonicalCacheStats = {
  /** Canonicalisations answered from a template. */
  fast: number;
  /** Canonicalisations that took the standard path (first sightings, ineligible documents, fallbacks). */
  standard: number;
  templates: number;
  /** Shapes that always take the standard path (their template could not be made or did not match). */
  standardOnlyShapes: number;
  /** Fast results compared with the standard path, and how many differed (expected: 0). */
  checks: number;
  mismatches: number;
};

type Slot = { quad: number; position: 'subject' | 'object' | 'graph'; index: number };
type Template = {
  quads: Quad[];
  slots: Slot[];
  iriIndexes: Set<number>;
  /** Every IRI of the template that is not a placeholder (subjects, predicates, objects, graphs, datatypes). */
  iris: Set<string>;
};
type Entry = Template | 'standard-only' | { seen: number };

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
/** jsonld's absolute-IRI test, without the blank-node form, and without characters N-Quads escapes in IRIs. */
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/;
const isPlainAbsoluteIri = (value: string): boolean => {
  if (!ABSOLUTE_IRI.test(value)) return false;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) <= 0x20) return false;
  return true;
};
/** Options the cryptosuite's canonize is called with by the Data Integrity suite; any other means "don't know". */
const KNOWN_OPTIONS = new Set(['documentLoader', 'base', 'safe', 'skipExpansion']);
const MAX_DEPTH = 32;
const MAX_LEAVES = 2000;

type BundledTerms = {
  /** Every term any bundled context defines (keys of every context object, nested ones included). */
  terms: Set<string>;
  /** Terms that alias `@type` in some bundled context: their values are structural, like `@type`'s. */
  typeAliases: Set<string>;
  /** Terms that alias `@index` or are index containers: a document using one is not eligible. */
  indexTerms: Set<string>;
};

function bundledTerms(): BundledTerms {
  const found: BundledTerms = {
    terms: new Set(),
    typeAliases: new Set(),
    indexTerms: new Set(),
  };
  const visit = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (!key.startsWith('@')) {
          found.terms.add(key);
          const definition = v as { '@id'?: unknown; '@container'?: unknown } | null;
          const keyword = typeof v === 'string' ? v : definition?.['@id'];
          const container = typeof v === 'object' && v !== null ? definition?.['@container'] : undefined;
          if (keyword === '@type') found.typeAliases.add(key);
          if (keyword === '@index' || container === '@index') found.indexTerms.add(key);
          if (Array.isArray(container) && container.includes('@index')) found.indexTerms.add(key);
        }
        visit(v);
      }
    }
  };
  for (const context of BUNDLED_CONTEXTS.values()) visit(context);
  return found;
}

/** A plain JSON object (what JSON.parse makes), not a class instance, a Date, a Map… */
const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

const isBundledContext = (context: unknown): boolean =>
  typeof context === 'string'
    ? BUNDLED_CONTEXTS.has(context)
    : Array.isArray(context) &&
      context.length > 0 &&
      context.every((c) => typeof c === 'string' && BUNDLED_CONTEXTS.has(c));

type Skeleton = { key: string; document: unknown; values: string[] };

export function createShapeCanonizer(
  standard: Canonize,
  options: CanonicalCacheOptions = {},
): Canonize & { stats: () => CanonicalCacheStats } {
  const { terms, typeAliases, indexTerms } = bundledTerms();
  const prefix = `urn:x-dxq-${randomBytes(8).toString('hex')}:`;
  const placeholder = (i: number) => `${prefix}${i}`;
  const shapes = new Lru<string, Entry>(options.maxShapes ?? 64);
  const promoteAfter = options.promoteAfter ?? 2;
  const spotCheckEvery = options.spotCheckEvery ?? 256;
  const stats: CanonicalCacheStats = {
    fast: 0,
    standard: 0,
    templates: 0,
    standardOnlyShapes: 0,
    checks: 0,
    mismatches: 0,
  };
  let sinceCheck = 0;

  const substitutable = (value: string): boolean => {
    if (value.startsWith('@') || value.startsWith('_:') || terms.has(value)) return false;
    const colon = value.indexOf(':');
    return colon < 0 || !terms.has(value.slice(0, colon));
  };

  /** The document's skeleton, or null when the document is not eligible at all. */
  function skeleton(document: unknown): Skeleton | null {
    const values: string[] = [];
    let eligible = true;
    let leaves = 0;
    const ineligible = () => {
      eligible = false;
      return null;
    };
    const walk = (value: unknown, key: string | null, depth: number): unknown => {
      if (!eligible) return null;
      if (depth > MAX_DEPTH || ++leaves > MAX_LEAVES) return ineligible();
      if (typeof value === 'string') {
        if (value.includes(prefix) || !value.isWellFormed()) return ineligible();
        // Values of `@type` (or an alias) select type-scoped contexts; other keywords' values are not data.
        const structural =
          key === null ||
          key === 'type' ||
          typeAliases.has(key) ||
          (key.startsWith('@') && key !== '@id' && key !== '@value');
        if (structural || !substitutable(value)) return value;
        values.push(value);
        return placeholder(values.length - 1);
      }
      if (Array.isArray(value)) {
        const out: unknown[] = [];
        // A hole (sparse array) would read as undefined: not JSON.
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return ineligible();
          out.push(walk(value[i], key, depth + 1));
        }
        return out;
      }
      if (value !== null && typeof value === 'object') {
        if (!isPlainObject(value)) return ineligible();
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          // `__proto__` would set the skeleton's prototype instead of a key; `@index` and index terms: see above.
          if (k.includes(prefix) || k === '__proto__' || k === '@index' || indexTerms.has(k)) {
            return ineligible();
          }
          if (k === '@context') {
            if (!isBundledContext(v)) return ineligible();
            out[k] = v;
          } else {
            out[k] = walk(v, k, depth + 1);
          }
        }
        return out;
      }
      // Numbers, booleans, null: structural (part of the key), if JSON.stringify writes them as they are.
      if (value === null || typeof value === 'boolean') return value;
      if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return value;
      return ineligible(); // undefined, NaN, ±Infinity, -0, bigint, functions, symbols
    };
    if (document === null || typeof document !== 'object' || Array.isArray(document)) return null;
    const skeletonDocument = walk(document, null, 0);
    if (!eligible || !isBundledContext((document as Record<string, unknown>)['@context'])) return null;
    return { key: JSON.stringify(skeletonDocument), document: skeletonDocument, values };
  }

  /** The template of a skeleton's RDF, or null if its placeholders are not all plain IRIs or literal values. */
  async function buildTemplate(sk: Skeleton, opts: Record<string, unknown>): Promise<Template | null> {
    const text = await standard(sk.document, opts);
    const quads = NQuads.parse(text);
    // Fresh blank node labels: rdf-canonize gets confused by input labels in its own c14n namespace.
    const relabel = (t: Term): Term =>
      t.termType === 'BlankNode' ? { termType: 'BlankNode', value: `t${t.value.replace(/^c14n/, '')}` } : t;
    const slots: Slot[] = [];
    const iriIndexes = new Set<number>();
    const iris = new Set<string>();
    const found = new Set<number>();
    const indexOf = (value: string): number | null => {
      if (!value.startsWith(prefix)) return null;
      const rest = value.slice(prefix.length);
      return /^(0|[1-9][0-9]*)$/.test(rest) && Number(rest) < sk.values.length ? Number(rest) : null;
    };
    for (const [q, quad] of quads.entries()) {
      quad.subject = relabel(quad.subject);
      quad.object = relabel(quad.object);
      quad.graph = relabel(quad.graph);
      if (quad.predicate.value.includes(prefix)) return null;
      iris.add(quad.predicate.value);
      const { object } = quad;
      if (object.termType === 'Literal') {
        if (object.datatype?.value.includes(prefix) || object.language?.includes(prefix)) return null;
        if (object.datatype) iris.add(object.datatype.value);
      }
      for (const position of ['subject', 'object', 'graph'] as const) {
        const term = quad[position];
        if (!term.value.includes(prefix)) {
          if (term.termType === 'NamedNode') iris.add(term.value);
          continue;
        }
        const index = indexOf(term.value);
        if (index === null || (term.termType !== 'NamedNode' && term.termType !== 'Literal')) return null;
        if (position === 'object' && quad.predicate.value === RDF_TYPE) return null;
        if (term.termType === 'NamedNode') iriIndexes.add(index);
        found.add(index);
        slots.push({ quad: q, position, index });
      }
    }
    if (found.size !== sk.values.length) return null;
    // A placeholder that is an IRI in one place and a literal in another cannot be told apart: give up.
    for (const slot of slots) {
      const term = (quads[slot.quad] as Quad)[slot.position];
      if (iriIndexes.has(slot.index) && term.termType !== 'NamedNode') return null;
    }
    return { quads, slots, iriIndexes, iris };
  }

  async function fromTemplate(
    template: Template,
    values: string[],
    rdfOptions: Record<string, unknown>,
  ): Promise<string | null> {
    // IRIs: absolute, and each a node of its own. Two placeholders that turn into one IRI, or one that turns into
    // an IRI the template already has, would be nodes JSON-LD merges (with rules of its own: duplicates dropped,
    // conflicting `@index` refused) where the template kept them apart.
    const substitutedIris = new Set<string>();
    for (const index of template.iriIndexes) {
      const value = values[index] as string;
      if (!isPlainAbsoluteIri(value) || template.iris.has(value) || substitutedIris.has(value)) return null;
      substitutedIris.add(value);
    }
    const dataset = template.quads.map((q) => ({ ...q }));
    for (const slot of template.slots) {
      const quad = dataset[slot.quad] as Quad;
      quad[slot.position] = { ...quad[slot.position], value: values[slot.index] as string };
    }
    // Two equal quads (equal values in one property): JSON-LD drops a repeated value, but keeps both of two values
    // that differ only by something RDF does not carry (`@index`, a native `true` and a string "true" typed
    // xsd:boolean…), and rdf-canonize keeps what it is given. Only the standard path knows which.
    const seen = new Set<string>();
    for (const quad of dataset) {
      const line = NQuads.serializeQuad(quad);
      if (seen.has(line)) return null;
      seen.add(line);
    }
    return rdfCanonize(dataset, rdfOptions);
  }

  async function canonizeShape(input: unknown, opts: Record<string, unknown> = {}): Promise<string> {
    const runStandard = () => {
      stats.standard++;
      return standard(input, opts);
    };
    if (Object.keys(opts).some((k) => !KNOWN_OPTIONS.has(k))) return runStandard();
    if (opts.skipExpansion === true) return runStandard();
    const sk = skeleton(input);
    if (!sk) return runStandard();
    const key = `${opts.base === undefined ? 'u' : JSON.stringify(opts.base)}|${opts.safe === false ? 0 : 1}|${sk.key}`;
    // The options the cryptosuite gives rdf-canonize, so limits and errors are the same.
    const rdfOptions = {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      base: null,
      safe: true,
      ...opts,
    };

    const entry = shapes.get(key);
    if (entry === 'standard-only') return runStandard();
    if (entry === undefined || 'seen' in entry) {
      const seen = (entry?.seen ?? 0) + 1;
      if (seen < promoteAfter) {
        shapes.set(key, { seen });
        return runStandard();
      }
      const real = await runStandard();
      let template: Template | null = null;
      try {
        template = await buildTemplate(sk, opts);
        const check = template ? await fromTemplate(template, sk.values, rdfOptions) : null;
        stats.checks++;
        if (check !== real) {
          if (check !== null) stats.mismatches++;
          template = null;
        }
      } catch {
        template = null;
      }
      shapes.set(key, template ?? 'standard-only');
      if (template) stats.templates++;
      else stats.standardOnlyShapes++;
      return real;
    }

    let fast: string | null;
    try {
      fast = await fromTemplate(entry, sk.values, rdfOptions);
    } catch {
      fast = null;
    }
    if (fast === null) return runStandard();
    if (spotCheckEvery > 0 && ++sinceCheck >= spotCheckEvery) {
      sinceCheck = 0;
      stats.checks++;
      const real = await runStandard();
      if (real !== fast) {
        stats.mismatches++;
        stats.standardOnlyShapes++;
        shapes.set(key, 'standard-only');
        return real;
      }
    }
    stats.fast++;
    return fast;
  }

  return Object.assign(canonizeShape, { stats: () => ({ ...stats }) });
}

type Suite = { canonize: Canonize };

let installed: { original: Canonize; canonizer: ReturnType<typeof createShapeCanonizer> } | null = null;

/**
 * Makes the eddsa-rdfc-2022 cryptosuite of this thread (a pool worker) use the shape cache: every Data Integrity
 * suite built afterwards by signOpenBadge / verifyOpenBadge canonicalises through it. Idempotent.
 */
export function installCanonicalCache(options: CanonicalCacheOptions = {}): () => CanonicalCacheStats {
  if (!installed) {
    const suite = cryptosuite as unknown as Suite;
    const original = suite.canonize;
    const canonizer = createShapeCanonizer(original, options);
    suite.canonize = canonizer;
    installed = { original, canonizer };
  }
  return installed.canonizer.stats;
}

export function uninstallCanonicalCache(): void {
  if (!installed) return;
  (cryptosuite as unknown as Suite).canonize = installed.original;
  installed = null;
}
