/**
 * Headers of the public badge documents (badge JSON and images, issuer keys and profiles, status lists, the
 * OB 2.0 documents): wallets, verifiers and other sites read them, so they are readable cross-origin (CORS)
 * and embeddable elsewhere (`Cross-Origin-Resource-Policy: cross-origin`; every other response of the site
 * keeps `same-origin`, web/middleware/security-headers.ts). None of them holds personal data.
 */
export const PUBLIC_DOCUMENT_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
} as const;
