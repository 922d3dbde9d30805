/**
 * Block prover: witness + Groth16 proof off the caller's event loop, so agents stay responsive.
 *
 * Engines (option `engine`, or FERNET_PROVER=native|snarkjs|auto; default auto):
 *  - "native": the witness from the circom wasm (snarkjs wtns.calculate, in the worker below), then the proof by the
 *    native C++ prover (src/zk/native.ts, native/groth16/), a long-running process per zkey that keeps it parsed.
 *    About 3x the proving throughput of snarkjs on 2 cores at T=8, D=16 (bench/report.md).
 *  - "snarkjs": witness and proof in the worker with snarkjs.
 *  - "auto": native when it builds (g++ present), else snarkjs with one warning line.
 *
 * Backends (measured in test/zk and the final report):
 *  - "process" (default): a child process running proverWorker.mjs. snarkjs uses its thread pool there
 *    (ffjavascript cannot start threads from inside a worker thread), which is what makes proving fast on 2 cores.
 *  - "thread": a worker_threads worker running the same file; snarkjs is single-threaded there.
 * One proof at a time per prover (a proof already uses every core); the proving key stays loaded in the prover.
 */
import { fork, type ChildProcess } from "node:child_process";
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ZkError } from "./errors.js";
import { WEB_WORKER_SHIM } from "./devPtau.js";
import { loadSnarkjs, type SnarkjsProof, type VerificationKey } from "./libs.js";
import { fromContractProof, toContractProof } from "./proof.js";
import { NativeProverProcess, engineFromEnv, ensureNativeProver, lowerPriority, type NativeTimings, type ProverEngine } from "./native.js";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";

export type ProverBackend = "process" | "thread";
export type ProvePhase = "witness" | "prove" | "done";

export interface ProveOptions {
  wasmPath: string;
  zkeyPath: string;
  /** Circuit inputs (bigint, number, string or nested arrays of them). */
  input: Record<string, unknown>;
  onProgress?: (phase: ProvePhase) => void;
}

export interface ProveResult {
  /** uint256[8] as the contracts take it (docs/architecture.md). */
  proof: bigint[];
  publicSignals: bigint[];
  /** The proof as snarkjs returned it. */
  snarkjsProof: SnarkjsProof;
  witnessSeconds: number;
  proveSeconds: number;
  /** Which engine made the proof. */
  engine: "native" | "snarkjs";
  /** Per-phase seconds of a native proof. */
  nativeTimings?: NativeTimings;
}

export interface ProverOptions {
  /** Proving engine; default FERNET_PROVER or "auto" (native when it builds, else snarkjs with one warning). */
  engine?: ProverEngine;
  /** Threads of the native prover per proof (default: all cores). */
  threads?: number;
  /**
   * OS niceness of the witness worker and the native prover (default 0, unchanged). The devnet raises it: agents
   * must act within a phase of a few seconds, a proof has a proving window of many blocks.
   */
  niceness?: number;
}

let warnedFallback = false;

/** The engine a Prover with this option uses: resolves "auto" by building the native prover (once per process). */
export async function resolveEngine(engine: ProverEngine = engineFromEnv()): Promise<"native" | "snarkjs"> {
  if (engine === "snarkjs") return "snarkjs";
  try {
    await ensureNativeProver();
    return "native";
  } catch (e) {
    if (engine === "native") throw e;
    if (!warnedFallback) {
      warnedFallback = true;
      console.warn(`[prover] native prover unavailable, using snarkjs: ${(e as Error).message.split("\n")[0]}`);
    }
    return "snarkjs";
  }
}

interface Reply {
  id: number;
  progress?: ProvePhase;
  error?: string;
  proof?: SnarkjsProof;
  publicSignals?: string[];
  witnessSeconds?: number;
  proveSeconds?: number;
}

const WORKER_FILE = fileURLToPath(new URL("./proverWorker.mjs", import.meta.url));

function result(snarkjsProof: SnarkjsProof, publicSignals: string[], witnessSeconds: number, proveSeconds: number, engine: "native" | "snarkjs"): ProveResult {
  return { proof: toContractProof(snarkjsProof), publicSignals: publicSignals.map((s) => BigInt(s)), snarkjsProof, witnessSeconds, proveSeconds, engine };
}

/** A prover (one child process or worker thread), started lazily and kept for later proofs. */
export class Prover {
  private child?: ChildProcess;
  private worker?: Worker;
  private nextId = 1;
  private jobs = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void; onProgress?: (p: ProvePhase) => void }>();
  private tail: Promise<unknown> = Promise.resolve();
  /** Set by close(): proofs queued behind it must fail, not start a new worker that nobody will stop. */
  private closed = false;

  private natives = new Map<string, NativeProverProcess>();

  constructor(
    readonly backend: ProverBackend = "process",
    readonly options: ProverOptions = {},
  ) {}

  private onReply = (msg: Reply) => {
    const job = this.jobs.get(msg.id);
    if (!job) return;
    if (msg.progress) {
      job.onProgress?.(msg.progress);
      return;
    }
    this.jobs.delete(msg.id);
    this.setRef(this.jobs.size > 0);
    if (msg.error !== undefined) job.reject(new ZkError("PROVE_FAILED", `proving failed: ${msg.error}`));
    else job.resolve(msg);
  };

  private onCrash = (e: Error) => {
    for (const job of this.jobs.values()) job.reject(new ZkError("WORKER_FAILED", `prover ${this.backend} died: ${e.message}`, { cause: e }));
    this.jobs.clear();
    this.child = undefined;
    this.worker = undefined;
  };

  /** While no proof is pending the prover does not keep the process alive. */
  private setRef(on: boolean) {
    if (this.worker) {
      if (on) this.worker.ref();
      else this.worker.unref();
    }
    if (this.child) {
      const ch = this.child as ChildProcess & { channel?: { ref(): void; unref(): void } };
      if (on) {
        ch.ref();
        ch.channel?.ref();
      } else {
        ch.unref();
        ch.channel?.unref();
      }
    }
  }

  private start() {
    if (this.backend === "thread") {
      if (this.worker) return;
      const w = new Worker(WORKER_FILE, { workerData: WEB_WORKER_SHIM });
      w.on("message", this.onReply);
      w.on("error", this.onCrash);
      w.on("exit", (code) => code !== 0 && this.onCrash(new Error(`exit code ${code}`)));
      this.worker = w;
    } else {
      if (this.child) return;
      // process.execPath: the Node running us (Node 22 under npx); no TypeScript loader is needed for a .mjs.
      const ch = fork(WORKER_FILE, [], { execArgv: [], serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
      lowerPriority(ch.pid, this.options.niceness ?? 0);
      ch.on("message", (m) => this.onReply(m as Reply));
      ch.on("error", this.onCrash);
      ch.on("exit", (code, signal) => {
        if (this.child === ch) this.onCrash(new Error(`exit code ${code}${signal ? ` (${signal})` : ""}`));
      });
      this.child = ch;
    }
  }

  /** Computes the witness and a Groth16 proof. Proofs are serialised (one at a time). */
  prove(opts: ProveOptions): Promise<ProveResult> {
    const run = async (): Promise<ProveResult> => {
      if (this.closed) throw new ZkError("WORKER_FAILED", "prover closed");
      const wasmPath = resolve(opts.wasmPath);
      const zkeyPath = resolve(opts.zkeyPath);
      if (!existsSync(wasmPath)) throw new ZkError("FILE_NOT_FOUND", `circuit wasm not found: ${opts.wasmPath}`);
      if (!existsSync(zkeyPath)) throw new ZkError("FILE_NOT_FOUND", `zkey not found: ${opts.zkeyPath}`);
      if (typeof opts.input !== "object" || opts.input === null) throw new ZkError("BAD_ARGUMENT", "input must be an object of circuit signals");
      return this.runOnce(opts, wasmPath, zkeyPath, await resolveEngine(this.options.engine ?? engineFromEnv()));
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** One proof with `engine`: the witness in the worker, then the proof there (snarkjs) or in the native prover. */
  private async runOnce(opts: ProveOptions, wasmPath: string, zkeyPath: string, engine: "native" | "snarkjs"): Promise<ProveResult> {
    if (this.closed) throw new ZkError("WORKER_FAILED", "prover closed");
    this.start();
    const id = this.nextId++;
    const wtnsPath = engine === "native" ? join(tmpdir(), `fernet-${process.pid}-${id}-${randomBytes(4).toString("hex")}.wtns`) : undefined;
    try {
      const reply = await new Promise<Reply>((res, rej) => {
        this.jobs.set(id, { resolve: res, reject: rej, onProgress: opts.onProgress });
        this.setRef(true);
        const msg = { id, wasmPath, zkeyPath, input: opts.input, wtnsPath };
        if (this.worker) this.worker.postMessage(msg);
        else this.child!.send(msg);
      });
      if (wtnsPath === undefined) return result(reply.proof!, reply.publicSignals!, reply.witnessSeconds!, reply.proveSeconds!, "snarkjs");
      let native = this.natives.get(zkeyPath);
      if (!native) {
        native = new NativeProverProcess(zkeyPath, this.options.threads, this.options.niceness);
        this.natives.set(zkeyPath, native);
      }
      opts.onProgress?.("prove");
      let n;
      try {
        n = await native.prove(wtnsPath);
      } catch (e) {
        if (this.closed) throw new ZkError("WORKER_FAILED", "prover closed", { cause: e });
        // A crash of the native prover itself (PROVE_FAILED; not a bad key or witness) should not cost the block:
        // prove it with snarkjs instead, with one warning line.
        if (!(e instanceof ZkError) || e.code !== "PROVE_FAILED") throw e;
        console.warn(`[prover] ${e.message.split("\n")[0]}; proving this block with snarkjs`);
        return await this.runOnce(opts, wasmPath, zkeyPath, "snarkjs");
      }
      opts.onProgress?.("done");
      return { ...result(n.proof, n.publicSignals, reply.witnessSeconds!, n.seconds, "native"), nativeTimings: n.timings };
    } finally {
      if (wtnsPath) await rm(wtnsPath, { force: true });
    }
  }

  /** Stops the prover (pending proofs fail). */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    const ch = this.child;
    this.worker = undefined;
    this.child = undefined;
    for (const job of this.jobs.values()) job.reject(new ZkError("WORKER_FAILED", "prover closed"));
    this.jobs.clear();
    const natives = [...this.natives.values()];
    this.natives.clear();
    await Promise.all(natives.map((n) => n.close()));
    if (w) await w.terminate();
    if (ch && ch.exitCode === null) {
      // The idle child is unreferenced: keep the loop alive until it has exited, or `await close()` never returns.
      const keep = setInterval(() => {}, 1 << 30);
      try {
        await new Promise<void>((res) => {
          ch.once("exit", () => res());
          ch.kill();
        });
      } finally {
        clearInterval(keep);
      }
    }
  }
}

let shared: Prover | undefined;

/** Proves with the shared default prover (see Prover). */
export function proveBlock(opts: ProveOptions): Promise<ProveResult> {
  shared ??= new Prover();
  return shared.prove(opts);
}

/** Stops the shared prover and releases snarkjs's curve threads (scripts and test suites call this at the end). */
export async function closeProver(): Promise<void> {
  const p = shared;
  shared = undefined;
  await p?.close();
  const { releaseSnarkjsCurve } = await import("./libs.js");
  await releaseSnarkjsCurve();
}

/**
 * Off-chain Groth16 check with snarkjs. `proof` is the contracts' uint256[8] or a snarkjs proof. Returns false for
 * a proof that does not verify, and also for malformed input (wrong length, values out of range).
 */
export async function verifyOffchain(
  vkey: VerificationKey,
  proof: readonly bigint[] | SnarkjsProof,
  publicSignals: readonly (bigint | string | number)[],
): Promise<boolean> {
  if (publicSignals.length !== vkey.nPublic) return false;
  let p: SnarkjsProof;
  try {
    p = Array.isArray(proof) ? fromContractProof(proof as bigint[]) : (proof as SnarkjsProof);
  } catch {
    return false;
  }
  const snarkjs = await loadSnarkjs();
  return snarkjs.groth16.verify(vkey, publicSignals.map((s) => BigInt(s).toString()), p);
}
