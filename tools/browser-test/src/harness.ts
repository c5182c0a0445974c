/**
 * The browser side: a minimal describe/it runner (the `TestApi` of @quadrix/core/testing) whose
 * results the page publishes on `window.__quadrixResults` for the Node side to collect.
 */
export interface TestResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

const prefix: string[] = [];
const tests: { name: string; fn: () => Promise<void> | void }[] = [];

export const describe = (name: string, fn: () => void): void => {
  prefix.push(name);
  try {
    fn();
  } finally {
    prefix.pop();
  }
};

export const it = (name: string, fn: () => Promise<void> | void): void => {
  tests.push({ name: [...prefix, name].join(' › '), fn });
};

declare global {
  interface Window {
    __quadrixResults?: { results: TestResult[]; info: Record<string, unknown> };
  }
}

/** Runs every registered test in order and publishes the results with `info` (e.g. the adapter). */
export const run = async (info: Record<string, unknown> = {}): Promise<void> => {
  const results: TestResult[] = [];
  for (const t of tests) {
    const start = performance.now();
    try {
      await t.fn();
      results.push({ name: t.name, ok: true, ms: performance.now() - start });
    } catch (e) {
      const err = e as Error;
      results.push({ name: t.name, ok: false, error: `${err.message}\n${err.cause instanceof Error ? err.cause.message : ''}`, ms: performance.now() - start });
    }
  }
  window.__quadrixResults = { results, info };
};

/** Publishes a failure that happened before any test could run (e.g. no adapter). */
export const fail = (message: string, info: Record<string, unknown> = {}): void => {
  window.__quadrixResults = { results: [{ name: 'setup', ok: false, error: message, ms: 0 }], info };
};
