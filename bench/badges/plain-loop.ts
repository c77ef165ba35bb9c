// The baseline of the badge benchmark, run by issue-verify.ts as a process of its own (so that its memory and
// CPU are its own): `vc.issue` of the same credential N times in one thread, then `vc.verifyCredential` of the
// signed result N times — the Digital Bazaar libraries as they come, with dxq's offline document loader.
// Reads {n, credential, stored, serverSecret} as JSON on stdin; writes {issue, verify, maxRssMb} as JSON.
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { createDocumentLoader, type KeyDocument } from '../../src/modules/badges/document-loader.js';
import {
  controllerDocument,
  loadSigningKey,
  type StoredIssuerKey,
  verificationMethodDocument,
} from '../../src/modules/badges/keys.js';
import { maxRssMb, measure } from './measure.js';

type Input = {
  n: number;
  warm: number;
  credential: Record<string, unknown>;
  stored: StoredIssuerKey;
  serverSecret: string;
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const input = JSON.parse(await readStdin()) as Input;
const key = await loadSigningKey(Buffer.from(input.serverSecret, 'hex'), input.stored);
const method = verificationMethodDocument(input.stored.publicKey);
const controller = controllerDocument(input.stored.publicKey.controller, [input.stored.publicKey]);
const resolveIssuerKey = async (url: string): Promise<KeyDocument | null> =>
  url === method.id ? method : url === controller.id ? controller : null;

let signed: Record<string, unknown> = {};
const issue = async (n: number) => {
  for (let i = 0; i < n; i++) {
    signed = await vc.issue({
      credential: structuredClone(input.credential),
      suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite }),
      documentLoader: createDocumentLoader(),
    });
  }
};
const verify = async (n: number) => {
  for (let i = 0; i < n; i++) {
    const result = await vc.verifyCredential({
      credential: signed,
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader: createDocumentLoader({ resolveIssuerKey }),
      checkStatus: async () => ({ verified: true }),
    });
    if (!result.verified) throw new Error('plain loop: the credential did not verify');
  }
};

await issue(input.warm);
await verify(input.warm);
const issued = await measure(input.n, () => issue(input.n));
const verified = await measure(input.n, () => verify(input.n));
process.stdout.write(`${JSON.stringify({ issue: issued, verify: verified, maxRssMb: maxRssMb() })}\n`);
