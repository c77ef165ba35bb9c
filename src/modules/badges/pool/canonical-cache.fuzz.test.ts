import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildOpenBadgeCredential,
  type OpenBadgeInput,
  type SignedOpenBadgeCredential,
  signDataIntegrity,
} from '../credential.js';
import { BUNDLED_CONTEXTS, createDocumentLoader } from '../document-loader.js';
import { generateDidKeySigningKey, type SigningKey } from '../keys.js';
import { verifyOpenBadge } from '../verify.js';
import { type Canonize, createShapeCanonizer } from './canonical-cache.js';

/**
 * Property test of the shape cache (decision 0020, security review): for issued-shape badges carrying
 * adversarial values, the cache must give exactly what plain rdf-canonize (the cryptosuite's own canonize)
 * gives — the same N-Quads, or an error where the standard path errs — when canonicalising directly, when
 * signing (same proof bytes) and when verifying a tampered badge (same verdict, step by step).
 *
 * Each case is a *structure* (what is added, removed, retyped or reordered in a badge) and a set of *values*
 * put into some of its string leaves. The cache only answers from a template for a shape it has seen, so every
 * structure is first shown twice with harmless values (absolute IRIs, which the cache always substitutes) —
 * its "twins" — and then with adversarial values: whenever the adversarial document still has the twins'
 * shape, the answer comes from the template, which is what is under test. Deterministic: a fixed seed.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Path = (string | number)[];

// FUZZ_SEED and FUZZ_SCALE (a multiplier) run other or more cases, e.g. after upgrading jsonld or rdf-canonize.
const SEED = Number(process.env.FUZZ_SEED ?? 0x0dc5_2026);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const STRUCTURES = Math.round(125 * SCALE); // × VALUE_SETS adversarial documents each, for canonicalisation
const VALUE_SETS = 16;
const SIGN_CASES = Math.round(100 * SCALE);
const VERIFY_CASES = Math.round(100 * SCALE);

const suite = cryptosuite as unknown as { canonize: Canonize };
const standard = suite.canonize;
afterAll(() => {
  suite.canonize = standard;
});
const canonizeOptions = () => ({ documentLoader: createDocumentLoader(), base: null, safe: true });

// ——— a deterministic random source ———

type Rng = () => number;
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)] as T;
const chance = (r: Rng, p: number) => r() < p;

// ——— adversarial values ———

const TERMS = (() => {
  const terms = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (!key.startsWith('@')) terms.add(key);
        visit(v);
      }
    }
  };
  for (const context of BUNDLED_CONTEXTS.values()) visit(context);
  return [...terms].sort();
})();

/** Characters that N-Quads escapes or that JSON-LD or IRIs treat specially, and text that is merely unusual. */
const CHARS = [
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\b',
  '\f',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u3000',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '𠮷',
  '🎓',
  'e\u0301',
  'ａ',
  ' ',
  '<',
  '>',
  '{',
  '}',
  '|',
  '^',
  '`',
  '#',
  '%',
  '%00',
  '?',
  ':',
  '/',
  '//',
  '@',
  '_:',
  "'",
  '\\u0022',
  '\\n',
  '^^',
  '@en',
  '"@en',
  '" .\n<urn:x> <urn:y> "z',
  '> .\n<urn:x> <urn:y> <z',
  'a',
  'Z',
  '0',
  '修了',
];
/** IRIs and strings that look like IRIs, compact IRIs, blank nodes, keywords or terms. */
const IRI_LIKE = [
  'https://example.jp/badges/1',
  'https://example.jp/a#b',
  'HTTPS://EXAMPLE.JP/',
  'http:/x',
  'http:x',
  'urn:uuid:5f1b8d0e-34a3-4a0e-9d7b-2b6b7b7e0001',
  'urn:x-dxq-0123456789abcdef:0',
  'did:web:dxq.example.jp:issuers:0b4e',
  'did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi',
  'did:web:dxq.example.jp:issuers:0b4e#key-1',
  'mailto:learner@example.jp',
  'tag:example.jp,2026:x',
  'a+b.c-d:e',
  'a,b:c',
  '1a:b',
  'ex:foo',
  'xsd:string',
  'xsd:dateTime',
  'schema:name',
  'sec:proof',
  'cred:issuer',
  'obi:Achievement',
  'dc:title',
  'vc:x',
  'https://www.w3.org/2018/credentials#VerifiableCredential',
  'https://www.w3.org/2018/credentials#issuer',
  'https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement',
  'http://www.w3.org/2001/XMLSchema#string',
  'http://www.w3.org/2001/XMLSchema#dateTime',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#type',
  'https://w3id.org/security#proof',
  '_:b0',
  '_:c14n0',
  '_:t0',
  '@id',
  '@type',
  '@vocab',
  '@json',
  '@foo',
  '@',
  '#fragment',
  '/relative',
  'relative/path',
  './x',
  '../x',
  '?q',
  '//host/x',
  ':x',
  '',
  ' ',
  'https://exa mple.jp/x',
  'https://example.jp/<x>',
  'https://example.jp/"x"',
  'https://example.jp/\\x',
  'https://example.jp/{x}|^`',
  'https://例え.jp/パス',
  'https://example.jp/\u0080',
  'https://example.jp/\u3000',
  'https://example.jp/\u2028',
  'https://example.jp/\u007f',
  'https://example.jp/\ud83c\udf93',
  'https://example.jp/\n',
  'en',
  'ja-JP',
  'true',
  'false',
  'null',
  '0',
  '-0',
  '1.0',
  '1e21',
  'NaN',
  '2026-04-01T09:00:00Z',
  '2026-04-01',
  'not a date',
];
const LONE_SURROGATES = ['\ud800', '\udc00', 'x\ud83c', '\udf93x'];

function randomText(r: Rng): string {
  let s = '';
  const n = 1 + int(r, 8);
  for (let i = 0; i < n; i++) s += pick(r, CHARS);
  return s;
}

/**
 * An adversarial string; `others` are the document's own string values and `previous` the values already drawn
 * for this document (to make two values equal: nodes that merge, values that repeat).
 */
function adversarial(r: Rng, others: readonly string[], previous: readonly string[]): string {
  if (previous.length > 0 && chance(r, 0.3)) return pick(r, previous);
  switch (int(r, 12)) {
    case 0:
    case 1:
    case 2:
      return randomText(r);
    case 3:
    case 4:
      return pick(r, IRI_LIKE);
    case 5:
      return `${pick(r, IRI_LIKE)}${randomText(r)}`;
    case 6:
      return pick(r, TERMS);
    case 7:
      return others.length ? pick(r, others) : pick(r, IRI_LIKE); // equal to another value of the document
    case 8:
      return pick(r, LONE_SURROGATES) + (chance(r, 0.5) ? randomText(r) : '');
    case 9:
      return `${pick(r, ['x', '"', '\\', '修', '🎓'])}`.repeat(1 + int(r, 3000));
    case 10:
      return `https://example.jp/${encodeURIComponent(randomText(r))}`;
    default:
      return `${pick(r, TERMS)}:${randomText(r)}`;
  }
}

// ——— issued-shape badges ———

const KEY_HOLDER: { key: SigningKey | null } = { key: null };

const badges = new Map<string, JsonObject>();
/** A badge as issue.service.ts builds it (variant: with or without expiry, evidence, issuer image); a copy. */
function badge(i: number, variant: number, issuerId?: string): JsonObject {
  // 25 badges per variant and issuer are plenty for the base values; building one costs more than the test.
  const key = `${i % 25} ${variant} ${issuerId}`;
  let built = badges.get(key);
  if (!built) {
    built = buildBadge(i % 25, variant, issuerId);
    badges.set(key, built);
  }
  return structuredClone(built);
}

function buildBadge(i: number, variant: number, issuerId?: string): JsonObject {
  const base = 'https://dxq.example.jp';
  const org = '0b4e7a52-1c1d-4c5e-9f00-00000000000a';
  const achievementId = 'c0ffee00-0000-4000-8000-000000000001';
  const at = new Date(Date.UTC(2026, 3, 1 + (i % 27), i % 24, i % 60, i % 59));
  const input: OpenBadgeInput = {
    id: `urn:uuid:5f1b8d0e-34a3-4a0e-9d7b-${String(100_000_000_000 + i)}`,
    issuer: {
      id: issuerId ?? `did:web:dxq.example.jp:issuers:${org}`,
      name: `マナビDX Quest 事務局 ${i % 3}`,
      url: base,
      ...(variant & 1 ? { email: `badges${i % 5}@dxq.example.jp` } : {}),
      ...(variant & 2 ? { image: { id: `${base}/issuers/${org}/image.png` } } : {}),
    },
    validFrom: at,
    ...(variant & 4 ? { validUntil: new Date(at.getTime() + 365 * 86_400_000) } : {}),
    awardedDate: at,
    recipient: { email: `learner-${i}@example.jp`, salt: `salt-${String(i).padStart(6, '0')}` },
    achievement: {
      id: `${base}/achievements/${achievementId}/versions/${1 + (i % 2)}`,
      name: `地域企業協働プログラム 修了 ${i % 4}`,
      description: '地域の中小企業と協働し、データとデジタル技術を用いた課題解決に取り組んだ。',
      criteria: { narrative: '全セッションに参加し、最終提案を行うこと。' },
      image: { id: `${base}/achievements/${achievementId}/versions/1/image.png` },
      achievementType: 'CertificateOfCompletion',
      inLanguage: 'ja',
      version: String(1 + (i % 2)),
      alignments: [1, 2].map((n) => ({
        framework: { name: 'デジタルスキル標準(DSS-P)', version: '1.2' },
        code: `${n}.1.${i % 3}`,
        name: `スキル ${n}`,
        url: `${base}/frameworks/dss-p/1.2/${n}.1.${i % 3}`,
      })),
    },
    ...(variant & 8 ? { evidence: [{ id: `${base}/evidence/${i}`, narrative: `所見 ${i}` }] } : {}),
    status: { statusListCredential: `${base}/status-lists/${org}`, statusListIndex: (i * 7919) % 131_072 },
  };
  return buildOpenBadgeCredential(input) as unknown as JsonObject;
}

// ——— structures: what a case changes in a badge, the same for its twins and its adversarial documents ———

/** A string leaf to fill with a value of the case: the k-th value. */
type Slot = { slot: number };
type Fill = Json | Slot | FillObject | Fill[];
type FillObject = { [key: string]: Fill };
type Op =
  | { op: 'set'; path: Path; value: Fill }
  | { op: 'add'; path: Path; key: string; value: Fill }
  | { op: 'delete'; path: Path }
  | { op: 'reorder'; path: Path; seed: number }
  | { op: 'wrap'; path: Path }
  | { op: 'unwrap'; path: Path };
type Structure = { variant: number; ops: Op[]; slots: number };

const isSlot = (v: unknown): v is Slot =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).join() === 'slot';

function leaves(doc: Json, path: Path = [], out: { path: Path; value: Json }[] = []) {
  if (Array.isArray(doc)) {
    for (const [i, v] of doc.entries()) leaves(v, [...path, i], out);
  } else if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) if (k !== '@context') leaves(v, [...path, k], out);
  } else out.push({ path, value: doc });
  return out;
}
function containers(doc: Json, path: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(doc)) {
    for (const [i, v] of doc.entries()) containers(v, [...path, i], out);
  } else if (doc !== null && typeof doc === 'object') {
    out.push(path);
    for (const [k, v] of Object.entries(doc)) if (k !== '@context') containers(v, [...path, k], out);
  }
  return out;
}
function at(doc: Json, path: Path): Json | undefined {
  let cur: Json | undefined = doc;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, Json>)[p] : undefined;
  return cur;
}
/** Sets an own property, `__proto__` included (as JSON.parse would). */
function define(target: Json, key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function structure(r: Rng): Structure {
  const variant = int(r, 16);
  const sample = badge(0, variant);
  const stringLeaves = leaves(sample).filter(
    (l) => typeof l.value === 'string' && !l.path.includes('type') && !l.path.includes('@context'),
  );
  const objects = containers(sample);
  const ops: Op[] = [];
  let slots = 0;
  const slot = (): Slot => ({ slot: slots++ });
  const valueOfSlot = (): Fill =>
    pick<() => Fill>(r, [
      () => slot(),
      () => slot(),
      () => ({ id: slot() }),
      () => ({ '@id': slot() }),
      () => ({ '@value': slot() }),
      () => ({ '@value': slot(), '@language': pick(r, ['en', 'ja', 'en-US']) }),
      () => ({ '@value': slot(), '@type': pick(r, ['xsd:dateTime', 'xsd:string', 'xsd:boolean', '@json']) }),
      () => ({ '@value': slot(), '@index': pick(r, ['a', 'b']) }),
      () => [slot(), slot()],
      () => [slot(), slot()],
      () => [slot()],
      () => [slot(), { '@value': slot(), '@index': 'i' }],
      () => [slot(), { '@value': slot(), '@index': 'i' }],
      (): Fill => [
        { id: slot(), '@index': 'i' },
        { id: slot(), '@index': 'j', name: slot() },
      ],
      () => ({ name: slot(), id: slot() }),
      () => ({ '@list': [slot(), slot()] }),
    ])();
  const structural = (): Fill =>
    pick<Fill>(r, [
      0,
      -1,
      1.5,
      true,
      false,
      null,
      [],
      {},
      [true],
      { '@value': true },
      { '@value': 'true', '@type': 'xsd:boolean' },
      'VerifiableCredential',
      'xsd:string',
    ]);
  // Most cases put adversarial values into 1–3 of the badge's own string leaves, as a forger or an odd input
  // would; some also change the structure around them.
  const n = 1 + int(r, 3);
  for (let i = 0; i < n; i++) ops.push({ op: 'set', path: pick(r, stringLeaves).path, value: slot() });
  if (chance(r, 0.6)) {
    const kind = pick(r, [0, 1, 1, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8]);
    const leaf = pick(r, stringLeaves).path;
    const object = pick(r, objects);
    if (kind === 0) ops.push({ op: 'set', path: leaf, value: structural() });
    else if (kind === 1) ops.push({ op: 'set', path: leaf, value: valueOfSlot() });
    else if (kind === 2) {
      const key = pick(r, [
        'name',
        'description',
        'id',
        'url',
        'narrative',
        'email',
        'image',
        'targetUrl',
        'achievementType',
        'inLanguage',
        'awardedDate',
        'creator',
        'tag',
        'allowedValue',
        '__proto__',
        '@index',
        '@language',
        'unknownTerm',
        'type',
      ]);
      ops.push({ op: 'add', path: object, key, value: chance(r, 0.7) ? valueOfSlot() : structural() });
    } else if (kind === 3) ops.push({ op: 'delete', path: leaf });
    else if (kind === 4) ops.push({ op: 'reorder', path: object, seed: int(r, 1e9) });
    else if (kind === 5) ops.push({ op: 'wrap', path: leaf });
    else if (kind === 6) ops.push({ op: 'unwrap', path: pick(r, [['type'], ['issuer', 'type']]) });
    else if (kind === 7) {
      ops.push({ op: 'set', path: ['type'], value: pick(r, [['VerifiableCredential'], ['Foo'], 'X']) });
    } else {
      // An issuer or achievement given as a bare IRI string instead of an object.
      ops.push({
        op: 'set',
        path: pick(r, [['issuer'], ['credentialSubject', 'achievement']]),
        value: slot(),
      });
    }
  }
  return { variant, ops, slots };
}

function fill(value: Fill, values: readonly Json[]): Json {
  if (isSlot(value)) return values[value.slot] ?? null;
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) define(out, k, fill(v, values));
    return out;
  }
  return value;
}

function apply(doc: JsonObject, s: Structure, values: readonly Json[]): JsonObject {
  const out = structuredClone(doc);
  for (const op of s.ops) {
    const parentPath = op.op === 'add' || op.op === 'reorder' ? op.path : op.path.slice(0, -1);
    const last = op.path.at(-1) as string | number;
    const parent = at(out, parentPath);
    if (parent === undefined || parent === null || typeof parent !== 'object') continue;
    if (op.op === 'set') define(parent, last, fill(op.value, values));
    else if (op.op === 'add') define(parent, op.key, fill(op.value, values));
    else if (op.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete (parent as JsonObject)[last];
    } else if (op.op === 'wrap') {
      const v = (parent as Record<string, Json>)[last];
      if (v !== undefined) define(parent, last, [v]);
    } else if (op.op === 'unwrap') {
      const v = (parent as Record<string, Json>)[last];
      if (Array.isArray(v) && v.length === 1) define(parent, last, v[0] as Json);
    } else if (!Array.isArray(parent)) {
      const r = mulberry32(op.seed);
      const entries = Object.entries(parent).sort(() => r() - 0.5);
      for (const key of Object.keys(parent)) delete (parent as JsonObject)[key];
      for (const [k, v] of entries) define(parent, k, v);
    }
  }
  return out;
}

/** Harmless values for a structure's twins: distinct absolute IRIs, which the cache substitutes anywhere. */
const twinValues = (s: Structure, twin: number) =>
  Array.from({ length: s.slots }, (_, k) => `https://twin.example.jp/${twin}/${k}`);

function adversarialValues(r: Rng, s: Structure, doc: JsonObject): Json[] {
  const others = leaves(doc)
    .map((l) => l.value)
    .filter((v): v is string => typeof v === 'string');
  const values: string[] = [];
  for (let k = 0; k < s.slots; k++) values.push(adversarial(r, others, values));
  return values;
}

// ——— comparing outcomes ———

type Outcome = { ok: string } | { error: string };
const outcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    (ok) => ({ ok: typeof ok === 'string' ? ok : JSON.stringify(ok) }),
    (e: unknown) => ({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
  );

type Mismatch = { case: string; values: unknown; standard: Outcome; cache: Outcome };

/** N-Quads lines only one side has (with their counts), or the two outcomes when either is an error. */
function difference(a: Outcome, b: Outcome): string {
  if (!('ok' in a) || !('ok' in b))
    return `standard ${JSON.stringify(a).slice(0, 300)}; cache ${JSON.stringify(b).slice(0, 300)}`;
  const count = (text: string) => {
    const m = new Map<string, number>();
    for (const line of text.split('\n')) m.set(line, (m.get(line) ?? 0) + 1);
    return m;
  };
  const [x, y] = [count(a.ok), count(b.ok)];
  const only = (p: Map<string, number>, q: Map<string, number>) =>
    [...p].filter(([line, n]) => (q.get(line) ?? 0) !== n).map(([line, n]) => `${n}× ${line}`);
  return `standard only: ${JSON.stringify(only(x, y)).slice(0, 400)}; cache only: ${JSON.stringify(only(y, x)).slice(0, 400)}`;
}

function report(kind: string, mismatches: Mismatch[]): string {
  return mismatches
    .slice(0, 5)
    .map(
      (m) =>
        `${kind} ${m.case} values ${JSON.stringify(m.values).slice(0, 300)}\n  ${difference(m.standard, m.cache)}`,
    )
    .join('\n');
}

describe('shape cache against plain rdf-canonize, adversarial values (property test)', () => {
  it(`canonicalises ${STRUCTURES * VALUE_SETS} adversarial badges exactly as rdf-canonize does`, async () => {
    const r = mulberry32(SEED);
    const fast = createShapeCanonizer(standard, { spotCheckEvery: 0 });
    const mismatches: Mismatch[] = [];
    let n = 0;
    for (let c = 0; c < STRUCTURES; c++) {
      const s = structure(r);
      // The twins make the structure's template (first sighting, then the template is built and checked).
      for (const twin of [0, 1]) {
        await outcome(fast(apply(badge(1000 + twin, s.variant), s, twinValues(s, twin)), canonizeOptions()));
      }
      for (let v = 0; v < VALUE_SETS; v++) {
        const base = badge(2000 + n++, s.variant);
        const values = adversarialValues(r, s, base);
        const doc = apply(base, s, values);
        const before = fast.stats().fast;
        const actual = await outcome(fast(doc, canonizeOptions()));
        // Not answered from a template: the cache returned the standard path's own answer, nothing to compare.
        if (fast.stats().fast === before) continue;
        const expected = await outcome(standard(doc, canonizeOptions()));
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          mismatches.push({ case: `${c}.${v}`, values: [s.ops, values], standard: expected, cache: actual });
        }
      }
    }
    const stats = fast.stats();
    if (process.env.FUZZ_DEBUG) console.log(stats);
    expect(report('canonize', mismatches), `${mismatches.length} mismatches`).toBe('');
    expect(stats.mismatches).toBe(0);
    // The test is only worth something if many adversarial documents were answered from a template.
    expect(stats.fast).toBeGreaterThan((STRUCTURES * VALUE_SETS) / 5);
  }, 600_000);

  it(`signs ${SIGN_CASES} adversarial badges to the same bytes as the standard path`, async () => {
    const r = mulberry32(SEED ^ 0x5167);
    KEY_HOLDER.key ??= await generateDidKeySigningKey();
    const key = KEY_HOLDER.key;
    const fast = createShapeCanonizer(standard, { spotCheckEvery: 0 });
    const sign = async (doc: JsonObject, withCache: boolean) => {
      suite.canonize = withCache ? fast : standard;
      try {
        return await outcome(signDataIntegrity(doc, key, { created: '2026-04-01T09:00:00Z' }));
      } finally {
        suite.canonize = standard;
      }
    };
    const mismatches: Mismatch[] = [];
    for (let c = 0; c < SIGN_CASES; c++) {
      const s = structure(r);
      for (const twin of [0, 1]) {
        await sign(apply(badge(1000 + twin, s.variant, key.controller), s, twinValues(s, twin)), true);
      }
      const base = badge(3000 + c, s.variant, key.controller);
      const values = adversarialValues(r, s, base);
      const doc = apply(base, s, values);
      const before = fast.stats().fast;
      const actual = await sign(doc, true);
      if (fast.stats().fast === before) continue;
      const expected = await sign(doc, false);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        mismatches.push({ case: String(c), values: [s.ops, values], standard: expected, cache: actual });
      }
    }
    expect(report('sign', mismatches), `${mismatches.length} mismatches`).toBe('');
    expect(fast.stats().fast).toBeGreaterThan(SIGN_CASES / 2);
  }, 600_000);

  it(`gives the same verdict as the standard path for ${VERIFY_CASES} tampered badges`, async () => {
    const r = mulberry32(SEED ^ 0x7e41);
    KEY_HOLDER.key ??= await generateDidKeySigningKey();
    const key = KEY_HOLDER.key;
    const fast = createShapeCanonizer(standard, { spotCheckEvery: 0 });
    const now = new Date('2026-06-01T00:00:00Z');
    const verify = async (doc: unknown, withCache: boolean) => {
      suite.canonize = withCache ? fast : standard;
      try {
        const result = await verifyOpenBadge(doc, { now });
        return { summary: result.summary, steps: result.steps };
      } finally {
        suite.canonize = standard;
      }
    };
    const signedBadges = new Map<string, SignedOpenBadgeCredential>();
    const signedBadge = async (i: number, variant: number) => {
      const id = `${i % 25} ${variant}`;
      let signed = signedBadges.get(id);
      if (!signed) {
        signed = (await signDataIntegrity(badge(i, variant, key.controller), key, {
          created: '2026-04-01T09:00:00Z',
        })) as unknown as SignedOpenBadgeCredential;
        signedBadges.set(id, signed);
      }
      return structuredClone(signed) as unknown as JsonObject;
    };
    const mismatches: Mismatch[] = [];
    let forgeriesAccepted = 0;
    for (let c = 0; c < VERIFY_CASES; c++) {
      const s = structure(r);
      for (const twin of [0, 1]) {
        await verify(apply(await signedBadge(1000 + twin, s.variant), s, twinValues(s, twin)), true);
      }
      const signed = await signedBadge(4000 + c, s.variant);
      // Tampered as a forger would: adversarial values put into a signed badge, its proof kept; pasted as JSON
      // text, as the public verification page receives it.
      const values = adversarialValues(r, s, signed);
      const text = JSON.stringify(apply(signed, s, values));
      const before = fast.stats().fast;
      const actual = await verify(text, true);
      if (fast.stats().fast === before) continue;
      const expected = await verify(text, false);
      if (actual.summary === 'valid' && expected.summary !== 'valid') forgeriesAccepted++;
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        const standardOutcome = { ok: JSON.stringify(expected) };
        mismatches.push({
          case: String(c),
          values: [s.ops, values],
          standard: standardOutcome,
          cache: { ok: JSON.stringify(actual) },
        });
      }
    }
    expect(forgeriesAccepted).toBe(0);
    expect(report('verify', mismatches), `${mismatches.length} mismatches`).toBe('');
    expect(fast.stats().fast).toBeGreaterThan(VERIFY_CASES / 2);
  }, 600_000);
});
