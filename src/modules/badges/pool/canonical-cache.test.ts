import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { describe, expect, it } from 'vitest';
import { buildOpenBadgeCredential, type OpenBadgeCredential } from '../credential.js';
import { createDocumentLoader } from '../document-loader.js';
import { generateDidKeySigningKey } from '../keys.js';
import { sampleOpenBadgeInput } from '../sample.js';
import { type Canonize, createShapeCanonizer } from './canonical-cache.js';

const standard = (cryptosuite as unknown as { canonize: Canonize }).canonize;
const options = () => ({ documentLoader: createDocumentLoader(), base: null, safe: true });

type Outcome = { ok: string } | { error: string };
const outcome = (p: Promise<string>): Promise<Outcome> =>
  p.then(
    (ok) => ({ ok }),
    (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }),
  );

/** A fresh canonizer that never re-checks itself: every fast answer below is compared by the test instead. */
function canonizer() {
  return createShapeCanonizer(standard, { spotCheckEvery: 0 });
}

async function expectSame(fast: ReturnType<typeof canonizer>, document: unknown): Promise<void> {
  const [a, b] = await Promise.all([
    outcome(standard(document, options())),
    outcome(fast(document, options())),
  ]);
  expect(b).toEqual(a);
}

const WEIRD = [
  '"quoted"',
  'back\\slash',
  'new\nline',
  'tab\tand\r',
  '𠮷髙 絵文字 🎓',
  '<not-an-iri>',
  'x'.repeat(250),
];

function credential(i: number): OpenBadgeCredential {
  const weird = WEIRD[i % WEIRD.length] as string;
  return buildOpenBadgeCredential(
    sampleOpenBadgeInput({
      name: `修了証 ${weird} ${i}`,
      recipient: { email: `learner-${i}@example.jp`, salt: `salt-${weird}-${i}`.slice(0, 120) },
      validFrom: new Date(Date.UTC(2026, 3, 1 + (i % 28), i % 24)),
      status: {
        statusListCredential: `https://dxq.example.jp/status-lists/${i % 3}`,
        statusListIndex: i * 7,
      },
    }),
  );
}

describe('shape cache of JSON-LD canonicalisation', () => {
  it('gives exactly the standard N-Quads for badges of one shape, from a template after the first two', async () => {
    const fast = canonizer();
    for (let i = 0; i < 60; i++) await expectSame(fast, credential(i));
    const stats = fast.stats();
    expect(stats.templates).toBe(1);
    expect(stats.fast).toBe(58);
    expect(stats.mismatches).toBe(0);
  });

  it('gives the standard N-Quads for proof options (created and key vary)', async () => {
    const fast = canonizer();
    const keys = await Promise.all([generateDidKeySigningKey(), generateDidKeySigningKey()]);
    for (let i = 0; i < 12; i++) {
      await expectSame(fast, {
        '@context': credential(0)['@context'],
        type: 'DataIntegrityProof',
        cryptosuite: 'eddsa-rdfc-2022',
        created: `2026-04-01T09:00:${String(i).padStart(2, '0')}Z`,
        verificationMethod: keys[i % 2]?.id,
        proofPurpose: 'assertionMethod',
      });
    }
    expect(fast.stats()).toMatchObject({ templates: 1, fast: 10, mismatches: 0 });
  });

  it('falls back to the standard path wherever a value would not pass through JSON-LD unchanged', async () => {
    const fast = canonizer();
    await expectSame(fast, credential(1));
    await expectSame(fast, credential(2)); // the template exists from here on
    const withValue = (path: (c: OpenBadgeCredential) => void) => {
      const c = structuredClone(credential(3));
      path(c);
      return c;
    };
    const iriValues = [
      'relative/path',
      '#fragment',
      '_:b0',
      'https://exa mple.jp/x',
      'urn:x<y>',
      'assertionMethod',
      'VerifiableCredential',
      'OpenBadgeCredential',
      'xsd:string',
      'schema:name',
      'did:example:123',
      'urn:x\u0001y',
      '@id',
      '',
    ];
    for (const value of iriValues) {
      await expectSame(
        fast,
        withValue((c) => {
          c.credentialSubject.achievement.id = value;
        }),
      );
      await expectSame(
        fast,
        withValue((c) => {
          c.id = value;
        }),
      );
      await expectSame(
        fast,
        withValue((c) => {
          c.credentialSubject.identifier[0] = { ...c.credentialSubject.identifier[0], salt: value } as never;
        }),
      );
    }
    // Documents whose skeleton differs: a term as a value, an inline context, an unknown term, a remote context.
    await expectSame(
      fast,
      withValue((c) => {
        (c as Record<string, unknown>)['@context'] = [...c['@context'], { foo: 'https://evil.example/foo' }];
      }),
    );
    await expectSame(
      fast,
      withValue((c) => {
        (c as Record<string, unknown>).unknownTerm = 'x';
      }),
    );
    await expectSame(
      fast,
      withValue((c) => {
        (c as Record<string, unknown>)['@context'] = [...c['@context'], 'https://evil.example/ctx.json'];
      }),
    );
    expect(fast.stats().mismatches).toBe(0);
  });

  it('steps aside where equal values would make JSON-LD merge nodes or keep duplicates (fuzz findings)', async () => {
    // Found by canonical-cache.fuzz.test.ts in the first version of the cache: values that differ only by
    // `@index` are both kept by JSON-LD (two equal quads, and rdf-canonize keeps both) where the template's
    // substitution gave one; two nodes whose ids turn out equal but whose `@index` differ make JSON-LD fail
    // where the template answered.
    const shapes: ((c: Record<string, unknown>, a: string, b: string) => void)[] = [
      (c, a, b) => {
        (c.credentialSubject as { achievement: Record<string, unknown> }).achievement.name = [
          { '@value': a, '@index': 'x' },
          { '@value': b, '@index': 'y' },
        ];
      },
      (c, a, b) => {
        (c.credentialSubject as { achievement: Record<string, unknown> }).achievement.version = [
          { id: a, '@index': 'x' },
          { id: b, '@index': 'y', name: 'n' },
        ];
      },
      // Two node ids that become one: JSON-LD merges the nodes, the template had two.
      (c, a, b) => {
        const achievement = (c.credentialSubject as { achievement: Record<string, unknown> }).achievement;
        achievement.id = a;
        (achievement.image as Record<string, unknown>).id = b;
      },
      // Equal values in one property: JSON-LD keeps one.
      (c, a, b) => {
        (c.credentialSubject as { achievement: Record<string, unknown> }).achievement.name = [a, b];
      },
    ];
    for (const shape of shapes) {
      const fast = canonizer();
      for (let i = 0; i < 2; i++) {
        const c = structuredClone(credential(i)) as unknown as Record<string, unknown>;
        shape(c, `https://twin.example.jp/${i}/a`, `https://twin.example.jp/${i}/b`);
        await fast(c, options());
      }
      for (const value of ['https://same.example.jp/x', 'same']) {
        const c = structuredClone(credential(5)) as unknown as Record<string, unknown>;
        shape(c, value, value);
        await expectSame(fast, c);
      }
      expect(fast.stats()).toMatchObject({ fast: 0, mismatches: 0 });
    }
  });

  it('takes only plain JSON: nothing that JSON.stringify would drop or change, no __proto__ key', async () => {
    const fast = canonizer();
    await fast(credential(1), options());
    await fast(credential(2), options());
    const odd: ((c: Record<string, unknown>) => void)[] = [
      (c) => {
        c.description = undefined;
      },
      (c) => {
        c.awardedDate = new Date('2026-04-01T00:00:00Z');
      },
      (c) => {
        (c.credentialSubject as Record<string, unknown>).identifier = [NaN];
      },
      (c) => {
        Object.defineProperty(c, '__proto__', { value: { name: 'x' }, enumerable: true, configurable: true });
      },
      // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
      (c) => (c.type = [, 'VerifiableCredential', 'OpenBadgeCredential']),
    ];
    for (const change of odd) {
      const c = structuredClone(credential(3)) as unknown as Record<string, unknown>;
      change(c);
      await expectSame(fast, c);
    }
    expect(fast.stats()).toMatchObject({ fast: 0, mismatches: 0 });
  });

  it('never answers from a template that does not reproduce the standard path', async () => {
    // A "standard" path that differs from what a template would give: the cache must notice and step aside.
    let calls = 0;
    const lying: Canonize = async (input, opts) => {
      calls++;
      const real = await standard(input, opts);
      return calls === 3 ? `${real}<urn:x> <urn:y> "tampered" .\n` : real;
    };
    const fast = createShapeCanonizer(lying, { spotCheckEvery: 0 });
    for (let i = 0; i < 5; i++) await fast(credential(i), options());
    expect(fast.stats()).toMatchObject({ templates: 0, standardOnlyShapes: 1, fast: 0 });
  });

  it('re-checks itself every n-th time and drops a shape that stopped matching', async () => {
    let drift = false;
    const drifting: Canonize = async (input, opts) => {
      const real = await standard(input, opts);
      return drift ? `${real}<urn:x> <urn:y> "drift" .\n` : real;
    };
    const fast = createShapeCanonizer(drifting, { spotCheckEvery: 3 });
    for (let i = 0; i < 4; i++) await fast(credential(i), options());
    drift = true;
    const results = [];
    for (let i = 4; i < 10; i++) results.push(await fast(credential(i), options()));
    expect(fast.stats().mismatches).toBe(1);
    // From the mismatch on, every answer is the (drifted) standard one.
    expect(results.at(-1)).toContain('"drift"');
  });
});
