/** Renders bench/report.md from the merged report.json (so sections from earlier partial runs still show). */
import type { CircuitRow, PtauComparison, ThroughputReport } from "./circuits.js";
import type { BatchSection, L1Section, VerifyGasRow } from "./chain.js";
import type { L1GasPerHeightSection } from "./l1GasPerHeight.js";

const n = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? "-" : x.toLocaleString("en-US"));
const s = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? "-" : x.toFixed(d));
const mib = (b: number) => (b / 2 ** 20).toFixed(1) + " MiB";

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** A devnet run's throughput with real proofs (bench/devnet.ts, from a devnet --summary file). */
export interface DevnetThroughputSection {
  date: string;
  command: string;
  T: number;
  D: number;
  finalizedHeights: number;
  txsFinalized: number;
  finalizedTransfersPerSecond: number;
  finalizedTransfersPerL1Block: number;
  /** The same over the later half of the finalizations (the steady state). */
  laterHalf: { perSecond: number; perBlock: number; transfers: number; seconds: number; blocks: number };
  windowSeconds: number;
  windowL1Blocks: number;
  transfersInWindow: number;
  offered: { ratePerSecond: number; sent: number; refused: number };
  maxMempool: number;
  loadAverage1m: number;
  cores: number;
  phases: number[];
  provingWindow: number;
  blockTimeMs: number;
  sequencers: number;
  provers: number;
  measuredProof: { seconds: number; cpuSeconds: number; engine: string; source: string } | null;
  reorgs: number;
  latencyL1Blocks: number;
}

const KNOWN = new Set(["devnetThroughput", "machine", "sectionRuns", "throughputEarlierRuns", "circuits", "throughput", "ptauComparison", "verifyGasSingle", "verifyGas", "verifyGasPerPublicInput", "batch", "batchVerifyGas", "l1", "l1GasPerPhase", "l1GasBaseline", "contractSizes", "l1GasPerHeight", "l1GasPerHeightBaseline", "l1GasPlan", "designs"]);

/** Issue 13's section: devnet runs' gas per finalized height, per call, against the recorded "before". */
function renderL1GasPerHeight(r: Record<string, unknown>, out: string[]): void {
  out.push("## L1 gas per finalized height (devnet, every agent's transactions)");
  out.push("");
  const sec = r.l1GasPerHeight as L1GasPerHeightSection | undefined;
  if (!sec?.rows.length) {
    out.push("not measured (`npm run bench -- --only l1GasPerHeight`, or `npx tsx bench/l1GasPerHeight.ts SUMMARY.json` on devnet summaries)");
    out.push("");
  } else {
    out.push("Each row is one devnet run with real proofs at the defaults (3 sequencers, 2 provers, 1 s L1 blocks, full blocks offered): gas from the agents' receipts (exact); latency and empty heights depend on the machine's load, noted per row. `l1GasPerBlock` divides every agent transaction by the finalized heights (work on heights still in flight included); `per finalized height` leaves out the transactions of heights after the last finalized one.");
    out.push("");
    out.push(table(
      ["design", "T", "heights", "l1GasPerBlock", "per finalized height", "gas per transfer (full blocks)", "transfers per height", "latency (L1 blocks, median)", "empty per 100", "reorgs", "proof batch", "propose threshold", "load (1 min)"],
      sec.rows.map((x) => [x.design, x.T, x.finalizedHeights, n(x.l1GasPerBlock), `**${n(x.l1GasPerFinalizedHeight)}**`, n(x.gasPerTransferFullBlocks), x.transfersPerHeight, x.latencyL1Blocks, x.emptyHeightsPer100, x.reorgs, x.design === "cooperative" ? "- (unit proofs)" : x.proofBatchSize, x.proposeThreshold, s(x.loadAverage1m)]),
    ));
    out.push("");
    const methods = [...new Set(sec.rows.flatMap((x) => x.perCall.map((c) => c.method)))];
    out.push("Per call: calls per finalized height x average gas = gas per height.");
    out.push("");
    out.push(table(
      ["call", ...sec.rows.map((x) => `${x.design} T=${x.T}`)],
      methods.map((m) => [m, ...sec.rows.map((x) => {
        const c = x.perCall.find((y) => y.method === m);
        return c ? `${c.perHeight} x ${n(c.avgGas)} = ${n(c.gasPerHeight)}` : "-";
      })]),
    ));
    out.push("");
    const steadyRows = sec.rows.filter((x) => x.steady);
    if (steadyRows.length) {
      out.push("Once the storage rings have turned (heights after the first 64: proposal records and Sidecar terms in a ring of 32 per sequencer, seeds in a ring of 32, height records in a ring of 64 and chain entries in one of 128, so these calls overwrite old words instead of writing fresh ones), the same runs' heights from then on. Since session 12 every ring word is written before the first height, so these heights differ from the whole run only by chance, mostly the share of the one or two proof batches that fall in them (a batch of 8 costs about 1.3M: 0.08 batches per height reads 104k, 0.125 would read 163k):");
      out.push("");
      const sm = [...new Set(steadyRows.flatMap((x) => x.steady!.perCall.map((c) => c.method)))];
      out.push(table(
        ["call", ...steadyRows.map((x) => `${x.design} T=${x.T} (heights ${x.steady!.fromHeight}+, ${x.steady!.finalizedHeights} finalized)`)],
        [
          ...sm.map((m) => [m, ...steadyRows.map((x) => {
            const c = x.steady!.perCall.find((y) => y.method === m);
            return c ? `${c.perHeight} x ${n(c.avgGas)} = ${n(c.gasPerHeight)}` : "-";
          })]),
          ["**per finalized height**", ...steadyRows.map((x) => `**${n(x.steady!.perHeight)}**`)],
        ],
      ));
      out.push("");
    }
    for (const k of sec.skipped) out.push(`- T=${k.T} D=${k.D}: not measured: ${k.why}`);
    if (sec.skipped.length) out.push("");
  }
  const designs = r.designs as Record<string, Record<string, Record<string, any>>> | undefined;
  if (designs && Object.keys(designs).length) {
    out.push("### Designs side by side (`designs` in report.json)");
    out.push("");
    out.push("The same measure per proving design: Sidecar (a named prover per height, one block proof, sent in batches: 4 before session 11, 8 since, 16 in session 13, 32 since session 14; see each row's proof batch above; Cooperative's unit proofs are sent one by one) and Cooperative (docs/cooperative.md: K unit proofs per height, up to 3 paid per unit, each verified on L1 with its VRF). `provers' calls` are the proof submissions and settlements; `sequencers' calls` the rest (propose, reveal, commit).");
    out.push("");
    const cols = Object.entries(designs).flatMap(([d, byT]) => Object.values(byT).map((x) => ({ d, x })));
    out.push(table(
      ["design", "T", "K", "heights", "per finalized height", "provers' calls", "sequencers' calls", "paid proofs per height", "latency (L1 blocks)", "measured"],
      cols.map(({ d, x }) => [d, x.T, x.units, x.finalizedHeights, `**${n(x.l1GasPerFinalizedHeight)}**`, n(x.proverGasPerHeight), n(x.sequencerGasPerHeight), x.paidProofsPerHeight ?? "1 (the named prover)", x.latencyL1Blocks, String(x.date).slice(0, 10)]),
    ));
    out.push("");
  }
  const base = r.l1GasPerHeightBaseline as { label: string; T: number; total: number; perCall: Record<string, { perHeight: number; avgGas: number }>; why: Record<string, string> } | undefined;
  const now = sec?.rows.find((x) => x.T === base?.T && x.design === "sidecar");
  if (base) {
    out.push(`### Per call at T=${base.T}, before and after (before = ${base.label})`);
    out.push("");
    const methods = [...new Set([...Object.keys(base.perCall), ...(now?.perCall.map((c) => c.method) ?? [])])];
    const fmt = (c: { perHeight: number; avgGas: number } | undefined) => (c ? `${c.perHeight} x ${n(c.avgGas)} = ${n(Math.round(c.perHeight * c.avgGas))}` : "-");
    out.push(table(["call", "before", "now", "why"], [
      ...methods.map((m) => [m, fmt(base.perCall[m]), fmt(now?.perCall.find((c) => c.method === m)), base.why[m] ?? ""]),
      ["**per finalized height**", `**${n(base.total)}**`, now ? `**${n(now.l1GasPerFinalizedHeight)}**` : "not measured", ""],
    ]));
    out.push("");
  }
  const plan = r.l1GasPlan as { intro: string; steps: { step: string; savingPerHeight: string; status: string }[] } | undefined;
  if (plan) {
    out.push("### What 400k and 200k need");
    out.push("");
    out.push(plan.intro);
    out.push("");
    out.push(table(["step", "saving per height (T=8)", "status"], plan.steps.map((x) => [x.step, x.savingPerHeight, x.status])));
    out.push("");
  }
}

export function renderMarkdown(r: Record<string, unknown>): string {
  const out: string[] = [];
  const m = r.machine as Record<string, unknown> | undefined;
  out.push("# fernet-rollup benchmark");
  out.push("");
  out.push("Generated by `npm run bench` (bench/run.ts); what each number means: docs/benchmark.md.");
  out.push("");
  if (m) {
    out.push(`Last run: ${m.date} (sections: ${(m.sections as string[]).join(", ")}). Machine: ${m.nproc} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`);
    out.push("");
  }
  const sr = r.sectionRuns as Record<string, { date: string; loadAverage1m: number }> | undefined;
  if (sr) {
    out.push(table(["section", "measured at", "1-min load average at the end (2 cores)"], Object.entries(sr).map(([k, v]) => [k, v.date, v.loadAverage1m])));
    out.push("");
  }
  out.push("**Times are measurements on this machine (2 cores, shared with other work while measured): they are noisy, take them as ±20%. Gas is exact (receipt.gasUsed of real transactions on Hardhat's in-process chain, including the 21,000 base and calldata).** The setup is the INSECURE deterministic dev setup (fine for timing and gas: a real ceremony changes neither).");
  out.push("");

  const c = r.circuits as CircuitRow[] | undefined;
  {
    // Headline numbers first; details below.
    const tp0 = r.throughput as ThroughputReport | undefined;
    const b0 = r.batch as BatchSection | undefined;
    const l0 = r.l1 as L1Section | undefined;
    const c8 = c?.find((x) => x.T === 8 && x.D === 16);
    out.push("## Summary");
    out.push("");
    out.push(`- Proving throughput, T=8 D=16 blocks: ${tp0 ? `**${s(tp0.chosenTps, 3)} tx/s** sustained over ${tp0.blocks} consecutive blocks (route \`${tp0.chosen}\`, ${s(tp0.speedupVsSequential)}x the sequential route${tp0.bestSnarkjsRoute && tp0.bestSnarkjsRoute !== tp0.chosen ? ` and ${s(tp0.speedupVsBestSnarkjs)}x the best snarkjs route (\`${tp0.bestSnarkjsRoute}\`)` : ""} in the same run; CPU-bound rate ${s(tp0.routes.find((x) => x.route === tp0.chosen)?.cpuBoundTps, 3)} tx/s); target 0.7 tx/s ${tp0.meetsTarget ? "met" : "not met in this run"}` : "not measured"}.`);
    if (c8) {
      const nat = c8.nativeProveSeconds !== undefined
        ? `prove **${s(c8.nativeProveSeconds)} s with the native prover** (the project's default engine, ${c8.nativeThreads} threads; ${s(c8.nativeCpuSeconds)} CPU s with its witness) vs ${s(c8.proveSeconds)} s with snarkjs (${s(c8.cpuSeconds)} CPU s), ${s(c8.nativeSpeedup)}x, same block, same run`
        : `prove ${s(c8.proveSeconds)} s with snarkjs, ${s(c8.cpuSeconds)} CPU s (native prover not measured in this row)`;
      out.push(`- T=8 D=16 circuit: ${n(c8.constraints)} constraints (${n(c8.constraintsPerTransfer)} per transfer), one block alone: witness ${s(c8.witnessSeconds)} s, ${nat}.`);
    }
    out.push(`- verifyGasSingle (generated snarkjs verifier, T=2 D=8, 7 public inputs): ${r.verifyGasSingle !== undefined ? `**${n(r.verifyGasSingle as number)} gas**` : "not measured"}${r.verifyGasPerPublicInput ? `; ${n((r.verifyGasPerPublicInput as { gas: number }).gas)} gas per extra public input` : ""}.`);
    out.push(`- Batched verification: ${b0?.available ? `marginal **${n(b0.marginalPerProof)} gas per proof**; 64 proofs in one transaction ${n(b0.batchVerifyGas?.find((x) => x.n === 64)?.gas)} gas` : "not measured"}.`);
    out.push(`- L1 gas per phase: ${l0?.available && l0.l1GasPerPhase ? Object.entries(l0.l1GasPerPhase).map(([k, v]) => `${k} ${n(v)}`).join(", ") : "not measured"}.`);
    out.push("");
  }
  out.push("## Circuits: constraints and proving time");
  out.push("");
  if (c) {
    out.push("One block proved alone by both engines, side by side in the same run (fastest of each engine's runs; witness = circom wasm; snarkjs = Groth16 in WebAssembly with its 2-thread pool, zkey already in memory; native = the project's C++ prover (native/groth16/), the default engine of src/zk/prover.ts, as a `--serve` process that parsed the zkey before the clock, one thread per core). speedup = snarkjs prove / native prove.");
    out.push("");
    out.push(table(
      ["T", "D", "constraints", "per transfer", "public inputs", "witness s", "snarkjs prove s", "native prove s", "native threads", "speedup", "proven tx/s snarkjs / native", "CPU s snarkjs / native (all threads)", "all runs w+p s snarkjs / native"],
      c.map((x) => [x.T, x.D, n(x.constraints), n(x.constraintsPerTransfer), x.nPublic, s(x.witnessSeconds), s(x.proveSeconds), s(x.nativeProveSeconds), x.nativeThreads ?? "-", x.nativeSpeedup !== undefined ? `${s(x.nativeSpeedup)}x` : "-", `${s(x.provenTransfersPerSecond, 3)} / ${s(x.nativeProvenTransfersPerSecond, 3)}`, `${s(x.cpuSeconds)} / ${s(x.nativeCpuSeconds)}`, `${x.runs.map((y) => s(y.witnessSeconds + y.proveSeconds)).join(", ")} / ${x.nativeRuns?.map((y) => s(y.witnessSeconds + y.proveSeconds)).join(", ") ?? "-"}`]),
    ));
    out.push("");
    if (c.some((x) => x.nativePhases)) {
      out.push("Native per-phase split of the fastest native run (seconds, as the native prover timed each phase; witness = the circom wasm in its own process; msm = the 5 MSMs, B2 on G2):");
      out.push("");
      const keys = ["witness", "readWitness", "buildABC", "fft", "joinABC", "msmA", "msmB1", "msmB2", "msmC", "msmH", "msm", "finish"];
      out.push(table(
        ["T", "D", "2^power", "native prove s", ...keys.map((k) => `${k} s`), "msm share of prove", "zkey read+parse s (once)", "proofs verified by snarkjs"],
        c.filter((x) => x.nativePhases).map((x) => [x.T, x.D, x.power, s(x.nativeProveSeconds), ...keys.map((k) => s(x.nativePhases![k], 2)), `${Math.round(((x.nativePhases!.msm ?? NaN) / x.nativeProveSeconds!) * 100)}%`, s(x.nativeReadZkeySeconds), `${x.nativeVerifiedProofs}/${x.nativeRuns?.length}`]),
      ));
      out.push("");
    }
    out.push("### Where the snarkjs proving time goes");
    out.push("");
    out.push("From snarkjs's own debug log lines, timestamped (the time between two lines is charged to the first line's phase). fft = the 3 inverse FFTs + 3 coset FFTs of the QAP (Fr, 2^power); msm = the 4 G1 and 1 G2 multi-scalar multiplications; buildABC = evaluating A, B, C from the witness; setup = curve/zkey header before the first log line.");
    out.push("");
    out.push(table(
      ["T", "D", "2^power", "witness s", "prove s", "msm s", "fft s", "buildABC s", "joinABC s", "read+setup+other s", "msm share of prove"],
      c.map((x) => {
        const p = x.provePhases;
        return [x.T, x.D, x.power, s(x.witnessSeconds), s(x.proveSeconds), s(p.msm), s(p.fft), s(p.buildABC), s(p.joinABC), s(p.read + p.setup + p.other), `${Math.round((p.msm / x.proveSeconds) * 100)}%`];
      }),
    ));
    out.push("");
    out.push("### Setup and artifact sizes");
    out.push("");
    out.push("Dev setup (INSECURE, known secrets): the dev zkey is written directly from the secrets (src/zk/devZkey.ts, byte-identical to snarkjs `zkey new` + the deterministic beacon on the dev ptau; no ptau file is needed, so ptau s is 0). Times are those of the run that produced the cached setup (`cached` = this run reused it), measured on the shared machine. \"ptau at this power\" is what a prepared ceremony ptau of that power weighs (snarkjs layout, 1152 x 2^power bytes), which a real setup would need.");
    out.push("");
    out.push(table(
      ["T", "D", "compile s", "2^power", "ptau s", "zkey s", "beacon s", "setup total s", "cached", "ptau file used", "ptau at this power", "zkey", "wasm"],
      c.map((x) => [x.T, x.D, s(x.compileSeconds, 1), x.power, s(x.setup.seconds.ptau, 1), s(x.setup.seconds.zkeyNew, 1), s(x.setup.seconds.beacon, 1), s(x.setup.seconds.total, 1), x.setup.cached ? "yes" : "no", x.setup.ptauBytes ? mib(x.setup.ptauBytes) : "none (dev)", mib(x.setup.ptauBytesAtPower ?? 1152 * 2 ** x.power - 64), mib(x.setup.zkeyBytes), mib(x.setup.wasmBytes)]),
    ));
    out.push("");
  } else out.push("not measured (run `npm run bench -- --only circuits`)\n");

  const ptRaw = r.ptauComparison as PtauComparison | PtauComparison[] | undefined;
  const pt = ptRaw === undefined ? undefined : Array.isArray(ptRaw) ? ptRaw : [ptRaw];
  out.push("### Dev ptau vs snarkjs `powersoftau prepare phase2` (same power, same run)");
  out.push("");
  if (pt) {
    out.push(table(
      ["2^power", "snarkjs new s", "snarkjs prepare phase2 s", "dev ptau s", "ratio (prepare / dev)", "sizes (snarkjs / dev)"],
      pt.map((x) => [x.power, s(x.snarkjsNewSeconds), s(x.snarkjsPrepareSeconds), s(x.devPtauSeconds), `${x.ratio}x`, `${n(x.snarkjsBytes)} / ${n(x.devBytes)} bytes`]),
    ));
    out.push("");
    out.push("snarkjs's prepare grows about 2.1x per power (a group FFT: 64 s at 2^12 and about 10 minutes at 2^15 on an idle machine, extrapolated 22 min at 2^16 and 46 min at 2^17, see /work/shared/TOOLCHAIN.md). The dev ptau computes the Lagrange points from scalars (it knows tau: INSECURE by construction); at small powers its fixed cost (worker threads, precomputed tables) dominates, so a ratio below 1 there is expected, and the ratio grows with the power. The dev ptau times of the real setups (2^15 to 2^17) are in the setup table above (column ptau s).");
  } else out.push("not measured");
  out.push("");

  const tp = r.throughput as ThroughputReport | undefined;
  out.push("## Proving throughput (T=8, D=16)");
  out.push("");
  if (tp) {
    out.push(`Target: at least ${tp.targetTps} proven L2 transfers/s at D=16 with T=8 blocks on these 2 cores (probe baseline: plain snarkjs on a straightforward 174k-constraint circuit, 17.6 s per T=8 block = ${tp.baselineTps} tx/s). Sustained throughput over ${tp.blocks} consecutive blocks (block k+1 starts from block k's state), zkeys loaded before the clock starts, each proof checked against the TypeScript public inputs.`);
    out.push("");
    out.push(table(
      ["route", "what", "wall s", "tx", "tx/s (wall)", "vs sequential", "proof k ready at (s)", "CPU s", "tx/s at full use of the cores (CPU-bound)", "load avg at end"],
      tp.routes.map((x) => {
        const seq = tp.routes.find((y) => y.route === "sequential");
        return [x.route === tp.chosen ? `**${x.route}**` : x.route, x.description, s(x.wallSeconds, 1), x.transfers, s(x.transfersPerSecond, 3), seq ? s(x.transfersPerSecond / seq.transfersPerSecond) + "x" : "-", x.doneAt.map((y) => s(y, 1)).join(", "), s(x.cpuSeconds, 1), s(x.cpuBoundTps, 3), s(x.loadAverage1m)];
      }),
    ));
    out.push("");
    const nat = tp.routes.filter((x) => x.nativePhases);
    if (nat.length) {
      out.push("Native routes: the witness is still the circom wasm (snarkjs `wtns.calculate`, its own process); the proof is made by the native C++ prover (native/groth16/, src/zk/native.ts) running as a long-lived `--serve` process that parsed the zkey once, before the clock. Every native proof was also checked with `snarkjs.groth16.verify` after the clock stopped.");
      out.push("");
      out.push("Where a native block's time goes (mean seconds per block, each phase as the native prover timed it; msm = the 5 MSMs):");
      out.push("");
      const keys = ["witness", "readWitness", "buildABC", "fft", "joinABC", "msmA", "msmB1", "msmB2", "msmC", "msmH", "msm", "finish", "cpuSeconds"];
      out.push(table(
        ["route", "threads", ...keys.map((k) => (k === "cpuSeconds" ? "native CPU s" : `${k} s`)), "zkey read+parse s (once)", "proofs verified"],
        nat.map((x) => [x.route, x.route === "native-2x1" ? "1 (x2 processes)" : "2", ...keys.map((k) => s(x.nativePhases![k], 2)), s(x.readZkeySeconds, 2), `${x.verifiedProofs}/${x.blocks}`]),
      ));
      out.push("");
      const sj = tp.bestSnarkjsRoute ? tp.routes.find((x) => x.route === tp.bestSnarkjsRoute) : undefined;
      const seqR = tp.routes.find((x) => x.route === "sequential");
      out.push(`Native vs snarkjs in this run (same blocks, side by side): ${nat.map((x) => `${x.route} ${s(x.transfersPerSecond, 3)} tx/s = ${seqR ? s(x.transfersPerSecond / seqR.transfersPerSecond) + "x sequential" : "-"}${sj ? `, ${s(x.transfersPerSecond / sj.transfersPerSecond)}x ${sj.route}` : ""} (CPU per block ${s(x.cpuSeconds / x.blocks, 1)} s${seqR ? ` vs ${s(seqR.cpuSeconds / seqR.blocks, 1)} s sequential snarkjs` : ""})`).join("; ")}.`);
      out.push("");
      if (tp.nativeCli) {
        out.push(`One-shot CLI vs serve mode (block 0, 2 threads): the CLI took ${s(tp.nativeCli.cliSeconds)} s of which ${s(tp.nativeCli.cliReadZkeySeconds)} s reading and parsing the 136 MiB zkey; the serve process ${s(tp.nativeCli.serveSeconds)} s for the same witness. What the serve mode saves is the zkey read, ${s(tp.nativeCli.cliReadZkeySeconds)} s = ${s((100 * tp.nativeCli.cliReadZkeySeconds) / tp.nativeCli.serveSeconds, 0)}% of a proof at this size (the page cache holds the file), within the noise of a shared machine; it matters more for small circuits, where the read is a larger share, and the Prover keeps one serve process per zkey anyway (it costs nothing).`);
        out.push("");
      }
    }
    out.push("tx/s (wall) is what the route delivered in this run. The CPU-bound column divides the transfers by the CPU seconds the route's processes used (all threads) over the cores: the rate if the route had every core to itself and kept them busy. It is not distorted by other work on the machine; it is exact for a route that keeps both cores busy (parallel-2x1) and an upper bound for routes with single-threaded steps. When the load average is above 2, wall times include waiting for the CPU.");
    out.push("");
    const hist = r.throughputEarlierRuns as { date?: string; blocks: number; routes: Record<string, { transfersPerSecond: number; cpuBoundTps?: number; loadAverage1m?: number }> }[] | undefined;
    if (hist?.length) {
      out.push("Earlier runs (same routes; tx/s wall, CPU-bound tx/s in brackets, load average at the end):");
      out.push("");
      for (const h of hist) out.push(`- ${h.date ?? "earlier"}, ${h.blocks} blocks: ${Object.entries(h.routes).map(([k, v]) => `${k} ${s(v.transfersPerSecond, 3)} (${s(v.cpuBoundTps, 3)}, load ${s(v.loadAverage1m)})`).join("; ")}`);
      out.push("");
    }
    out.push(`**Result: ${s(tp.chosenTps, 3)} tx/s with route \`${tp.chosen}\` (${s(tp.speedupVsSequential)}x the plain sequential route in the same run): target ${tp.targetTps} tx/s ${tp.meetsTarget ? "MET" : "NOT met"}; ${s(tp.chosenTps / tp.baselineTps)}x the 0.45 tx/s probe baseline.**`);
  } else out.push("not measured");
  out.push("");

  out.push("## Devnet throughput (real proofs)");
  out.push("");
  const dt = r.devnetThroughput as DevnetThroughputSection | undefined;
  if (dt) {
    out.push(`\`${dt.command}\` (${dt.date}; recorded by \`npx tsx bench/devnet.ts out.json\`): ${dt.sequencers} sequencers, ${dt.provers} provers, T=${dt.T} D=${dt.D}, one L1 block every ${dt.blockTimeMs} ms, phases ${dt.phases.join("/")} L1 blocks, proving window ${dt.provingWindow} L1 blocks${dt.measuredProof ? ` (derived from one proof timed at startup: ${s(dt.measuredProof.seconds, 1)} s wall, ${s(dt.measuredProof.cpuSeconds, 1)} s CPU, ${dt.measuredProof.engine})` : ""}.`);
    out.push("");
    out.push(`**${s(dt.finalizedTransfersPerSecond, 3)} finalized transfers/s** (${s(dt.finalizedTransfersPerL1Block, 3)} per L1 block): ${dt.transfersInWindow} transfers finalized in the ${s(dt.windowSeconds, 1)} s (${dt.windowL1Blocks} L1 blocks) after the first finalized height; ${dt.finalizedHeights} heights, ${dt.txsFinalized} transfers final in all, median latency ${dt.latencyL1Blocks} L1 blocks, ${dt.reorgs} reorgs. Offered load ${dt.offered.ratePerSecond} transfers/s (${dt.offered.sent} accepted, ${dt.offered.refused} refused), peak mempool backlog ${dt.maxMempool}. 1-minute load average at the end: **${s(dt.loadAverage1m)}** on ${dt.cores} cores (other sessions share this machine).`);
    out.push("");
    out.push(`Steady state (the later half of the finalizations, without the catch-up of the heights proposed before the first one finalized): ${s(dt.laterHalf.perSecond, 3)} transfers/s, ${s(dt.laterHalf.perBlock, 3)} per L1 block (${dt.laterHalf.transfers} transfers in ${s(dt.laterHalf.seconds, 1)} s). The clock allows at most T per period: ${s(dt.T / ((dt.phases.reduce((a, b) => a + b, 0) * dt.blockTimeMs) / 1000), 3)} transfers/s with these phases; with a backlog of hundreds of transfers every block is full, so the phases, not the provers, set the pace (docs/devnet.md, "Sizing").`);
  } else out.push("not measured (run a devnet with --summary, then `npx tsx bench/devnet.ts` on the file)");
  out.push("");

  out.push("## On-chain verification gas (exact)");
  out.push("");
  const vg = r.verifyGas as VerifyGasRow[] | undefined;
  if (vg) {
    out.push(`verifyGasSingle (snarkjs Groth16Verifier_T2_D8.verifyProof, one transaction): **${n(r.verifyGasSingle as number)} gas**.`);
    out.push("");
    out.push(table(
      ["circuit", "public inputs", "snarkjs verifyProof tx gas (solc-js)", "of which calldata", "generated contract tx gas", "adapter verifyBlockProof tx gas", "adapter estimateGas"],
      vg.map((x) => [`T${x.T}_D${x.D}`, x.nPublic, n(x.verifierTxGas), n(x.verifierCalldataGas), n(x.generatedVerifierTxGas), n(x.adapterTxGas), n(x.adapterEstimateGas)]),
    ));
    out.push("");
    out.push("The solc-js column compiles snarkjs's verifier template in-process (same optimizer settings as hardhat.config.ts) for every configuration; the generated columns are the project's contracts/verifiers/ pair (exported for the CI size only). The adapter adds the copy of the dynamic input array into the fixed-size one.");
    const pp = r.verifyGasPerPublicInput as { gas: number; execGas: number } | undefined;
    if (pp) out.push(`\nCost of one more public input: ${n(pp.gas)} gas per input (${n(pp.execGas)} of it execution: an ecMul + ecAdd; the rest calldata).`);
  } else out.push("not measured");
  out.push("");

  out.push("## Batched verification gas (exact)");
  out.push("");
  const b = r.batch as BatchSection | undefined;
  if (b?.available && b.batchVerifyGas) {
    out.push("Groth16BatchLib.verifyBatch (random linear combination, one pairing check) with the block_T2_D8 key as constants; n distinct valid proofs (real proofs, re-randomized). One transaction per n.");
    out.push("");
    out.push(table(["n", "gas", "calldata gas", "gas per proof", "n x single / batch"], b.batchVerifyGas.map((x) => [x.n, n(x.gas), n(x.calldataGas), n(x.perProof), `${x.vsSingle}x`])));
    out.push("");
    out.push(`Marginal cost per proof (largest sizes): **${n(b.marginalPerProof)} gas** (${n(b.marginalExecPerProof)} without calldata). Single proof: snarkjs verifier ${n(b.snarkjsSingleGas)} gas, library verifySingle ${n(b.libSingleGas)} gas.`);
  } else out.push(`not measured${b?.note ? ` (${b.note})` : ""}`);
  out.push("");

  out.push("## L1 gas per phase (exact)");
  out.push("");
  const l1 = r.l1 as L1Section | undefined;
  if (l1?.available && l1.l1GasPerPhase) {
    out.push(`One height, three competing sequencers, Rollup with the generated verifier (${l1.verifier}) and a real Groth16 proof of a real T=2 block. Median over the sequencers where several sent the transaction; every sample listed.`);
    out.push("");
    out.push(table(["phase", "gas", "samples"], Object.entries(l1.l1GasPerPhase).map(([k, v]) => [k, n(v), (l1.detail?.[k] ?? []).map(n).join(", ")])));
    out.push("");
    out.push("recordRandomness: a height's seed, sent when no commit of the previous height recorded it; the first propose sample is the first proposal of the height, the first commitProver sample the first (leading) commit, which also records the next height's seed; claim samples: the winning sequencer, then the proof submitter.");
    const base = r.l1GasBaseline as { label: string; values: Record<string, number>; why: Record<string, string> } | undefined;
    if (base) {
      out.push("");
      out.push(`### Gas per phase before and after (before = ${base.label})`);
      out.push("");
      out.push(table(["phase", "before", "now", "delta", "why"], Object.entries(l1.l1GasPerPhase).map(([k, v]) => {
        const before = base.values[k];
        return [k, before === undefined ? "-" : n(before), n(v), before === undefined ? "new" : `${v - before >= 0 ? "+" : ""}${n(v - before)}`, base.why[k] ?? ""];
      })));
    }
  } else out.push(`not measured${l1?.note ? ` (${l1.note})` : ""}`);
  out.push("");

  renderL1GasPerHeight(r, out);

  out.push("## Contract sizes (exact)");
  out.push("");
  const sizes = r.contractSizes as { name: string; source: string; bytes: number; headroom: number; links: string[] }[] | undefined;
  if (sizes?.length) {
    out.push("Deployed bytecode against EIP-170's 24,576-byte limit (production contracts and linked libraries; mocks excluded). Libraries with external functions are deployed once and linked; the Rollup calls them with DELEGATECALL.");
    out.push("");
    out.push(table(["contract", "bytes", "under the limit", "links"], sizes.map((c) => [`${c.name} (${c.source.replace(/^project\//, "")})`, n(c.bytes), `${(c.headroom * 100).toFixed(1)}%`, c.links.join(", ") || "-"])));
  } else out.push("not measured");
  out.push("");

  const others = Object.keys(r).filter((k) => !KNOWN.has(k));
  if (others.length) {
    out.push("## Other keys in report.json");
    out.push("");
    out.push(`Written by other tools (kept as they are): ${others.map((k) => `\`${k}\``).join(", ")}.`);
    out.push("");
  }
  return out.join("\n");
}
