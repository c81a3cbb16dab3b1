// Hand-written SVG charts for the risk dashboard (app/src/dashboard.ts) and the pictures in docs/
// (scripts/pictures.ts): a heatmap, a line chart and grouped horizontal bars. Presentation
// only: every number drawn is given by the caller (chain data or the program's Rust in WASM);
// floats here only place shapes. Deterministic output (fixed precision, no ids from a clock).

/** Escapes text for XML/HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const f = (x: number) => (Math.round(x * 10) / 10).toString();
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';

/** Red for a loss, green for a gain, white at zero; `t` in [-1, 1] (negative = loss). */
export function divergingColor(t: number): string {
  const a = Math.max(-1, Math.min(1, t));
  const mix = (from: number, to: number, k: number) => Math.round(from + (to - from) * k);
  if (a < 0) return `rgb(${mix(255, 214, -a)},${mix(255, 39, -a)},${mix(255, 40, -a)})`;
  return `rgb(${mix(255, 44, a)},${mix(255, 160, a)},${mix(255, 44, a)})`;
}

export type Heatmap = {
  title?: string;
  /** Column headings (e.g. price shocks) and row headings (e.g. vol states). */
  cols: string[];
  rows: string[];
  /** values[r][c]: colour (sign: negative = loss); labels[r][c]: the text in the cell. */
  values: number[][];
  labels: string[][];
  /** A cell drawn with a thick border (e.g. the worst scenario). */
  highlight?: [number, number];
  xTitle?: string;
  note?: string;
};

export function heatmapSvg(h: Heatmap, cellW = 92, cellH = 40): string {
  const left = 130;
  const top = h.title ? 52 : 30;
  const w = left + cellW * h.cols.length + 20;
  const bottom = (h.xTitle ? 22 : 0) + (h.note ? 22 : 0) + 10;
  const ht = top + cellH * h.rows.length + bottom;
  const max = Math.max(1e-12, ...h.values.flat().map(Math.abs));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${ht}" viewBox="0 0 ${w} ${ht}" ${FONT} font-size="12">`,
    `<rect width="${w}" height="${ht}" fill="#fff"/>`,
  ];
  if (h.title) out.push(`<text x="10" y="20" font-size="15" font-weight="bold">${esc(h.title)}</text>`);
  h.cols.forEach((c, i) => out.push(`<text x="${f(left + cellW * i + cellW / 2)}" y="${top - 8}" text-anchor="middle">${esc(c)}</text>`));
  h.rows.forEach((r, j) => {
    out.push(`<text x="${left - 8}" y="${f(top + cellH * j + cellH / 2 + 4)}" text-anchor="end">${esc(r)}</text>`);
    h.cols.forEach((_, i) => {
      const v = h.values[j]![i]!;
      const x = left + cellW * i;
      const y = top + cellH * j;
      out.push(`<rect x="${x}" y="${y}" width="${cellW}" height="${cellH}" fill="${divergingColor(v / max)}" stroke="#bbb"/>`);
      out.push(`<text x="${f(x + cellW / 2)}" y="${f(y + cellH / 2 + 4)}" text-anchor="middle">${esc(h.labels[j]![i]!)}</text>`);
    });
  });
  if (h.highlight) {
    const [j, i] = h.highlight;
    out.push(`<rect x="${left + cellW * i + 1.5}" y="${top + cellH * j + 1.5}" width="${cellW - 3}" height="${cellH - 3}" fill="none" stroke="#000" stroke-width="3"/>`);
  }
  let y = top + cellH * h.rows.length + 18;
  if (h.xTitle) {
    out.push(`<text x="${f(left + (cellW * h.cols.length) / 2)}" y="${y}" text-anchor="middle">${esc(h.xTitle)}</text>`);
    y += 22;
  }
  if (h.note) out.push(`<text x="10" y="${y}" font-size="11" fill="#555">${esc(h.note)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

export type Series = { name: string; color: string; points: [number, number][]; dashed?: boolean; markers?: boolean };

export type LineChart = {
  title?: string;
  series: Series[];
  xTitle: string;
  yTitle: string;
  /** Tick label formatters (default: the number). */
  xFmt?: (x: number) => string;
  yFmt?: (y: number) => string;
  /** Horizontal reference lines (e.g. zero, a limit). */
  hLines?: { y: number; label: string; color: string }[];
  yFromZero?: boolean;
  note?: string;
};

function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.round(t / step) * step + 0); // + 0: no -0
  return out;
}

export function lineChartSvg(c: LineChart, w = 760, h = 340): string {
  const left = 86;
  const right = Math.max(170, 50 + 7 * Math.max(0, ...c.series.map((s) => s.name.length)));
  const top = c.title ? 40 : 16;
  const bottom = 50 + (c.note ? 18 : 0);
  const pw = w - left - right;
  const ph = h - top - bottom;
  const pts = c.series.flatMap((s) => s.points);
  const ys = [...pts.map((p) => p[1]), ...(c.hLines ?? []).map((l) => l.y), ...(c.yFromZero ? [0] : [])];
  const xs = pts.map((p) => p[0]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!Number.isFinite(x0)) [x0, x1] = [0, 1];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.08;
  y0 -= pad;
  y1 += pad;
  const X = (x: number) => left + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y: number) => top + ph - ((y - y0) / (y1 - y0)) * ph;
  const xf = c.xFmt ?? ((x: number) => String(x));
  const yf = c.yFmt ?? ((y: number) => String(y));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ${FONT} font-size="12">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
  ];
  if (c.title) out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${esc(c.title)}</text>`);
  for (const t of ticks(y0, y1)) {
    out.push(`<line x1="${left}" x2="${left + pw}" y1="${f(Y(t))}" y2="${f(Y(t))}" stroke="#eee"/>`);
    out.push(`<text x="${left - 6}" y="${f(Y(t) + 4)}" text-anchor="end">${esc(yf(t))}</text>`);
  }
  for (const t of ticks(x0, x1, 6)) {
    out.push(`<line x1="${f(X(t))}" x2="${f(X(t))}" y1="${top}" y2="${top + ph}" stroke="#f3f3f3"/>`);
    out.push(`<text x="${f(X(t))}" y="${top + ph + 16}" text-anchor="middle">${esc(xf(t))}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (const l of c.hLines ?? []) {
    out.push(`<line x1="${left}" x2="${left + pw}" y1="${f(Y(l.y))}" y2="${f(Y(l.y))}" stroke="${l.color}" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${left + pw - 4}" y="${f(Y(l.y) - 4)}" text-anchor="end" fill="${l.color}">${esc(l.label)}</text>`);
  }
  c.series.forEach((s, k) => {
    if (s.points.length) {
      const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${f(X(p[0]))},${f(Y(p[1]))}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
      if (s.markers ?? s.points.length < 40) for (const p of s.points) out.push(`<circle cx="${f(X(p[0]))}" cy="${f(Y(p[1]))}" r="3" fill="${s.color}"/>`);
    }
    const ly = top + 10 + 20 * k;
    out.push(`<line x1="${left + pw + 12}" x2="${left + pw + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${left + pw + 40}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push(`<text x="${f(left + pw / 2)}" y="${top + ph + 36}" text-anchor="middle">${esc(c.xTitle)}</text>`);
  out.push(`<text transform="translate(16 ${f(top + ph / 2)}) rotate(-90)" text-anchor="middle">${esc(c.yTitle)}</text>`);
  if (c.note) out.push(`<text x="10" y="${h - 8}" font-size="11" fill="#555">${esc(c.note)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

export type Bars = {
  title?: string;
  /** One row per category; values[k] for group k (null: no bar). */
  rows: { label: string; values: (number | null)[] }[];
  groups: { name: string; color: string }[];
  xTitle: string;
  xFmt?: (x: number) => string;
  /** Vertical reference lines. */
  vLines?: { x: number; label: string; color: string }[];
  /** Lines of small text under the chart. */
  note?: string | string[];
};

export function barsSvg(b: Bars, w = 900): string {
  const left = 330;
  const right = 40;
  // Legend items flow left to right and wrap.
  const legend: { x: number; row: number }[] = [];
  let lx = left;
  let row = 0;
  for (const g of b.groups) {
    const gw = 34 + 7 * g.name.length;
    if (lx + gw > w - 10 && lx > left) {
      lx = left;
      row++;
    }
    legend.push({ x: lx, row });
    lx += gw;
  }
  const legendTop = b.title ? 40 : 12;
  const top = legendTop + 20 * (row + 1) + (b.vLines?.length ? 14 : 0);
  const barH = 11;
  const rowH = barH * b.groups.length + 8;
  const ph = rowH * b.rows.length;
  const notes = b.note === undefined ? [] : typeof b.note === 'string' ? [b.note] : b.note;
  const h = top + ph + 46 + 16 * notes.length;
  const pw = w - left - right;
  const all = [...b.rows.flatMap((r) => r.values.filter((v): v is number => v !== null)), ...(b.vLines ?? []).map((l) => l.x), 0];
  const x1 = Math.max(...all) * 1.05;
  const x0 = Math.min(...all) < 0 ? Math.min(...all) * 1.05 - 0.02 * x1 : 0;
  const X = (x: number) => left + ((x - x0) / (x1 - x0)) * pw;
  const xf = b.xFmt ?? ((x: number) => String(x));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ${FONT} font-size="12">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
  ];
  if (b.title) out.push(`<text x="10" y="22" font-size="15" font-weight="bold">${esc(b.title)}</text>`);
  b.groups.forEach((g, k) => {
    const { x, row: r } = legend[k]!;
    const gy = legendTop + 20 * r;
    out.push(`<rect x="${x}" y="${gy - 9}" width="14" height="10" fill="${g.color}"/><text x="${x + 20}" y="${gy}">${esc(g.name)}</text>`);
  });
  for (const t of ticks(x0, x1, 6)) {
    out.push(`<line x1="${f(X(t))}" x2="${f(X(t))}" y1="${top}" y2="${top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${f(X(t))}" y="${top + ph + 16}" text-anchor="middle">${esc(xf(t))}</text>`);
  }
  b.rows.forEach((r, j) => {
    const y = top + rowH * j + 4;
    out.push(`<text x="${left - 8}" y="${f(y + (barH * b.groups.length) / 2 + 4)}" text-anchor="end">${esc(r.label)}</text>`);
    r.values.forEach((v, k) => {
      if (v === null) return;
      const [a, z] = v < 0 ? [X(v), X(0)] : [X(0), X(v)];
      out.push(`<rect x="${f(a)}" y="${y + barH * k}" width="${f(Math.max(0.5, z - a))}" height="${barH - 1}" fill="${b.groups[k]!.color}"/>`);
      out.push(`<text x="${f(Math.max(X(v), X(0)) + 3)}" y="${y + barH * k + 9}" font-size="9" fill="#333">${esc(xf(v))}</text>`);
    });
  });
  out.push(`<line x1="${f(X(0))}" x2="${f(X(0))}" y1="${top}" y2="${top + ph}" stroke="#999"/>`);
  for (const l of b.vLines ?? []) {
    out.push(`<line x1="${f(X(l.x))}" x2="${f(X(l.x))}" y1="${top - 4}" y2="${top + ph}" stroke="${l.color}" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${f(X(l.x) + 4)}" y="${top - 4}" fill="${l.color}">${esc(l.label)}</text>`);
  }
  out.push(`<text x="${f(left + pw / 2)}" y="${top + ph + 34}" text-anchor="middle">${esc(b.xTitle)}</text>`);
  notes.forEach((n, i) => out.push(`<text x="10" y="${top + ph + 56 + 16 * i}" font-size="11" fill="#555">${esc(n)}</text>`));
  out.push('</svg>');
  return out.join('\n');
}
