/**
 * Writes the batch verifier of a built circuit (BlockVk_T{T}_D{D}.sol + BatchVerifier_T{T}_D{D}.sol) from its
 * cached vkey: `npx tsx scripts/export-batch-verifier.ts [--T 2] [--D 8]`. The build pipeline calls
 * `exportBatchVerifier` itself; this is for running it alone.
 */
import { parseArgs } from "node:util";
import { readFile } from "node:fs/promises";
import { exportBatchVerifier } from "../src/zk/exportBatch.js";

const { values } = parseArgs({ options: { T: { type: "string", default: "2" }, D: { type: "string", default: "8" } }, strict: true });
const T = Number(values.T);
const D = Number(values.D);
const dir = `build/setup/block_T${T}_D${D}`;
const vkey = JSON.parse(await readFile(`${dir}/vkey.json`, "utf8"));
const setup = JSON.parse(await readFile(`${dir}/setup.json`, "utf8").catch(() => "{}"));
const r = await exportBatchVerifier({ T, D, vkey, mode: setup?.result?.mode, setup: setup?.result?.provenance });
console.log(`${r.verifierContract} (${r.nPublic} public inputs): ${r.written.length ? "wrote " + r.written.join(", ") : "unchanged"}`);
