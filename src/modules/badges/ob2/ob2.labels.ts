/**
 * The published reason of a revoked OB 2.0 assertion (`revocationReason`, OB 2.0 §Assertion). The issuer's own
 * words stay internal, as on the earner page (earner-pages.tsx): only whether it was corrected is said.
 */
export const OB2_REVOCATION_REASON = {
  corrected: 'このバッジは内容の訂正のため失効しました。訂正後のバッジが改めて発行されています。',
  revoked: 'このバッジは発行者により取り消され、失効しています。',
} as const;
