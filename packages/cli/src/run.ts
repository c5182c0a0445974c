// `pnpm quadrix …` in the workspace: the command from source.
import { processOutput, run } from './main.js';

process.exitCode = await run(process.argv.slice(2), processOutput());
