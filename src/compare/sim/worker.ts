/**
 * One simulation run in its own process (spawned by src/compare/index.ts, two at a time): reads the comparison file,
 * runs `variant` with `seed`, writes the RunRecord as JSON to `out`, prints progress lines on stdout.
 * Usage: node --import tsx src/compare/sim/worker.ts FILE VARIANT SEED OUT
 */
import { writeFileSync } from "node:fs";
import hre from "hardhat";
import { loadComparison } from "../spec.js";
import { runSimulation } from "./run.js";

const [file, label, seed, out] = process.argv.slice(2);
if (!file || !label || !seed || !out) {
  console.error("usage: worker.ts FILE VARIANT SEED OUT");
  process.exit(2);
}
const spec = loadComparison(file);
const variant = spec.variants.find((v) => v.label === label);
if (!variant) {
  console.error(`no variant ${label} in ${file}`);
  process.exit(2);
}
void hre;
const run = await runSimulation({ workload: spec.workload, variant, seed: Number(seed), progress: (m) => console.log(m) });
writeFileSync(out, JSON.stringify(run, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
process.exit(0);
