import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { createDocumentLoader, type KeyDocument } from '../badges/document-loader.js';
import { type BitstringStatusListEntry, statusBitFromListCredential } from '../badges/status-list.js';
import type { StatusAnswer } from '../badges/verify.js';

/**
 * Documents of this site, read without the network (issue 4 §6: verification works fully offline). A badge
 * issued here names its issuer's keys (`did:web:<host>:issuers:<id>` → /issuers/<id>/did.json) and its status
 * list (https://<host>/status-lists/<id>) by URLs of this site; the verifier asks the application for those
 * paths in-process (`SiteFetch`, Hono's app.request), exactly as a browser would get them, but no socket is
 * opened. Anything on another host is not fetched: its key or status is reported as not checkable.
 */
export type SiteFetch = (path: string) => Promise<Response>;

const MAX_DOCUMENT_BYTES = 256 * 1024;

/** The path on this site that a URL or did:web names, or null for anything elsewhere. */
export function sitePath(baseUrl: string, url: string): string | null {
  const base = new URL(baseUrl);
  if (url.startsWith('did:web:')) {
    // did:web:<host>[%3A<port>]:<path…>[#fragment] → https://<host>[:port]/<path…>/did.json (did:web §3.2)
    const [did = ''] = url.split('#');
    const parts = did.slice('did:web:'.length).split(':');
    const host = decodeURIComponent(parts[0] ?? '');
    if (host !== base.host || parts.length < 2) return null;
    return `/${parts.slice(1).map(decodeURIComponent).join('/')}/did.json`;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.origin !== base.origin) return null;
  return `${u.pathname}${u.search}`;
}

async function json(site: SiteFetch, path: string): Promise<Record<string, unknown> | null> {
  const res = await site(path);
  if (!res.ok) return null;
  const text = await res.text();
  if (text.length > MAX_DOCUMENT_BYTES) return null;
  const parsed: unknown = JSON.parse(text);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : null;
}

/**
 * Our issuers' key documents for the JSON-LD loader: the controller document for a did:web without a fragment,
 * the verification method (with the Multikey context) for one with a fragment. Null for anything else.
 */
export function siteKeyResolver(baseUrl: string, site: SiteFetch) {
  return async (url: string): Promise<KeyDocument | null> => {
    const path = sitePath(baseUrl, url);
    if (!path) return null;
    const doc = await json(site, path);
    if (!doc) return null;
    if (doc.id === url) return doc as KeyDocument;
    const methods = Array.isArray(doc.verificationMethod) ? (doc.verificationMethod as KeyDocument[]) : [];
    const method = methods.find((m) => m?.id === url);
    if (!method) return null;
    return { '@context': 'https://w3id.org/security/multikey/v1', ...method };
  };
}

/**
 * The status bit of an entry in one of our lists: the list credential is read from this site and its own
 * signature checked before its bit is believed. Lists elsewhere, unreadable or unsigned lists → 'unknown'.
 */
export function siteStatusChecker(baseUrl: string, site: SiteFetch) {
  const resolveIssuerKey = siteKeyResolver(baseUrl, site);
  return async (entry: BitstringStatusListEntry): Promise<StatusAnswer> => {
    const path = sitePath(baseUrl, entry.statusListCredential);
    if (!path) return 'unknown';
    try {
      const list = await json(site, path);
      if (!list) return 'unknown';
      const checked = await vc.verifyCredential({
        credential: list,
        suite: new DataIntegrityProof({ cryptosuite }),
        documentLoader: createDocumentLoader({ resolveIssuerKey }),
        checkStatus: async () => ({ verified: true }),
      });
      if (!checked.verified) return 'unknown';
      return statusBitFromListCredential(list, entry);
    } catch {
      return 'unknown';
    }
  };
}

/** A badge of this site by its URL (the earner page or a download): the signed credential, or null. */
export async function siteCredential(
  baseUrl: string,
  site: SiteFetch,
  url: string,
): Promise<{ credential: string } | { error: 'elsewhere' | 'not_found' }> {
  const path = sitePath(baseUrl, url);
  if (!path) return { error: 'elsewhere' };
  const id = /^\/badges\/([0-9a-f-]{36})(?:\.(?:json|jwt|png|svg))?(?:[?#].*)?$/i.exec(path)?.[1];
  if (!id) return { error: 'not_found' };
  for (const ext of ['jwt', 'json']) {
    const res = await site(`/badges/${id}.${ext}`);
    if (res.ok) return { credential: await res.text() };
  }
  return { error: 'not_found' };
}
