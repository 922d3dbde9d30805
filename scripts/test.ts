/**
 * The project's test command (`npm test`): builds the CI circuits (cached: the block circuit T=2 D=8 and the
 * Cooperative design's unit circuit S=1 D=8), then runs the Solidity tests and the mocha tests with Hardhat, and
 * ends with the plain line `N passed, N failed` that CI reads.
 * Extra arguments are passed to `hardhat test mocha` (for example a single test file).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

// Hardhat's package exports do not include its CLI file, so locate it through the package folder.
const HARDHAT_CLI = join(process.cwd(), "node_modules", "hardhat", "dist", "src", "cli.js");

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  pending: number;
  exitCode: number;
}

function run(name: string, command: string, args: string[]): Promise<SuiteResult> {
  return new Promise((resolve) => {
    console.log(`\n=== ${name}: ${[command === process.execPath ? "node" : command, ...args].join(" ")}`);
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let output = "";
    const tee = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      target.write(chunk);
    };
    child.stdout.on("data", tee(process.stdout));
    child.stderr.on("data", tee(process.stderr));
    child.on("close", (code) => {
      // Mocha and Hardhat's Solidity runner both close with "N passing" / "N failing" / "N pending".
      const count = (word: string) =>
        [...output.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, "gm"))].reduce((s, m) => s + Number(m[1]), 0);
      const result = { name, passed: count("passing"), failed: count("failing"), pending: count("pending"), exitCode: code ?? 1 };
      // A runner that crashed before reporting still counts as a failure.
      if (result.exitCode !== 0 && result.failed === 0) result.failed = 1;
      resolve(result);
    });
  });
}

async function main(): Promise<void> {
  const extra = process.argv.slice(2);
  const results: SuiteResult[] = [];
  // The CI circuits: the block circuit T=2 D=8, and the Cooperative design's unit circuit S=1 D=8 (T=2 in K=2 units),
  // both verified on chain by committed verifiers.
  let build = await run("circuits", process.execPath, ["--import", "tsx", "scripts/build-circuits.ts", "--T", "2", "--D", "8"]);
  if (build.exitCode === 0) build = await run("unit circuit", process.execPath, ["--import", "tsx", "scripts/build-circuits.ts", "--unit", "--S", "1", "--D", "8"]);
  if (build.exitCode !== 0) {
    results.push({ ...build, failed: 1 });
  } else {
    if (extra.length === 0) results.push(await run("solidity tests", process.execPath, [HARDHAT_CLI, "test", "solidity"]));
    results.push(await run("mocha tests", process.execPath, [HARDHAT_CLI, "test", "mocha", ...extra]));
  }
  const passed = results.reduce((s, r) => s + r.passed, 0);
  const failed = results.reduce((s, r) => s + r.failed, 0);
  const pending = results.reduce((s, r) => s + r.pending, 0);
  console.log("");
  for (const r of results) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.pending} skipped (exit ${r.exitCode})`);
  console.log(`${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ""}`);
  process.exit(failed === 0 && results.every((r) => r.exitCode === 0) ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
