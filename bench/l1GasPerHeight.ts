/**
 * Issue 13's measure: what a finalized height costs on L1 with every agent's transactions counted, per call, at the
 * devnet's defaults (3 sequencers, 2 provers, Sidecar, full blocks), for T = 2, 8 and 32 where the circuit is built.
 * Each row is one devnet run with real proofs (`npm start -- --T T --D D --blocks N --summary FILE`); the gas is the
 * agents' receipts (exact), the latency and the empty heights depend on the machine's load (noted per row).
 *
 *   npm run bench -- --only l1GasPerHeight [--blocks 8]   runs the devnets (minutes per size) and records them
 *   npx tsx bench/l1GasPerHeight.ts SUMMARY.json ...       records summaries of devnets already run
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One devnet run's cost of a finalized height. */
export interface L1GasPerHeightRow {
  design: string;
  T: number;
  D: number;
  command: string;
  date: string;
  finalizedHeights: number;
  lastFinalizedHeight: number;
  /** Every agent transaction of the run divided by the finalized heights (the issue's `l1GasPerBlock`). */
  l1GasPerBlock: number;
  /** The transactions serving heights <= the last finalized one, divided by the finalized heights. */
  l1GasPerFinalizedHeight: number;
  /** Per call: calls per finalized height, average gas, and their product (gas per height). */
  perCall: { method: string; perHeight: number; avgGas: number; gasPerHeight: number }[];
  /** The same over the heights after the storage rings turned (the devnet summary's `l1GasSteady`), if reached. */
  steady?: { fromHeight: number; finalizedHeights: number; perHeight: number; perCall: { method: string; perHeight: number; avgGas: number; gasPerHeight: number }[] };
  /** Transfers finalized per finalized height (T at full blocks) and the gas per transfer at that fill. */
  transfersPerHeight: number;
  gasPerTransfer: number;
  /** Gas per transfer if every slot were full (l1GasPerFinalizedHeight / T). */
  gasPerTransferFullBlocks: number;
  emptyHeightsPer100: number;
  /** Median L1 blocks from a height's first proposal to its finalization. */
  latencyL1Blocks: number;
  reorgs: number;
  proofBatchSize: number | string;
  proposeThreshold: number | string;
  loadAverage1m: number;
  /** Cooperative: K, the paid unit proofs per settled height and what the provers' calls cost per height. */
  units?: number;
  cooperative?: { paidProofsPerHeight: number; proverGasPerHeight: number };
}

/** The provers' calls per design (what proving costs them on L1, besides the proof itself). */
const PROVER_CALLS = new Set(["submitProof", "submitBatch", "postProof", "verifyBatch", "submitUnitProof", "settleUnits"]);

/** report.json's `designs`: per design and size, the cost of a finalized height side by side (from the rows). */
export function designsFromRows(rows: readonly L1GasPerHeightRow[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of rows) {
    const proverGas = r.perCall.filter((c) => PROVER_CALLS.has(c.method)).reduce((a, c) => a + c.gasPerHeight, 0);
    (out[r.design] ??= {})[`T=${r.T}`] = {
      T: r.T, D: r.D, units: r.units ?? 1, finalizedHeights: r.finalizedHeights,
      l1GasPerFinalizedHeight: r.l1GasPerFinalizedHeight, steadyPerHeight: r.steady?.perHeight ?? null,
      proverGasPerHeight: proverGas, sequencerGasPerHeight: r.l1GasPerFinalizedHeight - proverGas,
      perCall: Object.fromEntries(r.perCall.map((c) => [c.method, { perHeight: c.perHeight, avgGas: c.avgGas }])),
      latencyL1Blocks: r.latencyL1Blocks, gasPerTransferFullBlocks: r.gasPerTransferFullBlocks,
      ...(r.cooperative ? { paidProofsPerHeight: r.cooperative.paidProofsPerHeight } : {}),
      date: r.date,
    };
  }
  return out;
}

export interface L1GasPerHeightSection {
  rows: L1GasPerHeightRow[];
  /** Sizes not measured and why (e.g. circuit not built). */
  skipped: { T: number; D: number; why: string }[];
}

type Summary = Record<string, any>;

/** Reads a devnet summary into a row. */
export function rowFromSummary(s: Summary, command: string, loadAverage1m: number): L1GasPerHeightRow {
  const cfg = s.config as Record<string, any>;
  const T = Number(cfg.T);
  const calls = (byMethod: Record<string, { perHeight: number; avgGas: number }>) => Object.entries(byMethod)
    .map(([method, v]) => ({ method, perHeight: v.perHeight, avgGas: v.avgGas, gasPerHeight: Math.round(v.perHeight * v.avgGas) }))
    .sort((a, b) => b.gasPerHeight - a.gasPerHeight);
  const perCall = calls((s.l1GasByMethodPerHeight ?? {}) as Record<string, { perHeight: number; avgGas: number }>);
  const st = s.l1GasSteady as { fromHeight: number; finalizedHeights: number; perHeight: number; byMethod: Record<string, { perHeight: number; avgGas: number }> } | undefined;
  const finalized = Number(s.finalizedBlocks);
  const transfersPerHeight = finalized ? Number(s.txsFinalized) / finalized : 0;
  const perHeight = Number(s.l1GasPerFinalizedHeight);
  return {
    design: String(cfg.design ?? "sidecar"),
    T,
    D: Number(cfg.D),
    command,
    date: new Date().toISOString(),
    finalizedHeights: finalized,
    lastFinalizedHeight: Number(s.lastFinalizedHeight),
    l1GasPerBlock: Number(s.l1GasPerBlock),
    l1GasPerFinalizedHeight: perHeight,
    perCall,
    ...(st ? { steady: { fromHeight: st.fromHeight, finalizedHeights: st.finalizedHeights, perHeight: st.perHeight, perCall: calls(st.byMethod) } } : {}),
    transfersPerHeight: Math.round(transfersPerHeight * 100) / 100,
    gasPerTransfer: transfersPerHeight ? Math.round(perHeight / transfersPerHeight) : 0,
    gasPerTransferFullBlocks: Math.round(perHeight / T),
    emptyHeightsPer100: Number(s.emptyHeightsPer100),
    latencyL1Blocks: Number(s.latencyL1Blocks),
    reorgs: Array.isArray(s.reorgs) ? s.reorgs.length : 0,
    proofBatchSize: cfg.proofBatchSize ?? "-",
    proposeThreshold: cfg.proposeThreshold ?? "default",
    loadAverage1m,
    ...(cfg.units !== undefined ? { units: Number(cfg.units) } : {}),
    ...(s.cooperative ? {
      cooperative: {
        paidProofsPerHeight: Number(s.cooperative.paidProofsPerHeight),
        proverGasPerHeight: perCall.filter((c) => PROVER_CALLS.has(c.method)).reduce((a, c) => a + c.gasPerHeight, 0),
      },
    } : {}),
  };
}

/** Whether the circuit of this size is built (cached by scripts/build-circuits.ts under build/circuits). */
function circuitBuilt(T: number, D: number): boolean {
  return existsSync(join("build", "circuits", `T${T}_D${D}`));
}

function runDevnet(args: string[], log: (m: string) => void): Promise<number> {
  return new Promise((resolve) => {
    log(`  npm start -- ${args.join(" ")}`);
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/devnet.ts", ...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let tail = "";
    const keep = (b: Buffer) => (tail = (tail + b.toString()).slice(-4000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("close", (code) => {
      if (code !== 0) log(`  devnet exited ${code}: ${tail.split("\n").slice(-8).join("\n")}`);
      resolve(code ?? 1);
    });
  });
}

/** Runs the devnet at each size whose circuit is built and returns the rows (sizes not built are skipped). */
export async function benchL1GasPerHeight(o: { sizes: { T: number; D: number }[]; blocks: number; log: (m: string) => void }): Promise<L1GasPerHeightSection> {
  const section: L1GasPerHeightSection = { rows: [], skipped: [] };
  for (const { T, D } of o.sizes) {
    if (!circuitBuilt(T, D)) {
      section.skipped.push({ T, D, why: `circuit T${T}_D${D} not built (npm run circuits -- --T ${T} --D ${D}; its setup takes hours on 2 cores)` });
      o.log(`l1GasPerHeight: T=${T} D=${D} skipped (circuit not built)`);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), `l1gas-T${T}-`));
    const summaryPath = join(dir, "summary.json");
    const args = ["--T", String(T), "--D", String(D), "--blocks", String(o.blocks), "--summary", summaryPath, "--data-dir", join(dir, "data"), "--quiet",
      // 96 heights with batches of 32 take about 16 minutes at T = 8 on 2 cores: past the devnet's default 15-minute limit.
      "--timeout", "40"];
    const code = await runDevnet(args, o.log);
    if (code !== 0 || !existsSync(summaryPath)) {
      section.skipped.push({ T, D, why: `devnet run failed (exit ${code})` });
      continue;
    }
    const row = rowFromSummary(JSON.parse(readFileSync(summaryPath, "utf8")) as Summary, `npm start -- --T ${T} --D ${D} --blocks ${o.blocks} --summary out.json`, loadavg()[0]!);
    o.log(`l1GasPerHeight: T=${T}: ${row.l1GasPerFinalizedHeight} gas per finalized height (${row.l1GasPerBlock} with heights in flight), latency ${row.latencyL1Blocks} L1 blocks`);
    section.rows.push(row);
  }
  return section;
}

/** Merges rows into report.json's `l1GasPerHeight` (a new row replaces the one of the same design and size). */
export function mergeRows(old: L1GasPerHeightSection | undefined, add: L1GasPerHeightSection): L1GasPerHeightSection {
  const key = (r: { T: number; D: number; design?: string }) => `${r.design ?? "sidecar"}/${r.T}/${r.D}`;
  const rows = new Map((old?.rows ?? []).map((r) => [key(r), r]));
  for (const r of add.rows) rows.set(key(r), r);
  const measured = new Set([...rows.keys()].map((k) => k.split("/").slice(1).join("/")));
  const skipped = [...(old?.skipped ?? []), ...add.skipped].filter((s, i, all) => !measured.has(`${s.T}/${s.D}`) && all.findIndex((x) => x.T === s.T && x.D === s.D) === i);
  return { rows: [...rows.values()].sort((a, b) => a.T - b.T || a.design.localeCompare(b.design)), skipped };
}

async function recordSummaries(files: string[]): Promise<void> {
  const { renderMarkdown } = await import("./report.js");
  const jsonPath = fileURLToPath(new URL("./report.json", import.meta.url));
  const mdPath = fileURLToPath(new URL("./report.md", import.meta.url));
  const add: L1GasPerHeightSection = { rows: [], skipped: [] };
  for (const f of files) {
    const s = JSON.parse(readFileSync(f, "utf8")) as Summary;
    if (typeof s.l1GasPerFinalizedHeight !== "number") throw new Error(`${f} is not a devnet summary with l1GasPerFinalizedHeight`);
    const design = s.config.design === "cooperative" ? ` --design cooperative --units ${s.config.units}` : "";
    add.rows.push(rowFromSummary(s, `npm start -- --T ${s.config.T} --D ${s.config.D}${design} --blocks ${s.finalizedBlocks} --summary out.json (recorded from ${f})`, Number(s.throughput?.loadAverage1m ?? loadavg()[0])));
  }
  const old = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, "utf8")) as Record<string, unknown>) : {};
  const rows = mergeRows(old.l1GasPerHeight as L1GasPerHeightSection | undefined, add);
  const merged = { ...old, l1GasPerHeight: rows, designs: designsFromRows(rows.rows) };
  writeFileSync(jsonPath + ".tmp", JSON.stringify(merged, null, 2) + "\n");
  renameSync(jsonPath + ".tmp", jsonPath);
  writeFileSync(mdPath, renderMarkdown(merged));
  for (const r of add.rows) console.log(`l1GasPerHeight ${r.design} T=${r.T}: ${r.l1GasPerFinalizedHeight} gas per finalized height -> ${jsonPath}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = process.argv.slice(2);
  if (files.length === 0 || files.some((f) => !existsSync(f))) {
    console.error("usage: npx tsx bench/l1GasPerHeight.ts SUMMARY.json [...] (devnet --summary files)");
    process.exit(2);
  }
  recordSummaries(files).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
