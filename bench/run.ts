/**
 * `npm run bench`: circuits, proving throughput, gas. Writes bench/report.json (read-merge-write: keys written by
 * other tools are kept) and bench/report.md (rendered from the merged JSON). See docs/benchmark.md.
 *
 *   npm run bench -- [--only circuits,throughput,ptau,gas,batch,l1,l1GasPerHeight] [--reps 2] [--blocks 4] [--ptau-power 11,13]
 *                    [--heights 96] (devnet heights per size in l1GasPerHeight: three batches of 32; above 64 the
 *                    summary has the steady figure, after the storage rings turned)
 *                    [--routes sequential,pipelined,parallel-2x1,parallel-2x2,native-2x1,native-1x2,native-pipelined] [--configs 2x8,4x16,8x16] [--skip ptau]
 *
 * "circuits" alone also runs "throughput" and "ptau" (they are the circuit numbers); name them to run them alone.
 */
import { contractSizes } from "./sizes.js";
import { parseArgs } from "node:util";
import { readFile, writeFile, rename } from "node:fs/promises";
import { existsSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { benchCircuits, benchPtau, benchThroughput, build, provedSample, type Log, type ThroughputReport } from "./circuits.js";

/** One line per earlier throughput run (report.json `throughputEarlierRuns`). */
function summarizeThroughput(t: ThroughputReport, date?: string) {
  return {
    date,
    blocks: t.blocks,
    routes: Object.fromEntries(t.routes.map((r) => [r.route, { transfersPerSecond: r.transfersPerSecond, cpuBoundTps: r.cpuBoundTps, loadAverage1m: r.loadAverage1m }])),
  };
}
import { benchBatch, benchL1, benchVerifyGas, perPublicInput, type VerifyGasRow } from "./chain.js";
import { renderMarkdown } from "./report.js";
import { benchL1GasPerHeight, designsFromRows, mergeRows, type L1GasPerHeightSection } from "./l1GasPerHeight.js";
import { closeProver } from "../src/zk/prover.js";

const JSON_PATH = fileURLToPath(new URL("./report.json", import.meta.url));
const MD_PATH = fileURLToPath(new URL("./report.md", import.meta.url));
const SECTIONS = ["report", "build", "circuits", "throughput", "ptau", "gas", "batch", "l1", "l1GasPerHeight"] as const;
type Section = (typeof SECTIONS)[number];

const CIRCUITS = [
  { T: 2, D: 8 },
  { T: 4, D: 16 },
  { T: 8, D: 16 },
];

async function readReport(): Promise<Record<string, unknown>> {
  if (!existsSync(JSON_PATH)) return {};
  try {
    return JSON.parse(await readFile(JSON_PATH, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Merges `part` into the report on disk (re-read each time: another tool may have written meanwhile) and re-renders. */
async function save(part: Record<string, unknown>, section?: Section): Promise<void> {
  const old = await readReport();
  const merged: Record<string, unknown> = { ...old, ...part };
  if (section) {
    // When each section was last measured, and how busy the machine was (1-minute load average; 2 cores).
    const runs = { ...((old.sectionRuns as Record<string, unknown> | undefined) ?? {}) };
    runs[section] = { date: new Date().toISOString(), loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 };
    merged.sectionRuns = runs;
  }
  const json = JSON.stringify(merged, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
  await writeFile(JSON_PATH + ".tmp", json);
  await rename(JSON_PATH + ".tmp", JSON_PATH);
  await writeFile(MD_PATH, renderMarkdown(merged));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      reps: { type: "string", default: "2" },
      blocks: { type: "string", default: "4" },
      heights: { type: "string", default: "96" },
      "ptau-power": { type: "string", default: "11,13" },
      routes: { type: "string" },
      configs: { type: "string" },
      skip: { type: "string" },
    },
    strict: true,
  });
  const only = new Set<Section>();
  for (const s of (values.only ?? SECTIONS.join(",")).split(",").map((x) => x.trim()).filter(Boolean)) {
    if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`unknown section "${s}" (known: ${SECTIONS.join(", ")})`);
    only.add(s as Section);
    if (s === "circuits" && values.only) {
      only.add("throughput");
      only.add("ptau");
    }
  }
  for (const s of (values.skip ?? "").split(",").map((x) => x.trim()).filter(Boolean)) only.delete(s as Section);
  const configs = values.configs
    ? values.configs.split(",").map((c) => {
        const m = /^(\d+)x(\d+)$/.exec(c.trim());
        if (!m) throw new Error(`--configs takes TxD items like 2x8,8x16; got "${c}"`);
        return { T: Number(m[1]), D: Number(m[2]) };
      })
    : CIRCUITS;
  const reps = Number(values.reps);
  const nBlocks = Number(values.blocks);
  const ptauPowers = values["ptau-power"]!.split(",").map(Number);
  const routes = values.routes?.split(",").map((x) => x.trim());

  const started = performance.now();
  const log: Log = (m) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s] ${m}`);
  // A run that ends before "done" (nothing left to wait for, or an exit from elsewhere) says so instead of vanishing.
  let finished = false;
  process.once("beforeExit", () => {
    if (!finished) log(`event loop empty before the end of the run; active resources: ${process.getActiveResourcesInfo().join(", ")}`);
  });
  process.once("exit", (code) => {
    if (!finished) console.error(`[bench] exiting with code ${code} before the end of the run`);
  });
  log(`sections: ${[...only].join(", ")}`);

  const cpuModel = cpus()[0]?.model ?? "unknown";
  await save({
    machine: {
      date: new Date().toISOString(),
      nproc: cpus().length,
      cpu: cpuModel,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      note: "times are measurements on this machine (shared, noisy); gas is exact",
      sections: [...only],
    },
  });

  // Contract sizes are exact and cost nothing to read: measured on every run.
  await save({ contractSizes: contractSizes() });
  if (only.has("report")) await save({}); // re-renders report.md from report.json
  if (only.has("build") && values.only) {
    // Compile + set up every configuration (cached) without measuring: warms the caches before a timed run.
    for (const { T, D } of configs) await build(T, D, log);
  }
  if (only.has("circuits")) {
    const rows = await benchCircuits(configs, reps, log);
    // Replace only the configurations measured now (a run with --configs keeps the other rows).
    const old = ((await readReport()).circuits as { T: number; D: number }[] | undefined) ?? [];
    const merged = [...old.filter((o) => !rows.some((r) => r.T === o.T && r.D === o.D)), ...rows].sort((a, b) => a.T - b.T || a.D - b.D);
    await save({ circuits: merged }, "circuits");
  }
  if (only.has("gas")) {
    const rows: VerifyGasRow[] = [];
    for (const { T, D } of [CIRCUITS[0]!, CIRCUITS[2]!]) rows.push(await benchVerifyGas(await provedSample(T, D, log), log));
    await save({
      // The generated contract of the CI size, as deployed by the project (same bytecode source as the solc-js one).
      verifyGasSingle: rows[0]!.generatedVerifierTxGas ?? rows[0]!.verifierTxGas,
      verifyGas: rows,
      verifyGasPerPublicInput: perPublicInput(rows),
    }, "gas");
  }
  if (only.has("batch")) {
    const s = await provedSample(2, 8, log);
    const b = await benchBatch([s], [1, 2, 4, 8, 16, 32, 64], log);
    await save({ batch: b, batchVerifyGas: b.batchVerifyGas ?? "not measured" }, "batch");
  }
  if (only.has("l1")) {
    const s = await provedSample(2, 8, log);
    const l1 = await benchL1(s, log);
    await save({ l1, l1GasPerPhase: l1.l1GasPerPhase ?? "not measured" }, "l1");
  }
  if (only.has("l1GasPerHeight")) {
    // Devnet runs with real proofs at the defaults (3 sequencers, 2 provers, Sidecar, full blocks): T=2, 8 and 32
    // where the circuit is built.
    const section = await benchL1GasPerHeight({ sizes: [{ T: 2, D: 8 }, { T: 8, D: 16 }, { T: 32, D: 16 }], blocks: Number(values.heights), log });
    const old = await readReport();
    const rows = mergeRows(old.l1GasPerHeight as L1GasPerHeightSection | undefined, section);
    await save({ l1GasPerHeight: rows, designs: designsFromRows(rows.rows) }, "l1GasPerHeight");
  }
  // Timed throughput last: gas is exact and cheap, so it is saved first if a long run is cut short.
  if (only.has("throughput")) {
    const tp = await benchThroughput({ T: 8, D: 16, blocks: nBlocks, routes, log });
    // Keep a short history of earlier throughput runs: on a shared machine one run is not the whole story.
    const old = await readReport();
    const prev = old.throughput as ThroughputReport | undefined;
    const history = [...((old.throughputEarlierRuns as unknown[] | undefined) ?? [])];
    if (prev) history.push(summarizeThroughput(prev, (old.sectionRuns as Record<string, { date: string }> | undefined)?.throughput?.date));
    await save({ throughput: tp, throughputEarlierRuns: history.slice(-6) }, "throughput");
  }
  if (only.has("ptau")) {
    const rows = [];
    for (const p of ptauPowers) rows.push(await benchPtau(p, log));
    await save({ ptauComparison: rows }, "ptau");
  }
  finished = true;
  log(`done: ${MD_PATH} and ${JSON_PATH}`);
}

main()
  .then(async () => {
    await closeProver().catch(() => {});
    process.exit(0);
  })
  .catch(async (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await closeProver().catch(() => {});
    process.exit(1);
  });
