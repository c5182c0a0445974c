import type { Backend } from '@quadrix/core';
import { cpuBackend } from '@quadrix/backend-cpu';
import type { BackendName } from './protocol.js';

/** A backend the page offers: why it cannot run here (undefined when it can), and how to make it. */
export interface PageBackend {
  readonly name: BackendName;
  readonly label: string;
  readonly unavailable: () => Promise<string | undefined>;
  readonly create: () => Promise<Backend>;
}

export const PAGE_BACKENDS: readonly PageBackend[] = [
  { name: 'cpu', label: 'CPU (JavaScript)', unavailable: async () => undefined, create: async () => cpuBackend() },
];

export const pageBackend = (name: BackendName): PageBackend => {
  const b = PAGE_BACKENDS.find((p) => p.name === name);
  if (!b) throw new Error(`backend '${name}' is not part of this page`);
  return b;
};
