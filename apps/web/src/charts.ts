/** Small SVG charts: training curves (log scale) and a histogram. */
const NS = 'http://www.w3.org/2000/svg';

const el = (name: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
};

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** Curves against the step index on a shared log₁₀ axis. */
export const lineChart = (svg: SVGSVGElement, series: readonly Series[], title: string): void => {
  const W = 420;
  const H = 300;
  const pad = { l: 48, r: 10, t: 24, b: 28 };
  svg.replaceChildren();
  const all = series.flatMap((s) => s.values.filter((v) => v > 0 && Number.isFinite(v)));
  svg.append(el('text', { x: pad.l, y: 16, 'font-size': 13 }, title));
  if (all.length === 0) return;
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.ceil(Math.log10(Math.max(...all)));
  const span = Math.max(1, hi - lo);
  const count = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i: number) => pad.l + ((W - pad.l - pad.r) * i) / (count - 1);
  const y = (v: number) => H - pad.b - ((H - pad.t - pad.b) * (Math.log10(v) - lo)) / span;
  for (let d = lo; d <= lo + span; d++) {
    svg.append(el('line', { x1: pad.l, x2: W - pad.r, y1: y(10 ** d), y2: y(10 ** d), stroke: '#eee' }));
    svg.append(el('text', { x: 4, y: y(10 ** d) + 4, 'font-size': 11, fill: '#666' }, `1e${d}`));
  }
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => (v > 0 && Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : '')).filter(Boolean);
    svg.append(el('polyline', { points: pts.join(' '), fill: 'none', stroke: s.color, 'stroke-width': 1.5 }));
    svg.append(el('text', { x: W - pad.r - 150, y: pad.t + 14 + 14 * k, 'font-size': 12, fill: s.color }, s.name));
  });
  svg.append(el('text', { x: W / 2, y: H - 6, 'font-size': 11, fill: '#666' }, 'epoch'));
};

/** A histogram of `values` in `bins` equal bins. */
export const histogram = (svg: SVGSVGElement, values: ArrayLike<number>, bins: number, title: string): void => {
  const W = 420;
  const H = 260;
  const pad = { l: 40, r: 10, t: 24, b: 30 };
  svg.replaceChildren(el('text', { x: pad.l, y: 16, 'font-size': 13 }, title));
  if (values.length === 0) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const width = (hi - lo) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i]! - lo) / width))]! += 1;
  const top = Math.max(...counts);
  const bw = (W - pad.l - pad.r) / bins;
  counts.forEach((c, i) => {
    const h = ((H - pad.t - pad.b) * c) / top;
    svg.append(el('rect', { x: pad.l + i * bw, y: H - pad.b - h, width: Math.max(1, bw - 1), height: h, fill: '#1c7ed6' }));
  });
  svg.append(el('text', { x: pad.l, y: H - 10, 'font-size': 11, fill: '#666' }, lo.toPrecision(3)));
  svg.append(el('text', { x: W - pad.r - 40, y: H - 10, 'font-size': 11, fill: '#666' }, hi.toPrecision(3)));
  svg.append(el('text', { x: 4, y: pad.t + 10, 'font-size': 11, fill: '#666' }, String(top)));
};
