/**
 * Scenario runner command (docs/scenarios.md):
 *
 *   npm run scenario -- FILE [--out DIR] [--rpc URL | --fork URL [--fork-block N]] [--rollup ADDR] [--quiet | --verbose]
 *   npm run scenario -- --replay DIR/l1-log.json [--out DIR] [--rpc URL | --fork URL [--fork-block N]]
 *
 * Exit codes: 0 every expectation passed (and, for a replay, no divergence); 1 an expectation failed, a divergence,
 * or the run failed; 2 bad flags or an invalid scenario file (nothing is started).
 */
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ScenarioError, loadScenario, type Scenario } from "../src/scenario/schema.js";
import { muteSqliteExperimentalWarning } from "../src/warnings.js";

muteSqliteExperimentalWarning();

const USAGE = `usage: npm run scenario -- FILE [options]
       npm run scenario -- --replay LOG [options]
  FILE                a scenario (JSON, see docs/scenarios.md and scenarios/)
  --out DIR           output folder (default scenario-out/<name>; a replay: <log folder>/replay)
  --rpc URL           run on this running node instead of spawning one (Hardhat, anvil, or one that mines on its own)
  --fork URL          spawn 'hardhat node --fork URL' and run there (contracts are deployed on the fork)
  --fork-block N      fork at block N (default: the latest)
  --rollup ADDR       with --rpc or --fork: use the contracts already there (the Rollup at ADDR) instead of
                      deploying; actors are funded by minting as the token owner (impersonated if needed)
  --replay LOG        replay a recorded run (l1-log.json; run.json and figures.json next to it) and compare
  --quiet | --verbose no progress lines / agents' info logs
  --check             validate FILE and exit (0 valid, 2 invalid)`;

function bad(msg: string): never {
  console.error(`error: ${msg}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      options: {
        out: { type: "string" }, rpc: { type: "string" }, rollup: { type: "string" }, fork: { type: "string" }, "fork-block": { type: "string" }, replay: { type: "string" },
        quiet: { type: "boolean" }, verbose: { type: "boolean" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    bad((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.rpc && values.fork) bad("--rpc and --fork exclude each other");
  if (values["fork-block"] !== undefined && !values.fork) bad("--fork-block needs --fork");
  if (values.quiet && values.verbose) bad("--quiet and --verbose exclude each other");
  if (values.rollup !== undefined && !values.rpc && !values.fork) bad("--rollup needs --rpc or --fork (a chain that has the contracts)");
  if (values.rollup !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(values.rollup as string)) bad(`--rollup must be an address, got "${values.rollup}"`);
  if (values.rollup !== undefined && values.replay) bad("--rollup is for runs, not replays");
  let forkBlock: number | undefined;
  if (values["fork-block"] !== undefined) {
    forkBlock = Number(values["fork-block"]);
    if (!Number.isSafeInteger(forkBlock) || forkBlock < 0) bad(`--fork-block must be a block number, got "${values["fork-block"]}"`);
  }
  for (const k of ["rpc", "fork"] as const) {
    const v = values[k] as string | undefined;
    if (v !== undefined && !/^https?:\/\/\S+$/.test(v)) bad(`--${k} must be an http(s) URL, got "${v}"`);
  }
  const replay = values.replay as string | undefined;
  if (replay && positionals.length) bad("--replay takes no scenario FILE (the scenario is in run.json next to the log)");
  if (!replay && positionals.length !== 1) bad(positionals.length ? "one scenario FILE at a time" : "a scenario FILE is required");
  if (replay && !existsSync(replay)) bad(`--replay ${replay}: no such file`);
  if (replay && !existsSync(join(dirname(replay), "run.json"))) bad(`--replay: ${join(dirname(replay), "run.json")} is missing (it is written next to l1-log.json by a run)`);

  let scenario: Scenario | undefined;
  if (!replay) {
    try {
      scenario = loadScenario(positionals[0]!);
    } catch (e) {
      if (e instanceof ScenarioError) {
        console.error(`invalid scenario ${positionals[0]}: ${e.message}`);
        process.exit(2);
      }
      throw e;
    }
    if (values.check) {
      console.log(`${positionals[0]}: valid (${scenario.name}: ${scenario.design} design${scenario.units !== undefined ? ` (K = ${scenario.units})` : ""}, ${scenario.sequencers.length} sequencers, ${scenario.provers.length} provers, ${scenario.expect.length} expectations)`);
      return;
    }
  }

  const quiet = values.quiet === true;
  const started = Date.now();
  const say = (m: string) => {
    if (!quiet) console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);
  };
  // The contracts' typed client is generated by the compile: compile before importing the runner.
  say("building the circuit (cached) and compiling the contracts");
  const hre = (await import("hardhat")).default;
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const R = await import("../src/scenario/runner.js");
  const A = await import("../src/agents/index.js");
  const log = new A.Logger("scenario", quiet ? "error" : values.verbose ? "info" : "warn", (r) => process.stderr.write(A.formatLog(r) + "\n"));

  if (replay) {
    const outDir = resolve((values.out as string | undefined) ?? join(dirname(replay), "replay"));
    const r = await R.replayScenario({ logPath: replay, outDir, rpc: values.rpc as string | undefined, fork: values.fork as string | undefined, forkBlock, log, progress: say });
    for (const e of r.figures.expectations) console.log(`${e.passed ? "PASS" : "FAIL"} ${e.text} (${e.detail})`);
    if (r.divergences.length) {
      console.log(`${r.divergences.length} divergence(s):`);
      for (const d of r.divergences) console.log(`  - ${d}`);
    } else console.log("no divergence: same outcome as the recorded run");
    console.log(`replay report: ${join(outDir, "report.md")}`);
    process.exit(r.passed ? 0 : 1);
  }

  const s = scenario!;
  const outDir = resolve((values.out as string | undefined) ?? join("scenario-out", s.name || basename(positionals[0]!, ".json")));
  const r = await R.runScenario({ scenario: s, outDir, rpc: values.rpc as string | undefined, fork: values.fork as string | undefined, forkBlock, rollup: values.rollup as string | undefined, noCompile: true, log, progress: quiet ? undefined : say });
  const f = r.figures;
  const counts = (o: string) => f.heights.filter((h) => h.outcome === o).length;
  console.log(`${s.name}: ${counts("finalized")} finalized, ${counts("reorged")} reorged, ${counts("skipped")} skipped, ${counts("pending")} pending; L1 blocks ${f.startBlock}-${f.endBlock}; ${f.wallSeconds} s`);
  for (const e of f.expectations) console.log(`${e.passed ? "PASS" : "FAIL"} ${e.text} (${e.detail})`);
  console.log(`report: ${join(outDir, "report.md")}${r.logPath ? `; L1 log: ${r.logPath}` : ""}`);
  process.exit(r.passed ? 0 : 1);
}

main().catch((e) => {
  if (e instanceof ScenarioError) {
    console.error(`invalid scenario: ${e.message}`);
    process.exit(2);
  }
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
