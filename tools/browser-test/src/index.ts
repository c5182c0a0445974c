import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import type { TestResult } from './harness.js';

export type { TestResult } from './harness.js';

export const CHROMIUM = process.env.QUADRIX_CHROMIUM ?? '/usr/bin/chromium';

/** CI sets QUADRIX_REQUIRE_ALL=1: a missing browser or adapter is then a failure, never a skip. */
export const requireAll = process.env.QUADRIX_REQUIRE_ALL === '1';

/**
 * Why browser tests cannot run here, or undefined when they can. Under QUADRIX_REQUIRE_ALL the
 * caller must fail instead of skipping.
 */
export const browserUnavailable = (): string | undefined =>
  existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set QUADRIX_CHROMIUM)`;

/** The flags headless Chromium needs on these machines (closed network, root, no GPU). */
export const HEADLESS_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts headless Chromium with a fresh profile and the flags above (plus `flags`), runs `fn` with
 * a new page, and closes everything afterwards.
 */
export const withPage = async <T>(flags: readonly string[], fn: (page: Page) => Promise<T>): Promise<T> => {
  const dir = await mkdtemp(join(tmpdir(), 'quadrix-browser-'));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: [...HEADLESS_FLAGS.filter((f) => f !== '--headless'), ...flags],
  });
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
    await rm(dir, { recursive: true, force: true });
  }
};

export interface BrowserRun {
  readonly results: readonly TestResult[];
  readonly info: Record<string, unknown>;
  /** the page's console output, for diagnosis */
  readonly console: readonly string[];
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.wasm': 'application/wasm' };

/**
 * Bundles `entry` (a module that registers tests with the harness and calls `run()`) for the
 * browser, serves it on 127.0.0.1 and runs it in headless Chromium with `flags` added, resolving to
 * the page's results. `timeoutMs` bounds the whole page.
 */
export const runInBrowser = async (entry: string | URL, opts: { flags?: readonly string[]; timeoutMs?: number } = {}): Promise<BrowserRun> => {
  const dir = await mkdtemp(join(tmpdir(), 'quadrix-bundle-'));
  const server = createServer(async (req, res) => {
    const path = join(dir, decodeURIComponent((req.url ?? '/').split('?')[0]!.replace(/^\/$/, '/index.html')));
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  try {
    await build({
      entryPoints: [typeof entry === 'string' ? entry : fileURLToPath(entry)],
      outfile: join(dir, 'test.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['source'],
      sourcemap: 'inline',
      logLevel: 'warning',
    });
    await writeFile(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>quadrix tests</title><script type="module" src="test.js"></script>\n');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return await withPage(opts.flags ?? [], async (page) => {
      const log: string[] = [];
      page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
      // 'commit': synchronous kernels can hold the load event for a long time.
      await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'commit' });
      const timeout = opts.timeoutMs ?? 300_000;
      await page.waitForFunction(() => window.__quadrixResults !== undefined, undefined, { timeout, polling: 250 }).catch((e: Error) => {
        throw new Error(`the page published no results within ${timeout} ms (${e.message.split('\n')[0]}); console:\n${log.join('\n')}`);
      });
      return { ...(await page.evaluate(() => window.__quadrixResults!)), console: log };
    });
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
};
