/**
 * The L2 command line: `npm run l2 -- <command> ...` (also the `fernet-l2` bin). Commands, flags and exit codes:
 * `npm run l2 -- help`, docs/l2-cli.md; the code is src/cli/l2.ts.
 */
import { runL2Cli } from "../src/cli/l2.js";

const code = await runL2Cli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) });
// Exit explicitly: circomlibjs' WebAssembly and fetch keep-alive sockets must not hold the process open.
process.exit(code);
