/**
 * Records a devnet run's throughput in the benchmark report: reads the summary a devnet wrote (`npm start -- --T 8
 * --D 16 --blocks 10 --summary out.json`), keeps its throughput, proving and configuration figures under the
 * `devnetThroughput` key of bench/report.json (read-merge-write, like bench/run.ts) and re-renders bench/report.md.
 *
 *   npx tsx bench/devnet.ts out.json
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderMarkdown, type DevnetThroughputSection } from "./report.js";
import { laterHalf, type FinalizedPoint } from "../src/network/throughput.js";

const JSON_PATH = fileURLToPath(new URL("./report.json", import.meta.url));
const MD_PATH = fileURLToPath(new URL("./report.md", import.meta.url));

function main(): void {
  const file = process.argv[2];
  if (!file || !existsSync(file)) {
    console.error("usage: npx tsx bench/devnet.ts SUMMARY.json (a devnet --summary file)");
    process.exit(2);
  }
  const s = JSON.parse(readFileSync(file, "utf8")) as Record<string, any>;
  const t = s.throughput as Record<string, any> | undefined;
  if (!t || typeof s.finalizedTransfersPerSecond !== "number") {
    console.error(`${file} has no throughput figures (a summary of an older devnet?)`);
    process.exit(1);
  }
  const section: DevnetThroughputSection = {
    date: new Date().toISOString(),
    command: `npm start -- --T ${s.config.T} --D ${s.config.D} --blocks ${s.finalizedBlocks}${s.config.txRateDerived === false ? ` --tx-rate ${s.config.txRate}` : ""} --summary out.json`,
    T: s.config.T, D: s.config.D, finalizedHeights: s.finalizedBlocks, txsFinalized: s.txsFinalized,
    finalizedTransfersPerSecond: s.finalizedTransfersPerSecond, finalizedTransfersPerL1Block: s.finalizedTransfersPerL1Block,
    laterHalf: laterHalf(t.finalized as FinalizedPoint[]),
    windowSeconds: t.windowSeconds, windowL1Blocks: t.windowL1Blocks, transfersInWindow: t.transfersInWindow,
    offered: t.offered, maxMempool: t.maxMempool, loadAverage1m: t.loadAverage1m, cores: t.cores,
    phases: [s.proving.proposalBlocks, s.proving.revealBlocks, s.proving.commitBlocks], provingWindow: s.proving.provingWindow,
    blockTimeMs: s.config.blockTimeMs, sequencers: s.config.sequencers, provers: s.config.provers,
    measuredProof: s.proving.measured ?? null, reorgs: (s.reorgs as unknown[]).length, latencyL1Blocks: s.latencyL1Blocks,
  };
  const old = existsSync(JSON_PATH) ? (JSON.parse(readFileSync(JSON_PATH, "utf8")) as Record<string, unknown>) : {};
  const merged = { ...old, devnetThroughput: section };
  writeFileSync(JSON_PATH + ".tmp", JSON.stringify(merged, null, 2) + "\n");
  renameSync(JSON_PATH + ".tmp", JSON_PATH);
  writeFileSync(MD_PATH, renderMarkdown(merged));
  console.log(`devnetThroughput: ${section.finalizedTransfersPerSecond} finalized transfers/s (load average ${section.loadAverage1m}) -> ${JSON_PATH}, ${MD_PATH}`);
}

main();
