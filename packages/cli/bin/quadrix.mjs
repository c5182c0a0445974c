#!/usr/bin/env node
// The installed command runs the bundle; in the workspace `pnpm quadrix` runs the sources.
import { processOutput, run } from '../dist/main.js';

process.exitCode = await run(process.argv.slice(2), processOutput());
