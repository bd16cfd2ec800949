// The `healer` command from source, for tests that run it as a real child process (and kill it).
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
