import { QuadrixError } from '@quadrix/core';
import { IoError } from '@quadrix/io';
import { parseCommandArgs, UsageError, type Command, type CommandGroup, type Output } from './cli.js';
import { demo } from './commands/demo.js';
import { evalGroup } from './commands/eval.js';
import { fit } from './commands/fit.js';
import { exportReference, importReference } from './commands/reference.js';
import { score } from './commands/score.js';

export const COMMANDS: readonly (Command | CommandGroup)[] = [fit, score, importReference, exportReference, demo, evalGroup];

const overview = (): string =>
  [
    'quadrix: learn the manifold of embeddings as an intersection of quadrics (AISTATS 2022)',
    '',
    'usage: quadrix <command> [options]      quadrix <command> --help',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`),
  ].join('\n');

/**
 * Runs the command line `argv` (without node and the script) and resolves to the exit status:
 * 0 on success, 1 on a failure of the work (bad file, diverged training), 2 on bad usage. Errors
 * are one line on standard error; QUADRIX_DEBUG=1 adds the stack.
 */
export const run = async (argv: readonly string[], io: Output): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.err(`quadrix: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return 2;
  }
  let cmd: Command;
  let label = name;
  if ('subcommands' in entry) {
    const [sub, ...subRest] = rest;
    const names = entry.subcommands.map((c) => c.name).join(', ');
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.out([`quadrix ${name}: ${entry.summary}`, '', ...entry.subcommands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`), '', `quadrix ${name} <${names.replaceAll(', ', '|')}> --help`].join('\n'));
      return sub === undefined ? 2 : 0;
    }
    const found = entry.subcommands.find((c) => c.name === sub);
    if (!found) {
      io.err(`quadrix ${name}: unknown subcommand '${sub}' (${names})`);
      return 2;
    }
    cmd = found;
    label = `${name} ${sub}`;
    rest.splice(0, rest.length, ...subRest);
  } else {
    cmd = entry;
  }
  try {
    const values = parseCommandArgs(cmd, rest);
    if (values.help) {
      io.out(cmd.usage);
      return 0;
    }
    await cmd.run(values, io);
    return 0;
  } catch (e) {
    if (process.env.QUADRIX_DEBUG) io.err((e as Error).stack ?? String(e));
    if (e instanceof UsageError) {
      io.err(`quadrix ${label}: ${e.message} (see quadrix ${label} --help)`);
      return 2;
    }
    if (e instanceof QuadrixError || e instanceof IoError) {
      io.err(`quadrix ${label}: ${e.message}`);
      return 1;
    }
    io.err(`quadrix ${label}: unexpected error: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
};

export const processOutput = (): Output => ({
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  tty: process.stderr.isTTY === true,
  status: (line) => process.stderr.write(`\r\x1b[2K${line}`),
});
