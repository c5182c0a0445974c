import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { QuadrixError } from '@quadrix/core';

/** Reads a text file; a missing file is a one-line error naming it. */
export const readText = async (path: string): Promise<string> => {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new QuadrixError('argument', code === 'ENOENT' ? `${path}: no such file` : `${path}: ${(e as Error).message}`);
  }
};

/** Fails before any work is done when the folder an output goes to does not exist. */
export const checkOutputDir = async (path: string): Promise<void> => {
  const dir = dirname(resolve(path));
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new QuadrixError('argument', `${path}: the folder ${dir} does not exist`);
};
