/**
 * The devnet's phase lengths and proving window, derived from the measured proving time of the circuit size it runs
 * (issue 12): a block of T transfers at depth D takes seconds to prove on this machine, and the protocol's settings
 * should let the provers, not the clock, set the pace.
 *
 * The measurement: one real proof of a sample block at startup (`timeOneProof`, the engine the agents use), or the
 * benchmark's figure for that size (`benchProvingTime`, bench/report.json's `circuits` rows) when asked.
 *
 * The derivation (`deriveTiming`), with the proof's wall time P and CPU time C on `cores` cores and M provers:
 *  - a proof under load: all M provers may prove at once and share the cores, and the node and the agents take
 *    their share: P_load = max(P, M x C / cores) x LOAD_FACTOR;
 *  - the proving window must hold such a proof with a margin: ceil(WINDOW_MARGIN x P_load / blockTime) L1 blocks
 *    (at least MIN_PROVING_WINDOW), plus (proofBatchSize - 1) periods: a height's proof waits for the next
 *    heights' proofs to join its batch (issue 13: batches of 4 cost about half as much per height as lone proofs),
 *    and a window that cannot hold the batch sends proofs alone. The price: a withheld proof is noticed later;
 *  - a height every period (proposal + reveal + commit) is sustainable when the provers together prove one per
 *    period: period >= max(P / M, C / cores) x LOAD_FACTOR seconds. The proposal phase keeps MIN_PROPOSAL_BLOCKS
 *    (the threshold policy's claims land before the last block), the reveal phase MIN_PHASE_BLOCKS (room for every
 *    sequencer's transaction); the commit phase takes the rest, and at least the
 *    quote round of the prover market (AGENT_DEFAULTS.quoteTimeoutMs) plus one block for the commit transaction.
 */
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { AGENT_DEFAULTS, DEVNET_SIZING, ROLLUP_DEFAULTS } from "../defaults.js";

/** One proof's cost on this machine. */
export interface ProvingMeasure {
  T: number;
  D: number;
  /** Wall seconds of one proof (witness + Groth16) on an otherwise idle machine. */
  seconds: number;
  /** CPU seconds of that proof (all threads); equal to `seconds` when unknown. */
  cpuSeconds: number;
  engine: string;
  /** Where the figure comes from (a proof timed at startup, the bench report, or a Cooperative load built on one). */
  source: string;
}

export interface TimingInput {
  proof: ProvingMeasure;
  blockTimeMs: number;
  /** Provers of the network (0: the sequencers prove their own blocks, one proof at a time each). */
  provers: number;
  /** Cores of the machine (default: availableParallelism()). */
  cores?: number;
  /** Given by the user: kept as is (all three phases). */
  phaseBlocks?: number;
  /** Given by the user: kept as is. */
  provingWindow?: number;
  /** The sequencers' quote round, ms (default AGENT_DEFAULTS.quoteTimeoutMs). */
  quoteTimeoutMs?: number;
  /** Heights a prover batches into one submitBatch (default AGENT_DEFAULTS.proofBatchSize): the window holds them. */
  proofBatchSize?: number;
}

export interface DerivedTiming {
  proposalBlocks: number;
  revealBlocks: number;
  commitBlocks: number;
  provingWindow: number;
  /** Seconds of one proof when every prover proves at once (the window's basis). */
  loadedProofSeconds: number;
  /** Seconds per height the provers can sustain together (the period's basis). */
  provingSecondsPerHeight: number;
  /** Transfers per second the chain's clock allows: T per period (the provers may allow less). */
  clockCapacityTps: number;
  /** Which values were derived (the others were given). */
  derived: { phases: boolean; provingWindow: boolean };
}

/** Phase lengths and proving window: the given ones kept, the others derived from the proof's cost (see the file comment). */
export function deriveTiming(i: TimingInput): DerivedTiming {
  const { LOAD_FACTOR, WINDOW_MARGIN, MIN_PROVING_WINDOW, MIN_PHASE_BLOCKS, MIN_PROPOSAL_BLOCKS } = DEVNET_SIZING;
  const cores = Math.max(1, i.cores ?? availableParallelism());
  const bt = i.blockTimeMs / 1000;
  const P = i.proof.seconds;
  const C = Math.max(i.proof.cpuSeconds, P);
  const M = Math.max(1, i.provers);
  const loadedProofSeconds = Math.max(P, (Math.min(M, cores) * C) / cores) * LOAD_FACTOR;
  const provingSecondsPerHeight = Math.max(P / M, C / cores) * LOAD_FACTOR;
  let proposalBlocks: number, revealBlocks: number, commitBlocks: number;
  if (i.phaseBlocks !== undefined) {
    proposalBlocks = revealBlocks = commitBlocks = i.phaseBlocks;
  } else {
    // The commit phase holds the quote round (up to quoteTimeoutMs) and then the commit transaction's block.
    const minCommit = Math.max(MIN_PHASE_BLOCKS, Math.ceil((i.quoteTimeoutMs ?? AGENT_DEFAULTS.quoteTimeoutMs) / i.blockTimeMs) + 1);
    const period = Math.max(MIN_PROPOSAL_BLOCKS + MIN_PHASE_BLOCKS + minCommit, Math.ceil(provingSecondsPerHeight / bt));
    proposalBlocks = MIN_PROPOSAL_BLOCKS;
    revealBlocks = MIN_PHASE_BLOCKS;
    commitBlocks = period - MIN_PROPOSAL_BLOCKS - MIN_PHASE_BLOCKS;
  }
  const batch = Math.max(1, i.proofBatchSize ?? AGENT_DEFAULTS.proofBatchSize);
  const provingWindow = i.provingWindow
    ?? Math.max(MIN_PROVING_WINDOW, Math.ceil((WINDOW_MARGIN * loadedProofSeconds) / bt)) + (batch - 1) * (proposalBlocks + revealBlocks + commitBlocks);
  const periodSeconds = (proposalBlocks + revealBlocks + commitBlocks) * bt;
  return {
    proposalBlocks, revealBlocks, commitBlocks, provingWindow,
    loadedProofSeconds: round2(loadedProofSeconds), provingSecondsPerHeight: round2(provingSecondsPerHeight),
    clockCapacityTps: round2(i.proof.T / periodSeconds),
    derived: { phases: i.phaseBlocks === undefined, provingWindow: i.provingWindow === undefined },
  };
}

/**
 * The Rollup's maxPendingHeights for proofs in batches of `batch`: the first height of a batch stays pending while the
 * other batch - 1 are made and proven, so the pending chain grows to about batch + 3 heights; at or below the limit a
 * height would find the chain full (`Rollup__PendingChainFull`) and stay empty. batch + 16, at least the Rollup's
 * default (32) and at most what ConfigLib allows (64).
 */
export function pendingHeightsFor(batch: number): number {
  return Math.min(64, Math.max(Number(ROLLUP_DEFAULTS.maxPendingHeights), batch + 16));
}

/** Native prover threads of each of `provers` provers sharing `cores` cores (one proof each at a time). */
export function proverThreads(provers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, provers)));
}

/** One line for the startup output: what was measured and what follows from it. */
export function describeTiming(m: ProvingMeasure, t: DerivedTiming, blockTimeMs: number): string {
  const how = (d: boolean) => (d ? "derived" : "given");
  return (
    `one T=${m.T} D=${m.D} proof: ${m.seconds.toFixed(1)} s wall, ${m.cpuSeconds.toFixed(1)} s CPU (${m.engine}, ${m.source}); ` +
    `phases ${t.proposalBlocks}/${t.revealBlocks}/${t.commitBlocks} L1 blocks (${how(t.derived.phases)}: a height every ` +
    `${(((t.proposalBlocks + t.revealBlocks + t.commitBlocks) * blockTimeMs) / 1000).toFixed(0)} s, at most ${t.clockCapacityTps} transfers/s; ` +
    `the provers sustain one per ${t.provingSecondsPerHeight} s), proving window ${t.provingWindow} L1 blocks (${how(t.derived.provingWindow)}: ` +
    `a proof under load ~${t.loadedProofSeconds} s)`
  );
}

/** The benchmark's native (else snarkjs) proving time for (T, D), if bench/report.json has that size. */
export function benchProvingTime(T: number, D: number, reportPath: string): ProvingMeasure | undefined {
  if (!existsSync(reportPath)) return undefined;
  let rows: unknown;
  try {
    rows = (JSON.parse(readFileSync(reportPath, "utf8")) as { circuits?: unknown }).circuits;
  } catch {
    return undefined;
  }
  if (!Array.isArray(rows)) return undefined;
  const r = rows.find((x: Record<string, unknown>) => x && x.T === T && x.D === D) as Record<string, number | undefined> | undefined;
  if (!r) return undefined;
  const witness = r.witnessSeconds ?? 0;
  if (typeof r.nativeProveSeconds === "number") {
    return { T, D, seconds: round2(witness + r.nativeProveSeconds), cpuSeconds: round2(witness + (r.nativeCpuSeconds ?? r.nativeProveSeconds)), engine: "native", source: "bench/report.json" };
  }
  if (typeof r.proveSeconds === "number") {
    return { T, D, seconds: round2(witness + r.proveSeconds), cpuSeconds: round2(r.cpuSeconds ?? witness + r.proveSeconds), engine: "snarkjs", source: "bench/report.json" };
  }
  return undefined;
}

/**
 * Times one proof of a sample block of (T, D) with the engine the agents use (native when it builds). The first
 * proof of a process also reads the zkey: a slight overestimate, on the safe side.
 */
export async function timeOneProof(T: number, D: number, paths: { wasmPath: string; zkeyPath: string }, threads?: number): Promise<ProvingMeasure> {
  const { sampleBlock } = await import("../l2/sample.js");
  const { block } = await sampleBlock(T, D);
  return timeProof(block.circuitInput as unknown as Record<string, unknown>, T, D, paths, threads, "startup proof");
}

/**
 * Times one proof of the unit circuit Unit(S, D) (the Cooperative design) at startup: a sample block of S slots split
 * into one unit. `T` of the result is S.
 */
export async function timeOneUnitProof(S: number, D: number, paths: { wasmPath: string; zkeyPath: string }, threads?: number): Promise<ProvingMeasure> {
  const { sampleBlock } = await import("../l2/sample.js");
  const { splitBlock, unitWithPayee } = await import("../l2/units.js");
  const { block } = await sampleBlock(S, D);
  const input = unitWithPayee(splitBlock(block, 1).units[0]!, 1n, 0n).circuitInput;
  return timeProof(input as unknown as Record<string, unknown>, S, D, paths, threads, "startup unit proof");
}

/** One proof of `input` with a fresh prover: wall and CPU seconds (witness included). */
async function timeProof(
  input: Record<string, unknown>, T: number, D: number, paths: { wasmPath: string; zkeyPath: string }, threads: number | undefined, source: string,
): Promise<ProvingMeasure> {
  const { Prover } = await import("../zk/prover.js");
  const prover = new Prover("process", { threads });
  try {
    const r = await prover.prove({ wasmPath: paths.wasmPath, zkeyPath: paths.zkeyPath, input });
    const seconds = r.witnessSeconds + r.proveSeconds;
    const cpu = r.nativeTimings?.cpu !== undefined ? r.witnessSeconds + r.nativeTimings.cpu : seconds;
    return { T, D, seconds: round2(seconds), cpuSeconds: round2(cpu), engine: r.engine + (threads ? `, ${threads} thread${threads > 1 ? "s" : ""}` : ""), source };
  } finally {
    await prover.close();
  }
}

/**
 * The Cooperative design's proving load as one "proof" for deriveTiming (with provers = 1): every prover may prove
 * every one of the K units of a height (each is paid per unit), so a height costs K unit proofs of wall time per
 * prover and M x K of CPU over the machine. `T` is the block's.
 */
export function cooperativeLoad(unit: ProvingMeasure, T: number, K: number, M: number): ProvingMeasure {
  return { ...unit, T, seconds: round2(K * unit.seconds), cpuSeconds: round2(Math.max(1, M) * K * unit.cpuSeconds), source: `${unit.source} x ${K} units x ${Math.max(1, M)} provers` };
}

/** bench/report.json of the project at `root`. */
export function benchReportPath(root: string): string {
  return join(root, "bench", "report.json");
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
