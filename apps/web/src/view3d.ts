/** A rotatable orthographic 3-D view on a 2-D canvas: points and polylines, drag to rotate. */
export type P3 = readonly [number, number, number];

export interface Layer {
  readonly color: string;
  readonly points?: readonly P3[];
  /** a polyline; undefined entries break it */
  readonly line?: readonly (P3 | undefined)[];
  readonly dashed?: boolean;
  readonly radius?: number;
}

export const createView = (canvas: HTMLCanvasElement) => {
  const ctx = canvas.getContext('2d')!;
  let azimuth = 0.6;
  let elevation = 0.45;
  let layers: readonly Layer[] = [];
  /** the largest distance from the origin of anything drawn (at least 1): the view's scale */
  let reach = 1;
  const project = ([x, y, z]: P3): [number, number] => {
    const xr = x * Math.cos(azimuth) - y * Math.sin(azimuth);
    const yr = x * Math.sin(azimuth) + y * Math.cos(azimuth);
    const v = z * Math.cos(elevation) - yr * Math.sin(elevation);
    const s = (Math.min(canvas.width, canvas.height) * 0.46) / reach;
    return [canvas.width / 2 + s * xr, canvas.height / 2 - s * v];
  };
  const draw = (): void => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    for (const l of layers) {
      ctx.strokeStyle = l.color;
      ctx.fillStyle = l.color;
      if (l.line) {
        ctx.lineWidth = 2;
        ctx.setLineDash(l.dashed ? [5, 5] : []);
        ctx.beginPath();
        let pen = false;
        let prev: P3 | undefined;
        for (const p of l.line) {
          const jump = p && prev && Math.hypot(p[0] - prev[0], p[1] - prev[1], p[2] - prev[2]) > 0.3;
          if (!p || jump) pen = false;
          if (p) {
            const [u, w] = project(p);
            if (pen) ctx.lineTo(u, w);
            else ctx.moveTo(u, w);
            pen = true;
          }
          prev = p;
        }
        ctx.stroke();
      }
      for (const p of l.points ?? []) {
        const [u, w] = project(p);
        ctx.beginPath();
        ctx.arc(u, w, l.radius ?? 3, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  };
  let drag: { x: number; y: number } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    azimuth += (e.clientX - drag.x) * 0.01;
    elevation = Math.max(-1.5, Math.min(1.5, elevation + (e.clientY - drag.y) * 0.01));
    drag = { x: e.clientX, y: e.clientY };
    draw();
  });
  canvas.addEventListener('pointerup', () => (drag = undefined));
  return {
    show: (next: readonly Layer[]): void => {
      layers = next;
      reach = Math.max(1, ...next.flatMap((l) => [...(l.points ?? []), ...(l.line ?? [])].map((p) => (p ? Math.hypot(...p) : 0))));
      draw();
    },
  };
};
