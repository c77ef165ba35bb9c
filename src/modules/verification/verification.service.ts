import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { AppError } from '../../lib/errors.js';
import { extractFromPng, extractFromSvg } from '../badges/baking.js';
import { MAX_VERIFY_INPUT_BYTES, type VerificationResult, verifyOpenBadge } from '../badges/verify.js';
import { type SiteFetch, siteCredential, siteKeyResolver, siteStatusChecker } from './site-documents.js';

/**
 * Verification for anyone (issue 4 §6): a badge URL of this site, a pasted credential (JSON or JWT) or an
 * uploaded baked PNG/SVG, optionally with the earner's e-mail address. Every outcome is a result with steps,
 * never a crash; a URL on another host is not fetched, and the result says so.
 */

/** An uploaded image is read up to this size; the request body limit (BODY_LIMIT_BYTES) applies first. */
export const MAX_UPLOAD_BYTES = 1024 * 1024;

export type VerifyInput =
  | { kind: 'url'; url: string; email?: string | undefined }
  | { kind: 'text'; text: string; email?: string | undefined }
  | { kind: 'file'; bytes: Uint8Array; name: string; email?: string | undefined };

export type Verification = {
  /** What was checked, in words: 「このサイトのバッジ」「貼り付けたデータ」「画像 badge.png」. */
  source: string;
  /** Set when there was nothing to verify (an external URL, an image without a badge): a plain explanation. */
  problem: string | null;
  result: VerificationResult | null;
};

const email = z
  .string()
  .trim()
  .max(254, 'メールアドレスが長すぎます')
  .pipe(z.union([z.literal(''), z.email('メールアドレスの形式が正しくありません')]));

/** The form and the API: exactly one of url / credential / file, and an optional e-mail address. */
export const verifyFormSchema = z.object({
  url: z.string().trim().max(2000, 'URL が長すぎます').optional().default(''),
  credential: z
    .string()
    .max(MAX_VERIFY_INPUT_BYTES, `データが大きすぎます(${MAX_VERIFY_INPUT_BYTES / 1024}KB まで)`)
    .optional()
    .default(''),
  email: email.optional().default(''),
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** The credential baked into an uploaded image, or a problem to show. */
function fromImage(bytes: Uint8Array): { text: string } | { problem: string } {
  if (bytes.length > MAX_UPLOAD_BYTES) return { problem: '画像が大きすぎます(1MB まで)' };
  try {
    if (isPng(bytes)) {
      const text = extractFromPng(bytes);
      return text ? { text } : { problem: 'この PNG 画像にはバッジのデータが含まれていません' };
    }
    const svg = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (/<svg[\s>]/i.test(svg)) {
      const text = extractFromSvg(svg);
      return text ? { text } : { problem: 'この SVG 画像にはバッジのデータが含まれていません' };
    }
  } catch {
    return { problem: '画像を読み取れませんでした(壊れているか、PNG・SVG ではありません)' };
  }
  return { problem: 'PNG か SVG の画像を選んでください' };
}

export async function verifyBadge(deps: Pick<Deps, 'config' | 'clock'>, site: SiteFetch, input: VerifyInput) {
  const base = deps.config.baseUrl;
  let text: string;
  let source: string;
  if (input.kind === 'url') {
    source = 'このサイトのバッジ(URL)';
    const found = await siteCredential(base, site, input.url);
    if ('error' in found) {
      const problem =
        found.error === 'elsewhere'
          ? '他のサイトの URL からバッジを取得することはしていません(外部への通信は行いません)。バッジのデータ(JSON・JWT)を貼り付けるか、バッジの画像をアップロードしてください。'
          : 'この URL のバッジは見つかりません';
      return { source, problem, result: null } satisfies Verification;
    }
    text = found.credential;
  } else if (input.kind === 'file') {
    source = `画像 ${input.name || '(名前なし)'}`;
    const got = fromImage(input.bytes);
    if ('problem' in got) return { source, problem: got.problem, result: null } satisfies Verification;
    text = got.text;
  } else {
    source = '貼り付けたデータ';
    text = input.text;
  }
  const result = await verifyOpenBadge(text, {
    resolveIssuerKey: siteKeyResolver(base, site),
    checkStatus: siteStatusChecker(base, site),
    now: deps.clock.now(),
    recipientEmail: input.email || undefined,
  });
  return { source, problem: null, result } satisfies Verification;
}

/** Which input a form or API call carries; VALIDATION when none (or more than one) was given. */
export function chooseInput(
  fields: z.output<typeof verifyFormSchema>,
  file: { bytes: Uint8Array; name: string } | null,
): VerifyInput {
  const given = [fields.url !== '', fields.credential.trim() !== '', !!file && file.bytes.length > 0].filter(
    Boolean,
  ).length;
  if (given !== 1) {
    const message = 'URL、バッジのデータ、画像のうち、どれか1つを指定してください';
    throw new AppError('VALIDATION', message, { fields: { _form: message } });
  }
  const mail = fields.email || undefined;
  if (fields.url) return { kind: 'url', url: fields.url, email: mail };
  if (file && file.bytes.length > 0) return { kind: 'file', bytes: file.bytes, name: file.name, email: mail };
  return { kind: 'text', text: fields.credential.trim(), email: mail };
}
