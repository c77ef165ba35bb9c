import { AppError } from '../../lib/errors.js';
import { ImageError, isPng, reencodePng } from './png-image.js';
import { sanitiseSvg } from './svg-image.js';

/** Uploaded images as services take them: the raw bytes of a PNG or an SVG (told apart by content). */
export type ImageUpload = Uint8Array;

export type PreparedImage =
  | { type: 'png'; bytes: Buffer; width: number; height: number }
  | { type: 'svg'; svg: string; removed: string[] };

/** An ImageError as a form error on `field`; anything else is rethrown unchanged. */
export function imageError(e: unknown, field: string): unknown {
  if (e instanceof ImageError)
    return new AppError('VALIDATION', e.messageJa, { fields: { [field]: e.messageJa } });
  return e;
}

/** A PNG re-encoded or an SVG sanitised (png-image.ts, svg-image.ts); VALIDATION at `field` otherwise. */
export function prepareImage(upload: ImageUpload, field: string): PreparedImage {
  try {
    if (isPng(upload)) {
      const { png, info } = reencodePng(upload);
      return { type: 'png', bytes: png, width: info.width, height: info.height };
    }
    const head = new TextDecoder().decode(upload.subarray(0, 1024)).replace(/^\uFEFF/, '');
    if (!/^\s*(<\?xml[\s\S]*?\?>\s*)?(<!--[\s\S]*?-->\s*)*<(svg|!DOCTYPE)[\s>]/i.test(head)) {
      throw new ImageError('PNG か SVG の画像を選んでください', 'neither PNG nor SVG');
    }
    const { svg, removed } = sanitiseSvg(upload);
    return { type: 'svg', svg, removed };
  } catch (e) {
    throw imageError(e, field);
  }
}
