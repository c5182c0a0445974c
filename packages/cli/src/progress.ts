import type { Progress } from '@quadrix/models';
import type { Output } from './cli.js';

const fmt = (v: number | undefined): string => (v === undefined ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2));

/**
 * Training progress: on a terminal one bar rewritten in place; otherwise plain lines, about twenty
 * over the run, so logs stay readable.
 */
export const progressPrinter = (io: Output, epochs: number) => {
  const every = Math.max(1, Math.round(epochs / 20));
  return (p: Progress): void => {
    const fields = `loss ${fmt(p.loss)}  stiefel ${fmt(p.stiefelError)}  val ${fmt(p.validationLoss)}  ${Math.round(p.pointsPerSecond)} points/s`;
    if (io.tty) {
      const width = 24;
      const done = Math.round((width * p.epoch) / Math.max(1, epochs));
      io.status(`epoch ${p.epoch}/${epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${fields}`);
    } else if (p.epoch % every === 0 || p.epoch === epochs || p.epoch === 1) {
      io.err(`epoch ${p.epoch}/${epochs} step ${p.step} ${fields}`);
    }
  };
};
