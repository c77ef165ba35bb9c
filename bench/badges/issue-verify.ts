// Issue 4, target 10: bulk issuance of N Open Badges end to end (sign, store, status index, baked PNG) and
// verification of N, each against a plain single-process `vc.issue` / `vc.verifyCredential` loop over the same
// credential in the same run. Target: ≥ 2× the plain loop for both, using both cores; memory under 500 MB.
//   Run: npm run bench:badges   (BENCH_BADGES=N, default 10000; BENCH_ROUNDS, default 3; see bench/README.md)
//
// Each round uses a fresh PostgreSQL database. The plain loop runs as a process of its own (plain-loop.ts), one
// after the other with dxq's path (never at the same time), so each side's CPU and memory are its own.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bakePng, bakeSvg, extractFromPng, extractFromSvg } from '../../src/modules/badges/baking.js';
import { buildOpenBadgeCredential } from '../../src/modules/badges/credential.js';
import type { KeyDocument } from '../../src/modules/badges/document-loader.js';
import { controllerDocument, verificationMethodDocument } from '../../src/modules/badges/keys.js';
import {
  type BadgePool,
  createBadgePool,
  type SigningKeyMaterial,
} from '../../src/modules/badges/pool/index.js';
import { sampleOpenBadgeInput } from '../../src/modules/badges/sample.js';
import {
  allocateStatusIndex,
  type BitstringStatusListEntry,
  getStatusBit,
  MIN_STATUS_LIST_SIZE,
  parseStatusIndex,
} from '../../src/modules/badges/status-list.js';
import { issuerDid, paths, siteUrl } from '../../src/modules/badges/urls.js';
import { freshPostgres, machine, median } from '../lib.js';
import { badgePng, badgeSvg, openStore, type Store } from './fixtures.js';
import { describe, maxRssMb, measure, type Phase, rssPeakMb } from './measure.js';

const N = Number(process.env.BENCH_BADGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? availableParallelism());
/**
 * Badges per INSERT (and per group handed to the pool); GROUPS groups are in flight, so signing (workers) and
 * storing (PostgreSQL, on more than one connection) overlap. A badge in flight holds ~200 KB (credential, baked
 * PNG, baked SVG — a two-byte string once the JSON has Japanese in it — and the INSERT's parameters), so these
 * two bound the main thread's memory.
 */
const CHUNK = Number(process.env.BENCH_CHUNK ?? 50);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 4);
/** Stored badges read per query when verifying them (the next page is read while this one is verified). */
const PAGE = 500;
/** BENCH_SHAPE_CACHE=0 runs the pool without its shape cache (canonical-cache.ts), to see what each part gives. */
const SHAPE_CACHE = process.env.BENCH_SHAPE_CACHE !== '0';
/**
 * BENCH_BAKED_STORAGE=external|lz4: store the baked PNG/SVG columns without pglz compression (a proposed change to
 * migration 0004, measured here); default: the schema as the migration has it.
 */
const BAKED_STORAGE = (process.env.BENCH_BAKED_STORAGE ?? 'schema') as 'schema' | 'external' | 'lz4';
const WARM = 40;
const BASE_URL = 'https://dxq.example.jp';

const issuerOf = (orgId: string) => issuerDid(BASE_URL, orgId);

function inputFor(store: Store, email: string, statusIndex: number, id?: string) {
  return sampleOpenBadgeInput({
    ...(id ? { id: `urn:uuid:${id}` } : {}),
    issuer: { id: issuerOf(store.organisationId), name: 'ベンチ事務局', url: BASE_URL },
    recipient: { email },
    status: {
      statusListCredential: siteUrl(BASE_URL, paths.statusList(store.statusListId)),
      statusListIndex: statusIndex,
    },
  });
}

// ——— (a) the plain loop, in a process of its own ———

type PlainResult = { issue: Phase; verify: Phase; maxRssMb: number };

function plainLoop(store: Store, serverSecret: Buffer): Promise<PlainResult> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const script = fileURLToPath(new URL('./plain-loop.ts', import.meta.url));
  const input = {
    n: N,
    warm: WARM,
    credential: buildOpenBadgeCredential(inputFor(store, 'learner@example.jp', 1)),
    stored: store.key,
    serverSecret: serverSecret.toString('hex'),
  };
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', tsx, script],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`plain loop failed: ${stderr || error.message}`));
        resolve(JSON.parse(stdout) as PlainResult);
      },
    );
    child.stdin?.end(JSON.stringify(input));
  });
}

// ——— (b) dxq: bulk issuance through the pool, end to end; verification through the pool ———

/** The issuer's key documents, as the issuers module serves them from the database (here: from memory). */
function keyResolver(store: Store) {
  const method = verificationMethodDocument(store.key.publicKey);
  const controller = controllerDocument(store.key.publicKey.controller, [store.key.publicKey]);
  return async (url: string): Promise<KeyDocument | null> =>
    url === method.id ? method : url === controller.id ? controller : null;
}

async function bulkIssue(
  store: Store,
  pool: BadgePool,
  key: SigningKeyMaterial,
  image: { png: Buffer; svg: string },
  count: number,
  offset: number,
): Promise<void> {
  const used = await store.usedIndexes();
  const inFlight: Promise<void>[] = [];
  for (let start = 0; start < count; start += CHUNK) {
    const group = Array.from({ length: Math.min(CHUNK, count - start) }, (_, j) => {
      const statusIndex = allocateStatusIndex(used, MIN_STATUS_LIST_SIZE);
      used.add(statusIndex);
      const id = randomUUID();
      const recipientEmail = `learner-${offset + start + j}@example.jp`;
      const credential = buildOpenBadgeCredential(inputFor(store, recipientEmail, statusIndex, id));
      return { id, recipientEmail, statusIndex, credential };
    });
    const stored = Promise.all(
      group.map(async ({ id, recipientEmail, statusIndex, credential }) => {
        const signed = await pool.sign(credential, key);
        const text = JSON.stringify(signed);
        return {
          id,
          recipientEmail,
          salt: signed.credentialSubject.identifier[0]?.salt ?? '',
          credential: text,
          statusIndex,
          validFrom: signed.validFrom,
          bakedPng: bakePng(image.png, text),
          // As bytes at once: the SVG string is two-byte (the JSON has Japanese in it) and ~80 KB on the heap.
          bakedSvg: Buffer.from(bakeSvg(image.svg, text), 'utf8'),
          claimTokenHash: createHash('sha256').update(randomBytes(32)).digest('base64url'),
        };
      }),
    ).then((rows) => store.insert(rows));
    inFlight.push(stored);
    if (inFlight.length >= GROUPS) await inFlight.shift();
  }
  await Promise.all(inFlight);
}

/** Verifies every stored badge through the pool, reading them page by page; returns how many were valid. */
async function bulkVerify(store: Store, pool: BadgePool, bits: Uint8Array): Promise<number> {
  const resolveIssuerKey = keyResolver(store);
  const checkStatus = async (entry: BitstringStatusListEntry) =>
    entry.statusListCredential.endsWith(store.statusListId)
      ? getStatusBit(bits, parseStatusIndex(entry.statusListIndex))
      : ('unknown' as const);
  let valid = 0;
  let page = await store.credentials(-1, PAGE);
  while (page.length > 0) {
    const next = store.credentials(page.at(-1)?.index ?? 0, PAGE);
    // A few verifications queued per worker, not the whole page: results are dropped as they come.
    let at = 0;
    const rows = page;
    await Promise.all(
      Array.from({ length: pool.size * 4 }, async () => {
        while (at < rows.length) {
          const row = rows[at++] as { text: string };
          const result = await pool.verify(row.text, { resolveIssuerKey, checkStatus });
          if (result.summary === 'valid') valid++;
        }
      }),
    );
    page = await next;
  }
  return valid;
}

// ——— the run ———

type Round = {
  plain: PlainResult;
  issue: Phase;
  verify: Phase;
  store: Store['kind'];
  heaps: { mainMb: number; workersMb: number[] };
};

/** Peak V8 heap (reserved) of the main thread and of each worker while `run` goes on, sampled every 250 ms. */
async function withHeapPeaks<T>(pool: BadgePool, run: () => Promise<T>) {
  const peaks = { mainMb: 0, workersMb: [] as number[] };
  const sample = async () => {
    peaks.mainMb = Math.max(peaks.mainMb, process.memoryUsage().heapTotal / 2 ** 20);
    const workers = await pool.workerStats().catch(() => []);
    workers.forEach((w, i) => {
      peaks.workersMb[i] = Math.max(peaks.workersMb[i] ?? 0, w.heap.totalMb);
    });
  };
  const timer = setInterval(() => void sample(), 250);
  try {
    return { value: await run(), peaks };
  } finally {
    clearInterval(timer);
  }
}

async function round(
  r: number,
  pool: BadgePool,
  image: { png: Buffer; svg: string },
  serverSecret: Buffer,
): Promise<Round> {
  const db = await freshPostgres();
  const store = await openStore(db.url, serverSecret, issuerOf, image.png, BAKED_STORAGE);
  try {
    const key: SigningKeyMaterial = { kind: 'sealed', stored: store.key, serverSecret };
    const bits = new Uint8Array(MIN_STATUS_LIST_SIZE / 8); // the list's bits as read from the database: all clear
    // Warm-up (JIT, each worker's key and shape cache), not measured.
    await bulkIssue(store, pool, key, image, WARM, 0);
    await bulkVerify(store, pool, bits);

    const runPool = async () => {
      const issue = await measure(N, () => bulkIssue(store, pool, key, image, N, 1000));
      // Verification of everything stored (the N just issued and the warm-up's few), read page by page.
      let valid = 0;
      const verify = await measure(N + WARM, async () => {
        valid = await bulkVerify(store, pool, bits);
      });
      if (valid !== N + WARM) throw new Error(`only ${valid} of ${N + WARM} verified as valid`);
      return { issue, verify };
    };
    // Alternate the order between rounds, so a machine getting busier or quieter favours neither side.
    let plain: PlainResult;
    let dxq: Awaited<ReturnType<typeof withHeapPeaks<Awaited<ReturnType<typeof runPool>>>>>;
    if (r % 2 === 0) {
      plain = await plainLoop(store, serverSecret);
      dxq = await withHeapPeaks(pool, runPool);
    } else {
      dxq = await withHeapPeaks(pool, runPool);
      plain = await plainLoop(store, serverSecret);
    }
    const counted = await store.count();
    if (counted.rows !== N + WARM || counted.distinctIndexes !== N + WARM) {
      throw new Error(`stored ${counted.rows} rows with ${counted.distinctIndexes} distinct status indexes`);
    }
    for (const badge of await store.sample(20)) {
      if (extractFromPng(badge.png) !== badge.credential || extractFromSvg(badge.svg) !== badge.credential) {
        throw new Error('a stored baked image does not carry the stored credential');
      }
    }
    return { plain, issue: dxq.value.issue, verify: dxq.value.verify, store: store.kind, heaps: dxq.peaks };
  } finally {
    await store.close();
    await db.drop();
  }
}

async function main() {
  console.log(`machine: ${machine()}`);
  console.log(
    `N=${N}, rounds=${ROUNDS}, pool of ${POOL_SIZE}, ${GROUPS} groups of ${CHUNK} in flight, shape cache ${SHAPE_CACHE ? 'on' : 'off'}, baked image storage: ${BAKED_STORAGE}, V8 flags: ${process.execArgv.filter((a) => /space-size/.test(a)).join(' ') || 'defaults'}`,
  );
  const serverSecret = randomBytes(32);
  const png = badgePng();
  const image = { png, svg: badgeSvg(png) };
  console.log(`badge image: PNG ${png.length} bytes, SVG ${Buffer.byteLength(image.svg)} bytes`);
  const t0 = performance.now();
  const pool = createBadgePool({ size: POOL_SIZE, canonicalCache: SHAPE_CACHE });
  await pool.ready();
  console.log(`pool of ${pool.size} workers ready in ${(performance.now() - t0).toFixed(0)} ms`);

  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const result = await round(r, pool, image, serverSecret);
    rounds.push(result);
    console.log(`round ${r + 1} (store: ${result.store})`);
    console.log(`  plain vc.issue loop        ${describe(result.plain.issue, false)}`);
    console.log(`  dxq bulk issuance (pool)   ${describe(result.issue)}`);
    console.log(`  plain vc.verifyCredential  ${describe(result.plain.verify, false)}`);
    console.log(`  dxq verification (pool)    ${describe(result.verify, false)}`);
    console.log(
      `  ratios: issuance ${(result.issue.rate / result.plain.issue.rate).toFixed(2)}×, verification ${(result.verify.rate / result.plain.verify.rate).toFixed(2)}×; plain loop process maxRSS ${result.plain.maxRssMb.toFixed(0)} MB`,
    );
    console.log(
      `  V8 heaps reserved at peak: main ${result.heaps.mainMb.toFixed(0)} MB, workers ${result.heaps.workersMb.map((m) => `${m.toFixed(0)} MB`).join(', ')}`,
    );
  }
  const workers = await pool.workerStats();
  await pool.close();
  for (const w of workers) {
    const c = w.canonical;
    console.log(
      `worker ${w.threadId}: ${c ? `${c.fast} canonicalisations from a template, ${c.standard} by the standard path, ${c.templates} templates, ${c.checks} checks against the standard path, ${c.mismatches} mismatches` : 'shape cache off'}`,
    );
  }

  const med = (pick: (r: Round) => number) => median(rounds.map(pick));
  const issueRatio = med((r) => r.issue.rate / r.plain.issue.rate);
  const verifyRatio = med((r) => r.verify.rate / r.plain.verify.rate);
  const dxqMaxRss = maxRssMb();
  console.log(`\nmedians of ${ROUNDS} rounds (store: ${rounds[0]?.store}):`);
  console.log(
    `  plain vc.issue              ${med((r) => r.plain.issue.rate).toFixed(0)}/s (CPU ${med((r) => r.plain.issue.cpuMsPer).toFixed(2)} ms each)`,
  );
  console.log(
    `  dxq bulk issuance           ${med((r) => r.issue.rate).toFixed(0)}/s → ${issueRatio.toFixed(2)}× (CPU ${med((r) => r.issue.cpuMsPer).toFixed(2)} ms + PostgreSQL ${med((r) => r.issue.pgCpuMsPer).toFixed(2)} ms each)`,
  );
  console.log(
    `  plain vc.verifyCredential   ${med((r) => r.plain.verify.rate).toFixed(0)}/s (CPU ${med((r) => r.plain.verify.cpuMsPer).toFixed(2)} ms each)`,
  );
  console.log(
    `  dxq verification            ${med((r) => r.verify.rate).toFixed(0)}/s → ${verifyRatio.toFixed(2)}× (CPU ${med((r) => r.verify.cpuMsPer).toFixed(2)} ms each)`,
  );
  console.log(
    `  memory, dxq process (main + ${POOL_SIZE} workers): RSS peak sampled ${rssPeakMb().toFixed(0)} MB, maxRSS ${dxqMaxRss.toFixed(0)} MB; plain loop process maxRSS ${med((r) => r.plain.maxRssMb).toFixed(0)} MB`,
  );
  const met = issueRatio >= 2 && verifyRatio >= 2 && dxqMaxRss < 500;
  console.log(`verdict: ${met ? 'target met' : 'target NOT met'} (≥ 2× the plain loop for both, < 500 MB)`);
}

await main();
