import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

// RFC 6238 TOTP: SHA-1, 6 digits, 30 s — what every authenticator app reads. One step of drift either way.
const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secretBase32: string, account: string): string {
  return new TOTP({
    issuer: 'マナビDX Quest',
    label: account,
    secret: Secret.fromBase32(secretBase32),
    period: PERIOD,
  }).toString();
}

/** Returns the matched time step, or null. Callers refuse a step not newer than the last used (replay). */
export function verifyTotp(secretBase32: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    period: PERIOD,
    timestamp: now.getTime(),
    window: 1,
  });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD) + delta;
}

/** For tests and the seed's printed instructions only. */
export function totpCode(secretBase32: string, at: Date): string {
  return TOTP.generate({ secret: Secret.fromBase32(secretBase32), period: PERIOD, timestamp: at.getTime() });
}

/** The enrolment QR code as SVG markup generated here (no outside service sees the secret). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** "ABCD EFGH …" for typing the secret by hand. */
export function groupSecret(secretBase32: string): string {
  return secretBase32.replace(/(.{4})/g, '$1 ').trim();
}
