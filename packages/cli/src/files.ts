import { readFile } from 'node:fs/promises';
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
