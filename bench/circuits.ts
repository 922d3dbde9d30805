/**
 * Circuit benchmarks: constraints, setup, witness and proving time per configuration with both engines (snarkjs and
 * the native prover, side by side, each with the split of proving time into FFTs and MSMs), sustained proving throughput over consecutive blocks by several routes, and the dev
 * ptau against snarkjs's own `powersoftau prepare phase2` at a small power.
 */
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { cpus, loadavg } from "node:os";
import { buildCircuit } from "../src/zk/build.js";
import { compileCircuit } from "../src/zk/compile.js";
import { setupCircuit, type SetupResult } from "../src/zk/setup.js";
import { artifactsFor, type CircuitArtifacts } from "../src/zk/artifacts.js";
import { verifyOffchain } from "../src/zk/prover.js";
import { toContractProof } from "../src/zk/proof.js";
import { loadSnarkjs } from "../src/zk/libs.js";
import { writeDevPtau } from "../src/zk/devPtau.js";
import { initL2 } from "../src/l2/crypto.js";
import { DEV_DOMAIN, devGenesis, sampleBlock, sampleTransfers } from "../src/l2/sample.js";
import { stateFromGenesis } from "../src/l2/state.js";
import { executeBlock, type BlockResult } from "../src/l2/block.js";
import { BenchProver, NativeBenchProver, type BenchReply, type NativeBenchReply, type ProvePhases } from "./prover.js";
import { proveNative } from "../src/zk/native.js";
import type { SnarkjsProof } from "../src/zk/libs.js";

export type Log = (msg: string) => void;

/** A real proof of a sample block, kept for the gas sections. */
export interface ProvedSample {
  T: number;
  D: number;
  build: BuildResult;
  block: BlockResult;
  /** uint256[8] as the contracts take it. */
  proof: bigint[];
  publicInputs: bigint[];
}

/** What the benchmark needs of a built circuit. */
export interface BuildResult {
  artifacts: CircuitArtifacts;
  r1csPath: string;
  wasmPath: string;
  /** Seconds of the compile that produced the cached build (build/circuits/<T_D>/meta.json), or of this run. */
  compileSeconds: number;
  compileCached: boolean;
  setup: SetupResult;
  /** True when the verifier contracts were (re)exported into contracts/verifiers/. */
  exported: boolean;
}

const samples = new Map<string, Promise<ProvedSample>>();
const builds = new Map<string, Promise<BuildResult>>();

/** Configurations whose generated verifier belongs in contracts/verifiers/ (the CI size): the full build pipeline. */
const EXPORTED = new Set(["2/8"]);

/**
 * Compile + dev setup (cached). Only the CI size goes through buildCircuit (which also exports the verifier into
 * contracts/); other sizes stop after the setup so that the benchmark does not add contracts to the project. The
 * gas section compiles their verifier in-process instead (bench/chain.ts).
 */
export function build(T: number, D: number, log: Log): Promise<BuildResult> {
  const key = `${T}/${D}`;
  let b = builds.get(key);
  if (!b) {
    const onProgress = (m: string) => log(`    ${m}`);
    b = (async (): Promise<BuildResult> => {
      const artifacts = artifactsFor({ T, D });
      if (EXPORTED.has(key)) {
        const r = await buildCircuit({ T, D, onProgress });
        return { artifacts, r1csPath: r.r1csPath, wasmPath: r.wasmPath, compileSeconds: await recordedCompileSeconds(r.r1csPath, r.compileSeconds), compileCached: r.compileCached ?? false, setup: r.setup, exported: true };
      }
      const t = performance.now();
      const c = await compileCircuit({ T, D, onProgress });
      const seconds = (performance.now() - t) / 1000;
      const setup = await setupCircuit({ r1csPath: c.r1csPath, name: artifacts.name, onProgress });
      return { artifacts, r1csPath: c.r1csPath, wasmPath: c.wasmPath, compileSeconds: await recordedCompileSeconds(c.r1csPath, seconds), compileCached: c.cached, setup, exported: false };
    })();
    builds.set(key, b);
  }
  return b;
}

async function recordedCompileSeconds(r1csPath: string, fallback: number): Promise<number> {
  const meta = join(dirname(r1csPath), "meta.json");
  if (!existsSync(meta)) return fallback;
  try {
    const m = JSON.parse(await readFile(meta, "utf8")) as { compileSeconds?: number };
    return typeof m.compileSeconds === "number" ? m.compileSeconds : fallback;
  } catch {
    return fallback;
  }
}

function checkProof(r: { publicSignals?: string[] }, block: BlockResult, what: string): void {
  const sig = (r.publicSignals ?? []).map((s) => BigInt(s));
  if (sig.length !== block.publicInputs.length || sig.some((s, i) => s !== block.publicInputs[i])) {
    throw new Error(`${what}: the circuit's public signals differ from the TypeScript public inputs`);
  }
}

/** Proves the sample block of (T, D) once (memoised): the gas sections use it when the circuits section did not run. */
export function provedSample(T: number, D: number, log: Log, made?: ProvedSample): Promise<ProvedSample> {
  const key = `${T}/${D}`;
  if (made) samples.set(key, Promise.resolve(made));
  let s = samples.get(key);
  if (!s) {
    s = (async () => {
      const b = await build(T, D, log);
      const { block } = await sampleBlock(T, D);
      const p = new BenchProver();
      try {
        log(`  proving a sample block T=${T} D=${D}`);
        const r = await p.full(b.wasmPath, b.setup.zkeyPath, block.circuitInput);
        checkProof(r, block, `T=${T} D=${D}`);
        return { T, D, build: b, block, proof: toContractProof(r.proof!), publicInputs: block.publicInputs };
      } finally {
        await p.close();
      }
    })();
    samples.set(key, s);
  }
  return s;
}

export interface CircuitRow {
  T: number;
  D: number;
  constraints: number;
  constraintsPerTransfer: number;
  nPublic: number;
  power: number;
  witnessSeconds: number;
  proveSeconds: number;
  /** Proven transfers per second of one block proved alone: T / (witness + prove). */
  provenTransfersPerSecond: number;
  /** All samples (the reported numbers are the fastest run: the machine is shared and noisy). */
  runs: { witnessSeconds: number; proveSeconds: number; cpuSeconds: number }[];
  /** CPU seconds (all threads) of the fastest run's witness + proof: robust to other work on the machine. */
  cpuSeconds: number;
  /** Where the proving time goes (fastest run), seconds. */
  provePhases: ProvePhases;
  /**
   * The same block proved by the native prover (what src/zk/prover.ts uses by default), in the same run after the
   * snarkjs runs: a `--serve` process with `nativeThreads` threads that parsed the zkey before the clock, the witness
   * by the circom wasm in its own process. Seconds of the fastest run (witness + prove); absent in rows measured
   * before the native prover existed.
   */
  nativeProveSeconds?: number;
  nativeThreads?: number;
  /** proveSeconds / nativeProveSeconds (snarkjs over native, the proof alone, same block, same run). */
  nativeSpeedup?: number;
  /** T / (witness + native prove) of the fastest native run. */
  nativeProvenTransfersPerSecond?: number;
  /** CPU seconds (all threads) of the fastest native run's witness + proof. */
  nativeCpuSeconds?: number;
  /** Every native run's witness and prove seconds. */
  nativeRuns?: { witnessSeconds: number; proveSeconds: number; cpuSeconds: number }[];
  /** Fastest native run, per phase as the native prover timed it (witness = circom wasm; msm = the 5 MSMs), seconds. */
  nativePhases?: Record<string, number>;
  /** Seconds the serve process took to read and parse the zkey (once, before the clock). */
  nativeReadZkeySeconds?: number;
  /** Native proofs checked with snarkjs.groth16.verify (after the clock) / native runs. */
  nativeVerifiedProofs?: number;
  compileSeconds: number;
  compileCached: boolean;
  setup: {
    mode: string;
    cached: boolean;
    seconds: { ptau: number; zkeyNew: number; beacon: number; total: number };
    zkeyBytes: number;
    ptauBytes: number;
    /** Size of a prepared ptau of this power in snarkjs's layout (what a ceremony file for it weighs): 1152 x 2^power - 64 bytes. */
    ptauBytesAtPower: number;
    wasmBytes: number;
  };
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchCircuits(configs: { T: number; D: number }[], reps: number, log: Log): Promise<CircuitRow[]> {
  const rows: CircuitRow[] = [];
  for (const { T, D } of configs) {
    log(`circuit T=${T} D=${D}: build (compile + dev setup; cached when unchanged)`);
    const b = await build(T, D, log);
    const { block } = await sampleBlock(T, D);
    const p = new BenchProver();
    const runs: { witnessSeconds: number; proveSeconds: number; phases: ProvePhases; cpuSeconds: number }[] = [];
    let last: BenchReply | undefined;
    try {
      await p.warm(b.setup.zkeyPath);
      for (let i = 0; i < reps; i++) {
        const r = await p.full(b.wasmPath, b.setup.zkeyPath, block.circuitInput, true);
        checkProof(r, block, `T=${T} D=${D}`);
        runs.push({ witnessSeconds: r.witnessSeconds!, proveSeconds: r.proveSeconds!, phases: r.phases!, cpuSeconds: r.cpuSeconds ?? NaN });
        log(`  run ${i + 1}/${reps}: witness ${r.witnessSeconds!.toFixed(2)} s, prove ${r.proveSeconds!.toFixed(2)} s (fft ${r.phases!.fft.toFixed(2)}, msm ${r.phases!.msm.toFixed(2)})`);
        last = r;
      }
    } finally {
      await p.close();
    }
    if (!(await verifyOffchain(b.setup.vkey, last!.proof!, last!.publicSignals!))) throw new Error(`T=${T} D=${D}: snarkjs rejected the proof`);
    provedSample(T, D, log, { T, D, build: b, block, proof: toContractProof(last!.proof!), publicInputs: block.publicInputs });
    const best = runs.reduce((a, r) => (r.witnessSeconds + r.proveSeconds < a.witnessSeconds + a.proveSeconds ? r : a));
    const nat = await nativeCircuitRuns(b, block, reps, log);
    const nBest = nat.runs.reduce((a, r) => (r.reply.witnessSeconds + r.reply.proveSeconds < a.reply.witnessSeconds + a.reply.proveSeconds ? r : a));
    log(`  T=${T} D=${D}: prove snarkjs ${best.proveSeconds.toFixed(2)} s, native ${nBest.reply.proveSeconds.toFixed(2)} s (${nat.threads} threads): ${(best.proveSeconds / nBest.reply.proveSeconds).toFixed(2)}x`);
    const wasmBytes = (await stat(b.wasmPath)).size;
    const phases = Object.fromEntries(Object.entries(best.phases).map(([k, v]) => [k, round(v)])) as unknown as ProvePhases;
    rows.push({
      T,
      D,
      constraints: b.setup.nConstraints,
      constraintsPerTransfer: Math.round(b.setup.nConstraints / T),
      nPublic: b.setup.nPublic,
      power: b.setup.power,
      witnessSeconds: round(best.witnessSeconds),
      proveSeconds: round(best.proveSeconds),
      provenTransfersPerSecond: round(T / (best.witnessSeconds + best.proveSeconds)),
      runs: runs.map((r) => ({ witnessSeconds: round(r.witnessSeconds), proveSeconds: round(r.proveSeconds), cpuSeconds: round(r.cpuSeconds, 2) })),
      cpuSeconds: round(best.cpuSeconds, 2),
      provePhases: phases,
      nativeProveSeconds: round(nBest.reply.proveSeconds),
      nativeThreads: nat.threads,
      nativeSpeedup: round(best.proveSeconds / nBest.reply.proveSeconds, 2),
      nativeProvenTransfersPerSecond: round(T / (nBest.reply.witnessSeconds + nBest.reply.proveSeconds)),
      nativeCpuSeconds: round(nBest.cpuSeconds, 2),
      nativeRuns: nat.runs.map((r) => ({ witnessSeconds: round(r.reply.witnessSeconds), proveSeconds: round(r.reply.proveSeconds), cpuSeconds: round(r.cpuSeconds, 2) })),
      nativePhases: meanNativePhases([nBest.reply]),
      nativeReadZkeySeconds: round(nat.readZkeySeconds),
      nativeVerifiedProofs: nat.verified,
      compileSeconds: round(b.compileSeconds, 1),
      compileCached: b.compileCached,
      setup: {
        mode: b.setup.mode,
        cached: b.setup.cached,
        seconds: {
          ptau: round(b.setup.seconds.ptau, 1),
          zkeyNew: round(b.setup.seconds.zkeyNew, 1),
          beacon: round(b.setup.seconds.beacon, 1),
          total: round(b.setup.seconds.total, 1),
        },
        zkeyBytes: b.setup.zkeyBytes,
        ptauBytes: b.setup.ptauBytes,
        // Measured on the dev ptau files of 2^15..2^17 (same layout as snarkjs's prepared ptau).
        ptauBytesAtPower: 1152 * 2 ** b.setup.power - 64,
        wasmBytes,
      },
    });
  }
  return rows;
}

/**
 * The circuit's sample block proved `reps` times by the native prover as the project runs it by default
 * (src/zk/prover.ts: witness by the circom wasm, then a `--serve` process with one thread per core), zkey parsed
 * before the clock. Every proof's public signals are checked against the TypeScript ones, and every proof with
 * snarkjs.groth16.verify after its run.
 */
async function nativeCircuitRuns(b: BuildResult, block: BlockResult, reps: number, log: Log): Promise<{ threads: number; readZkeySeconds: number; verified: number; runs: { reply: NativeBenchReply; cpuSeconds: number }[] }> {
  const threads = cpus().length;
  const p = new NativeBenchProver(b.setup.zkeyPath, threads);
  const runs: { reply: NativeBenchReply; cpuSeconds: number }[] = [];
  let verified = 0;
  try {
    const readZkeySeconds = await p.warm();
    for (let i = 0; i < reps; i++) {
      const c0 = p.cpuSeconds;
      const r = await p.full(b.wasmPath, block.circuitInput);
      const cpuSeconds = p.cpuSeconds - c0;
      checkProof(r, block, `native ${b.artifacts.name}`);
      log(`  native run ${i + 1}/${reps} (${threads} threads): witness ${r.witnessSeconds.toFixed(2)} s, prove ${r.proveSeconds.toFixed(2)} s (fft ${r.timings.fft.toFixed(2)}, msm ${(r.timings.msmA + r.timings.msmB1 + r.timings.msmB2 + r.timings.msmC + r.timings.msmH).toFixed(2)})`);
      runs.push({ reply: r, cpuSeconds });
    }
    for (const { reply } of runs) {
      if (!(await verifyOffchain(b.setup.vkey, reply.proof, reply.publicSignals))) throw new Error(`${b.artifacts.name}: snarkjs rejected the native proof`);
      verified++;
    }
    return { threads, readZkeySeconds, verified, runs };
  } finally {
    await p.close();
  }
}

// ------------------------------------------------------------------ throughput

export interface RouteResult {
  route: string;
  description: string;
  blocks: number;
  transfers: number;
  wallSeconds: number;
  transfersPerSecond: number;
  /** Per block: seconds from the start of the run until its proof was ready. */
  doneAt: number[];
  /** CPU seconds of all the route's processes (all threads), zkey loading excluded. */
  cpuSeconds: number;
  /**
   * transfers / (cpuSeconds / cores): the rate if the route had every core to itself and kept them all busy. Not
   * affected by other work on the machine; exact for a route that keeps every core busy (parallel-2x1), an upper
   * bound for the others (snarkjs leaves a core idle in its single-threaded steps).
   */
  cpuBoundTps: number;
  /** 1-minute load average when the route finished. */
  loadAverage1m: number;
  /** "snarkjs" or "native" (the proof; the witness is always the circom wasm via snarkjs). */
  engine?: string;
  /** Native routes: proofs checked with snarkjs.groth16.verify after the clock stopped (all of them). */
  verifiedProofs?: number;
  /** Native routes: mean seconds per block of each phase (witness = circom wasm; the rest the native prover's). */
  nativePhases?: Record<string, number>;
  /** Native routes: seconds to read and parse the zkey when the prover process starts (once, before the clock). */
  readZkeySeconds?: number;
}

export interface ThroughputReport {
  T: number;
  D: number;
  blocks: number;
  targetTps: number;
  baselineTps: number;
  routes: RouteResult[];
  chosen: string;
  chosenTps: number;
  /** chosen / sequential, same run. */
  speedupVsSequential: number;
  meetsTarget: boolean;
  /** The fastest snarkjs route of the run and chosen / it. */
  bestSnarkjsRoute?: string;
  speedupVsBestSnarkjs?: number;
  /** Native prover: one-shot CLI (parses the zkey every proof) vs the serve mode, same witness, seconds. */
  nativeCli?: { cliSeconds: number; serveSeconds: number; readZkeySeconds: number; cliReadZkeySeconds: number };
}

/** `n` consecutive blocks of T transfers each (block k+1 starts from block k's state). */
async function consecutiveBlocks(T: number, D: number, n: number): Promise<BlockResult[]> {
  await initL2();
  const accounts = Math.min(2 ** D - 1, 16);
  let state = stateFromGenesis(devGenesis(accounts, 1_000_000_000n), D);
  const out: BlockResult[] = [];
  for (let k = 0; k < n; k++) {
    const block = executeBlock(state, sampleTransfers(state, accounts, T), T, DEV_DOMAIN);
    out.push(block);
    state = block.state;
  }
  return out;
}

type RouteRun = { done: number[]; cpuSeconds: number; native?: { replies: NativeBenchReply[]; readZkeySeconds: number } };
type Route = { name: string; description: string; run: (b: BuildResult, blocks: BlockResult[]) => Promise<RouteRun> };

const ROUTES: Route[] = [
  {
    name: "sequential",
    description: "one prover process, snarkjs thread pool (2 threads): witness then proof, block after block (the plain route)",
    run: async (b, blocks) => {
      const p = new BenchProver(false);
      try {
        await p.warm(b.setup.zkeyPath);
        const c0 = p.cpuSeconds;
        const t0 = performance.now();
        const done: number[] = [];
        for (const blk of blocks) {
          const r = await p.full(b.wasmPath, b.setup.zkeyPath, blk.circuitInput);
          checkProof(r, blk, "sequential");
          done.push((performance.now() - t0) / 1000);
        }
        return { done, cpuSeconds: p.cpuSeconds - c0 };
      } finally {
        await p.close();
      }
    },
  },
  {
    name: "pipelined",
    description: "witness of block k+1 (separate process) overlapped with the proof of block k (2 threads)",
    run: async (b, blocks) => {
      const p = new BenchProver(false);
      const w = new BenchProver(true);
      try {
        await p.warm(b.setup.zkeyPath);
        const c0 = p.cpuSeconds;
        const t0 = performance.now();
        const done: number[] = [];
        let next = w.witness(b.wasmPath, blocks[0]!.circuitInput);
        for (let k = 0; k < blocks.length; k++) {
          const wt = await next;
          if (k + 1 < blocks.length) next = w.witness(b.wasmPath, blocks[k + 1]!.circuitInput);
          const r = await p.prove(b.setup.zkeyPath, wt.wtns!);
          checkProof(r, blocks[k]!, "pipelined");
          done.push((performance.now() - t0) / 1000);
        }
        return { done, cpuSeconds: p.cpuSeconds - c0 + w.cpuSeconds };
      } finally {
        await Promise.all([p.close(), w.close()]);
      }
    },
  },
  {
    name: "parallel-2x1",
    description: "two prover processes, single-threaded snarkjs each, one block each at a time",
    run: (b, blocks) => parallel(b, blocks, true),
  },
  {
    name: "native-2x1",
    description: "two native prover processes (1 thread each) + their witness processes, one block each at a time",
    run: (b, blocks) => nativeRoute(b, blocks, 2, 1, false),
  },
  {
    name: "native-1x2",
    description: "one native prover process with 2 threads: witness then proof, block after block",
    run: (b, blocks) => nativeRoute(b, blocks, 1, 2, false),
  },
  {
    name: "native-pipelined",
    description: "one native prover process with 2 threads; the witness of block k+1 (separate process) during the proof of block k",
    run: (b, blocks) => nativeRoute(b, blocks, 1, 2, true),
  },
  {
    name: "parallel-2x2",
    description: "two prover processes, 2-thread snarkjs each (4 threads on 2 cores), one block each at a time",
    run: (b, blocks) => parallel(b, blocks, false),
  },
];

async function nativeRoute(b: BuildResult, blocks: BlockResult[], nProvers: number, threads: number, pipelined: boolean): Promise<RouteRun> {
  const ps = Array.from({ length: nProvers }, () => new NativeBenchProver(b.setup.zkeyPath, threads));
  const cpu = () => ps.reduce((a, p) => a + p.cpuSeconds, 0);
  try {
    const reads = await Promise.all(ps.map((p) => p.warm()));
    const c0 = cpu();
    const t0 = performance.now();
    const done: number[] = new Array(blocks.length);
    const replies: NativeBenchReply[] = new Array(blocks.length);
    await Promise.all(
      ps.map(async (p, i) => {
        const mine = blocks.map((_, k) => k).filter((k) => k % ps.length === i);
        let next = pipelined && mine.length ? p.witnessFile(b.wasmPath, blocks[mine[0]!]!.circuitInput) : undefined;
        for (const [j, k] of mine.entries()) {
          let r: NativeBenchReply;
          if (pipelined) {
            const w = await next!;
            if (j + 1 < mine.length) next = p.witnessFile(b.wasmPath, blocks[mine[j + 1]!]!.circuitInput);
            r = await p.proveFile(w.wtnsPath, w.witnessSeconds);
          } else {
            r = await p.full(b.wasmPath, blocks[k]!.circuitInput);
          }
          checkProof(r, blocks[k]!, "native");
          replies[k] = r;
          done[k] = (performance.now() - t0) / 1000;
        }
      }),
    );
    return { done, cpuSeconds: cpu() - c0, native: { replies, readZkeySeconds: Math.max(...reads) } };
  } finally {
    await Promise.all(ps.map((p) => p.close()));
  }
}

/** Mean per-block seconds of each native phase (and the witness). */
function meanNativePhases(replies: NativeBenchReply[]): Record<string, number> {
  const sum: Record<string, number> = { witness: 0 };
  for (const r of replies) {
    sum.witness! += r.witnessSeconds;
    for (const [k, v] of Object.entries(r.timings as unknown as Record<string, number>)) sum[k] = (sum[k] ?? 0) + v;
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(sum)) out[k === "cpu" ? "cpuSeconds" : k] = round(v / replies.length, 3);
  out.msm = round(["msmA", "msmB1", "msmB2", "msmC", "msmH"].reduce((a, k) => a + (out[k] ?? 0), 0), 3);
  return out;
}

async function parallel(b: BuildResult, blocks: BlockResult[], singleThread: boolean): Promise<RouteRun> {
  const ps = [new BenchProver(singleThread), new BenchProver(singleThread)];
  const cpu = () => ps.reduce((a, p) => a + p.cpuSeconds, 0);
  try {
    await Promise.all(ps.map((p) => p.warm(b.setup.zkeyPath)));
    const c0 = cpu();
    const t0 = performance.now();
    const done: number[] = new Array(blocks.length);
    await Promise.all(
      ps.map(async (p, i) => {
        for (let k = i; k < blocks.length; k += ps.length) {
          const r = await p.full(b.wasmPath, b.setup.zkeyPath, blocks[k]!.circuitInput);
          checkProof(r, blocks[k]!, "parallel");
          done[k] = (performance.now() - t0) / 1000;
        }
      }),
    );
    return { done, cpuSeconds: cpu() - c0 };
  } finally {
    await Promise.all(ps.map((p) => p.close()));
  }
}

export async function benchThroughput(opts: { T: number; D: number; blocks: number; routes?: string[]; log: Log }): Promise<ThroughputReport> {
  const { T, D, log } = opts;
  const b = await build(T, D, log);
  const blocks = await consecutiveBlocks(T, D, opts.blocks);
  const routes: RouteResult[] = [];
  for (const r of ROUTES.filter((r) => !opts.routes || opts.routes.includes(r.name))) {
    log(`throughput T=${T} D=${D}: route ${r.name} over ${blocks.length} consecutive blocks`);
    const { done, cpuSeconds, native } = await r.run(b, blocks);
    const wall = Math.max(...done);
    let verifiedProofs: number | undefined;
    if (native) {
      // Every native proof is checked by snarkjs (after the clock: verification is not part of proving).
      verifiedProofs = 0;
      for (const [k, rep] of native.replies.entries()) {
        if (!(await verifyOffchain(b.setup.vkey, rep.proof as SnarkjsProof, rep.publicSignals))) throw new Error(`${r.name}: snarkjs rejected the native proof of block ${k}`);
        verifiedProofs++;
      }
    }
    const tps = (T * blocks.length) / wall;
    const cpuBoundTps = (T * blocks.length) / (cpuSeconds / cpus().length);
    log(`  ${r.name}: ${wall.toFixed(1)} s for ${T * blocks.length} transfers = ${tps.toFixed(3)} tx/s (CPU ${cpuSeconds.toFixed(1)} s: ${cpuBoundTps.toFixed(3)} tx/s at full use of ${cpus().length} cores; load ${loadavg()[0]!.toFixed(2)})`);
    routes.push({
      route: r.name,
      description: r.description,
      blocks: blocks.length,
      transfers: T * blocks.length,
      wallSeconds: round(wall, 2),
      transfersPerSecond: round(tps),
      doneAt: done.map((x) => round(x, 2)),
      cpuSeconds: round(cpuSeconds, 2),
      cpuBoundTps: round(cpuBoundTps),
      loadAverage1m: round(loadavg()[0]!, 2),
      engine: native ? "native" : "snarkjs",
      ...(native ? { verifiedProofs, nativePhases: meanNativePhases(native.replies), readZkeySeconds: round(native.readZkeySeconds, 3) } : {}),
    });
  }
  const seq = routes.find((r) => r.route === "sequential");
  const best = routes.reduce((a, r) => (r.transfersPerSecond > a.transfersPerSecond ? r : a));
  // The native prover as a one-shot CLI (reads and parses the zkey for every proof) against its serve mode.
  let nativeCli: ThroughputReport["nativeCli"];
  if (routes.some((r) => r.engine === "native")) {
    log(`throughput T=${T} D=${D}: native CLI (zkey read per proof) vs serve mode, block 0, 2 threads`);
    const p = new NativeBenchProver(b.setup.zkeyPath, 2);
    try {
      const readZkeySeconds = await p.warm();
      const w1 = await p.witnessFile(b.wasmPath, blocks[0]!.circuitInput);
      let t = performance.now();
      const cli = await proveNative({ zkeyPath: b.setup.zkeyPath, wtnsPath: w1.wtnsPath, threads: 2 });
      const cliSeconds = (performance.now() - t) / 1000;
      checkProof(cli, blocks[0]!, "native CLI");
      t = performance.now();
      const served = await p.proveFile(w1.wtnsPath);
      const serveSeconds = (performance.now() - t) / 1000;
      checkProof(served, blocks[0]!, "native serve");
      nativeCli = { cliSeconds: round(cliSeconds), serveSeconds: round(serveSeconds), readZkeySeconds: round(readZkeySeconds), cliReadZkeySeconds: round(cli.timings.readZkey ?? NaN) };
      log(`  native CLI ${cliSeconds.toFixed(2)} s (zkey read ${cli.timings.readZkey?.toFixed(2)} s) vs serve ${serveSeconds.toFixed(2)} s`);
    } finally {
      await p.close();
    }
  }
  const snarkjsRoutes = routes.filter((r) => r.engine !== "native");
  const bestSnarkjs = snarkjsRoutes.length ? snarkjsRoutes.reduce((a, r) => (r.transfersPerSecond > a.transfersPerSecond ? r : a)) : undefined;
  return {
    T,
    D,
    blocks: blocks.length,
    targetTps: 0.7,
    baselineTps: 0.45,
    routes,
    chosen: best.route,
    chosenTps: best.transfersPerSecond,
    speedupVsSequential: seq ? round(best.transfersPerSecond / seq.transfersPerSecond) : NaN,
    meetsTarget: best.transfersPerSecond >= 0.7,
    ...(bestSnarkjs ? { bestSnarkjsRoute: bestSnarkjs.route, speedupVsBestSnarkjs: round(best.transfersPerSecond / bestSnarkjs.transfersPerSecond) } : {}),
    ...(nativeCli ? { nativeCli } : {}),
  };
}

// ------------------------------------------------------------------ dev ptau vs snarkjs prepare phase2

export interface PtauComparison {
  power: number;
  snarkjsNewSeconds: number;
  snarkjsPrepareSeconds: number;
  devPtauSeconds: number;
  /** snarkjs prepare phase2 / dev ptau, same power, same run. */
  ratio: number;
  snarkjsBytes: number;
  devBytes: number;
}

export async function benchPtau(power: number, log: Log): Promise<PtauComparison> {
  const dir = join("build", "bench", "ptau");
  await mkdir(dir, { recursive: true });
  const snarkjs = await loadSnarkjs();
  const curve = await snarkjs.curves.getCurveFromName("bn128");
  const quiet = { debug() {}, info() {}, warn: log, error: log };
  const p0 = join(dir, `snarkjs_${power}_0.ptau`);
  const p1 = join(dir, `snarkjs_${power}_prepared.ptau`);
  const pd = join(dir, `dev_${power}.ptau`);
  try {
    log(`ptau 2^${power}: snarkjs powersoftau new`);
    let t = performance.now();
    await snarkjs.powersOfTau.newAccumulator(curve, power, p0, quiet);
    const snarkjsNewSeconds = (performance.now() - t) / 1000;
    log(`ptau 2^${power}: snarkjs powersoftau prepare phase2 (the group FFT the dev ptau avoids)`);
    t = performance.now();
    await snarkjs.powersOfTau.preparePhase2(p0, p1, quiet);
    const snarkjsPrepareSeconds = (performance.now() - t) / 1000;
    log(`  snarkjs prepare phase2: ${snarkjsPrepareSeconds.toFixed(1)} s`);
    log(`ptau 2^${power}: dev ptau (known tau, Lagrange points from scalars)`);
    const dev = await writeDevPtau({ power, path: pd });
    log(`  dev ptau: ${dev.seconds.toFixed(2)} s`);
    return {
      power,
      snarkjsNewSeconds: round(snarkjsNewSeconds, 2),
      snarkjsPrepareSeconds: round(snarkjsPrepareSeconds, 2),
      devPtauSeconds: round(dev.seconds, 2),
      ratio: round(snarkjsPrepareSeconds / dev.seconds, 1),
      snarkjsBytes: (await stat(p1)).size,
      devBytes: dev.bytes,
    };
  } finally {
    await curve.terminate();
    await rm(dir, { recursive: true, force: true });
  }
}
