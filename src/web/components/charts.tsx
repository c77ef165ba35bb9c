import type { Child } from 'hono/jsx';

// Bar charts drawn on the server as inline SVG: no script, no chart library, no request to another host
// (tender 16)⑥), no inline style (CSP style-src 'self'): colours come from the .chart-* classes in
// public/app.css. Each chart is a <figure> with a <figcaption>; the <svg> is one image (role="img") named by a
// summary of what it shows. Charts are an addition: the data table beside each one stays the accessible
// equivalent (WCAG 1.1.1) and holds the full labels a chart has to shorten. Text strings come from the caller.

/** Width of the drawing in SVG units; it scales down with the page (CSS: width 100%, height auto). */
const WIDTH = 720;
const FONT = 13;
/** One half-width character is about half a full-width one, which is about FONT units wide. */
const HALF = FONT / 2;

const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Display width in half-width units: ASCII, Latin and half-width katakana count 1, everything else
 * (kanji, kana, full-width forms, emoji) counts 2. A rough measure that needs no font metrics.
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    w += cp < 0x1100 || (cp >= 0xff61 && cp <= 0xffdc) || (cp >= 0xffe8 && cp <= 0xffee) ? 1 : 2;
  }
  return w;
}

/** Shortens a label to `max` half-width units, ending with "…" when cut (whole code points: 𠮷 stays whole). */
export function truncateLabel(s: string, max: number): string {
  if (displayWidth(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > max - 2) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** A value axis from 0 with about `ticks` steps of 1, 2 or 5 × 10ⁿ (whole numbers: these are counts). */
export function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= rough) ?? 10 * mag);
  return { top: step * Math.ceil(max / step), step };
}

function Figure(p: { caption: Child; summary: string; height: number; children: Child }) {
  return (
    <figure class="chart">
      <figcaption>{p.caption}</figcaption>
      <svg
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${WIDTH} ${p.height}`}
        width={WIDTH}
        height={p.height}
        role="img"
        aria-label={p.summary}
        font-size={FONT}
      >
        <title>{p.summary}</title>
        {p.children}
      </svg>
    </figure>
  );
}

export type ColumnDatum = {
  /** Shown under the column (only every few columns when there are many). */
  label: string;
  value: number;
  /** The column's tooltip, e.g. "2026-04-01: 3件". */
  title: string;
};

/**
 * Vertical bars over a category or time axis (e.g. submissions per day), with a value axis from 0. Column
 * heights are proportional to the values: value / top × the plot height.
 */
export function ColumnChart(p: { caption: Child; summary: string; data: ColumnDatum[] }) {
  const height = 280;
  const [left, right, top, bottom] = [52, 8, 20, 36];
  const plotW = WIDTH - left - right;
  const plotH = height - top - bottom;
  const n = p.data.length;
  const { top: max, step } = niceScale(Math.max(0, ...p.data.map((d) => d.value)));
  const slot = n ? plotW / n : plotW;
  const barW = slot >= 4 ? slot * 0.7 : slot;
  const labelEvery = Math.max(1, Math.ceil(n / 12));
  const showValues = n <= 31;
  const ticks: number[] = [];
  for (let v = 0; v <= max; v += step) ticks.push(v);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  return (
    <Figure caption={p.caption} summary={p.summary} height={height}>
      {ticks.map((v) => (
        <g>
          <line class="chart-grid" x1={left} x2={WIDTH - right} y1={r2(y(v))} y2={r2(y(v))} />
          <text class="chart-text" x={left - 6} y={r2(y(v))} text-anchor="end" dominant-baseline="middle">
            {v}
          </text>
        </g>
      ))}
      {p.data.map((d, i) => {
        const h = (d.value / max) * plotH;
        const cx = left + i * slot + slot / 2;
        return (
          <g>
            <rect
              class="chart-bar"
              x={r2(cx - barW / 2)}
              y={r2(top + plotH - h)}
              width={r2(barW)}
              height={r2(h)}
              data-value={d.value}
            >
              <title>{d.title}</title>
            </rect>
            {showValues && d.value > 0 ? (
              <text class="chart-text" x={r2(cx)} y={r2(top + plotH - h - 4)} text-anchor="middle">
                {d.value}
              </text>
            ) : null}
            {i % labelEvery === 0 ? (
              <text class="chart-text" x={r2(cx)} y={height - bottom + 18} text-anchor="middle">
                {d.label}
              </text>
            ) : null}
          </g>
        );
      })}
      <line class="chart-axis" x1={left} x2={WIDTH - right} y1={top + plotH} y2={top + plotH} />
    </Figure>
  );
}

export type BarDatum = {
  /** Shown left of the bar, shortened to fit; `fullLabel` (default: label) is the tooltip. */
  label: string;
  fullLabel?: string;
  value: number;
  /** Shown right of the bar, e.g. "3件(60.0%)". */
  valueText: string;
  /** A reference value drawn as a tick across the bar (e.g. the capacity); null: none. */
  marker?: number | null;
};

/**
 * Horizontal bars, one row per item, longest = the largest value (or marker). Bar lengths are proportional
 * to the values: value / top × the bar area.
 */
export function BarChart(p: { caption: Child; summary: string; data: BarDatum[]; markerLegend?: string }) {
  const labelUnits = 30;
  const labelW = labelUnits * HALF + 12;
  const valueW = 128;
  const barArea = WIDTH - labelW - valueW;
  const rowH = 30;
  const barH = 18;
  const topPad = 6;
  const hasMarker = p.data.some((d) => d.marker != null);
  const legendH = hasMarker && p.markerLegend ? 28 : 0;
  const height = topPad + p.data.length * rowH + legendH + 4;
  const max = Math.max(1, ...p.data.map((d) => Math.max(d.value, d.marker ?? 0)));
  const x = (v: number) => labelW + (v / max) * barArea;
  return (
    <Figure caption={p.caption} summary={p.summary} height={height}>
      {p.data.map((d, i) => {
        const yBar = topPad + i * rowH + (rowH - barH) / 2;
        const mid = r2(yBar + barH / 2);
        const end = Math.max(x(d.value), d.marker != null ? x(d.marker) : 0);
        return (
          <g>
            <text class="chart-text" x={labelW - 8} y={mid} text-anchor="end" dominant-baseline="middle">
              {truncateLabel(d.label, labelUnits)}
              <title>{d.fullLabel ?? d.label}</title>
            </text>
            <rect
              class="chart-bar"
              x={labelW}
              y={r2(yBar)}
              width={r2(x(d.value) - labelW)}
              height={barH}
              data-value={d.value}
            />
            {d.marker != null ? (
              <g>
                <line
                  class="chart-marker-halo"
                  x1={r2(x(d.marker))}
                  x2={r2(x(d.marker))}
                  y1={r2(yBar - 4)}
                  y2={r2(yBar + barH + 4)}
                  stroke-width={5}
                />
                <line
                  class="chart-marker"
                  x1={r2(x(d.marker))}
                  x2={r2(x(d.marker))}
                  y1={r2(yBar - 4)}
                  y2={r2(yBar + barH + 4)}
                  stroke-width={2}
                  data-marker={d.marker}
                />
              </g>
            ) : null}
            <text class="chart-text" x={r2(end + 6)} y={mid} dominant-baseline="middle">
              {d.valueText}
            </text>
          </g>
        );
      })}
      <line class="chart-axis" x1={labelW} x2={labelW} y1={topPad} y2={topPad + p.data.length * rowH} />
      {legendH ? (
        <g>
          <line
            class="chart-marker"
            x1={labelW + 16}
            x2={labelW + 16}
            y1={height - legendH + 4}
            y2={height - 8}
            stroke-width={2}
          />
          <text class="chart-text" x={labelW + 24} y={height - legendH / 2 - 2} dominant-baseline="middle">
            {p.markerLegend}
          </text>
        </g>
      ) : null}
    </Figure>
  );
}
