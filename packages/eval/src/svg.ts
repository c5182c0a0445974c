/** A series of a line chart: points (x[i], y[i]) joined in order. */
export interface Series {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** draw markers at the points */
  readonly markers?: boolean;
  /** dashed line */
  readonly dashed?: boolean;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** axis ranges; default: the data's, padded */
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  /** a dotted y = x line (chance level of a ROC curve) */
  readonly diagonal?: boolean;
  /** vertical marker lines, e.g. a chosen α */
  readonly verticals?: readonly { readonly x: number; readonly label: string }[];
  readonly width?: number;
  readonly height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About `count` round tick values covering [lo, hi]. */
export const niceTicks = (lo: number, hi: number, count = 5): number[] => {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
};

const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

const extent = (arrays: ArrayLike<number>[]): [number, number] => {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
};

/** A self-contained SVG line chart (axes, ticks, grid, legend), no dependencies. */
export const lineChart = (c: LineChart): string => {
  const W = c.width ?? 640;
  const H = c.height ?? 440;
  const m = { left: 64, right: 16, top: 36, bottom: 52 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const [x0, x1] = c.xDomain ?? extent(c.series.map((s) => s.x));
  const [y0, y1] = c.yDomain ?? extent(c.series.map((s) => s.y));
  const sx = (v: number) => m.left + ((v - x0) / (x1 - x0 || 1)) * pw;
  const sy = (v: number) => m.top + ph - ((v - y0) / (y1 - y0 || 1)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(c.title)}</text>`);
  for (const t of niceTicks(x0, x1)) {
    if (t < x0 || t > x1) continue;
    out.push(`<line x1="${sx(t).toFixed(1)}" y1="${m.top}" x2="${sx(t).toFixed(1)}" y2="${m.top + ph}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${sx(t).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(y0, y1)) {
    if (t < y0 || t > y1) continue;
    out.push(`<line x1="${m.left}" y1="${sy(t).toFixed(1)}" x2="${m.left + pw}" y2="${sy(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${escape(c.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escape(c.yLabel)}</text>`);
  out.push(`<defs><clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  if (c.diagonal) {
    const a = Math.max(x0, y0);
    const b = Math.min(x1, y1);
    out.push(`<line x1="${sx(a).toFixed(1)}" y1="${sy(a).toFixed(1)}" x2="${sx(b).toFixed(1)}" y2="${sy(b).toFixed(1)}" stroke="#999" stroke-dasharray="3 3"/>`);
  }
  (c.verticals ?? []).forEach((v, k) => {
    if (v.x < x0 || v.x > x1) return;
    out.push(`<line x1="${sx(v.x).toFixed(1)}" y1="${m.top}" x2="${sx(v.x).toFixed(1)}" y2="${m.top + ph}" stroke="#555" stroke-dasharray="6 3"/>`);
    // labels stacked so that close markers stay readable; right of the line, or left near the right edge
    const right = sx(v.x) < m.left + pw * 0.7;
    out.push(`<text x="${(sx(v.x) + (right ? 4 : -4)).toFixed(1)}" y="${m.top + 14 + 14 * k}" fill="#555" text-anchor="${right ? 'start' : 'end'}">${escape(v.label)}</text>`);
  });
  c.series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const pts: string[] = [];
    for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.x[i]!) && Number.isFinite(s.y[i]!)) pts.push(`${sx(s.x[i]!).toFixed(1)},${sy(s.y[i]!).toFixed(1)}`);
    out.push(`<polyline clip-path="url(#plot)" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.join(' ')}"/>`);
    if (s.markers) for (const p of pts) out.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5" fill="${color}"/>`);
  });
  // legend, bottom right inside the plot
  const lh = 18;
  const lw = Math.max(...c.series.map((s) => s.name.length)) * 7 + 40;
  const lx = m.left + pw - lw - 8;
  const ly = m.top + ph - lh * c.series.length - 8;
  out.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="${lh * c.series.length + 6}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
  c.series.forEach((s, k) => {
    const y = ly + 14 + k * lh;
    const color = PALETTE[k % PALETTE.length]!;
    out.push(`<line x1="${lx + 8}" y1="${y - 4}" x2="${lx + 30}" y2="${y - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 36}" y="${y}">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
};
