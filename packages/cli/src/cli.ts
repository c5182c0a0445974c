import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad command-line use: printed with the command's usage hint, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Output {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** whether standard error is a terminal (progress bar) or not (plain lines) */
  readonly tty: boolean;
  /** rewrites the current terminal line (progress bar) */
  readonly status: (line: string) => void;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command<O extends Options = Options> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: O;
  readonly run: (values: Record<string, string | boolean | undefined>, io: Output) => Promise<void>;
}

/** A command with subcommands, e.g. `quadrix eval ir …`. */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly subcommands: readonly Command[];
}

export const parseCommandArgs = (cmd: Command, argv: readonly string[]): Record<string, string | boolean | undefined> => {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...cmd.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // node:util's messages are precise but long; keep their first sentence.
    throw new UsageError((e as Error).message.split(/\.\s/)[0]!.replace(/^Unknown option/, 'unknown option'));
  }
};

/** A required string option. */
export const required = (values: Record<string, unknown>, name: string): string => {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
};

export const optionalString = (values: Record<string, unknown>, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

/** A numeric option, checked to be finite (and an integer ≥ min when asked). */
export const numberOption = (
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  { integer = false, min = -Infinity }: { integer?: boolean; min?: number } = {},
): number => {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got '${String(raw)}'`);
  }
  return v;
};

export const choice = <T extends string>(values: Record<string, unknown>, name: string, allowed: readonly T[], fallback: T): T => {
  const v = values[name] ?? fallback;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got '${String(v)}'`);
  return v as T;
};
