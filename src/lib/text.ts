/**
 * Japanese input normalisation (STYLE.md 2): NFKC turns 全角英数 into 半角 and half-width katakana into
 * full-width; full-width spaces become ASCII spaces; runs of spaces fold; ends are trimmed.
 */
export function normalizeText(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\u3000/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** Multi-line text: NFKC per line, CRLF → LF, trailing spaces trimmed, but line breaks kept. */
export function normalizeMultiline(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\u3000/g, ' ').trimEnd())
    .join('\n')
    .trim();
}

/** Hiragana → katakana for ふりがな fields, after NFKC. */
export function toKatakana(s: string): string {
  return normalizeText(s).replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
}

export function normalizeEmail(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase();
}

/** Rejects CR/LF and other control characters in anything that might reach a header (IPA #7, #8). */
export function hasControlChars(s: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: this is the check for them
  return /[\u0000-\u001f\u007f]/.test(s);
}
