// Runs the `healer` CLI from source (for tests that need a real process, e.g. under a pseudo-terminal).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
