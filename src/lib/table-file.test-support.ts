/**
 * Test support (tests only): text as Excel in Japan saves 「CSV(コンマ区切り)」, i.e. Shift_JIS (Windows-31J).
 * Node has a Shift_JIS decoder but no encoder, so the table is built by decoding every one- and two-byte
 * sequence once; where CP932 has two codes for one character, the one Windows writes is used.
 */
let table: Map<string, number[]> | null = null;

function shiftJisTable(): Map<string, number[]> {
  if (table) return table;
  const decoder = new TextDecoder('shift_jis', { fatal: true });
  const map = new Map<string, number[]>();
  const add = (bytes: number[]) => {
    try {
      const ch = decoder.decode(new Uint8Array(bytes));
      if (!map.has(ch)) map.set(ch, bytes);
    } catch {
      // not a character in Shift_JIS
    }
  };
  for (let b = 0; b < 0x80; b++) add([b]);
  for (let b = 0xa1; b <= 0xdf; b++) add([b]); // half-width katakana
  // NEC-selected IBM extensions (ED, EE) last: Windows, like the WHATWG encoder, writes 髙 as FB FC, not EE E0.
  const leads = [0x81, 0x9f, 0xe0, 0xec, 0xef, 0xfc, 0xed, 0xee];
  for (let i = 0; i < leads.length; i += 2) {
    for (let lead = leads[i] as number; lead <= (leads[i + 1] as number); lead++) {
      for (let trail = 0x40; trail <= 0xfc; trail++) if (trail !== 0x7f) add([lead, trail]);
    }
  }
  table = map;
  return map;
}

/** `text` in Shift_JIS; throws on a character Shift_JIS does not have. */
export function encodeShiftJis(text: string): Uint8Array {
  const map = shiftJisTable();
  const out: number[] = [];
  for (const ch of text) {
    const bytes = map.get(ch);
    if (!bytes) throw new Error(`not in Shift_JIS: ${ch} (U+${ch.codePointAt(0)?.toString(16)})`);
    out.push(...bytes);
  }
  return new Uint8Array(out);
}
