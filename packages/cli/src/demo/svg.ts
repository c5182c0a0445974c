export type P3 = readonly [number, number, number];

export interface Layer {
  readonly label: string;
  readonly color: string;
  readonly points?: readonly P3[];
  readonly curve?: readonly (P3 | undefined)[];
  readonly dash?: string;
}

/** An orthographic view of 3-D layers (rotation about z, then tilt), as a standalone SVG. */
export const renderSvg = (title: string, layers: readonly Layer[], azimuth = 0.6, elevation = 0.45): string => {
  const W = 720;
  const H = 600;
  const project = ([x, y, z]: P3): [number, number] => {
    const xr = x * Math.cos(azimuth) - y * Math.sin(azimuth);
    const yr = x * Math.sin(azimuth) + y * Math.cos(azimuth);
    const v = z * Math.cos(elevation) - yr * Math.sin(elevation);
    return [W / 2 + 180 * xr, 250 - 180 * v];
  };
  const path = (curve: readonly (P3 | undefined)[]): string => {
    let d = '';
    let pen = false;
    let prev: P3 | undefined;
    for (const p of curve) {
      // Break the line where tracing failed or jumped to another branch.
      if (p === undefined || (prev && Math.hypot(p[0] - prev[0], p[1] - prev[1], p[2] - prev[2]) > 0.3)) pen = false;
      if (p !== undefined) {
        const [u, w] = project(p);
        d += `${pen ? 'L' : 'M'}${u.toFixed(1)},${w.toFixed(1)}`;
        pen = true;
      }
      prev = p;
    }
    return d;
  };
  const body = layers.map((l) => {
    const dots = (l.points ?? []).map((p) => {
      const [u, w] = project(p);
      return `<circle cx="${u.toFixed(1)}" cy="${w.toFixed(1)}" r="3" fill="${l.color}" fill-opacity="0.75"/>`;
    });
    const line = l.curve ? [`<path d="${path(l.curve)}" fill="none" stroke="${l.color}" stroke-width="2"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}/>`] : [];
    return [...line, ...dots].join('\n');
  });
  const legend = layers.map((l, i) =>
    `<g transform="translate(20,${H - 22 * (layers.length - i) - 6})"><rect width="14" height="14" fill="${l.color}"/><text x="22" y="12" font-size="14">${l.label}</text></g>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="20" y="30" font-size="18">${title}</text>`,
    ...body,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
};
