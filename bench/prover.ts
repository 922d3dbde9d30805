/**
 * Handle on one benchmark prover process (bench/proveWorker.mjs). The project's Prover (src/zk/prover.ts) does
 * witness + prove as one call and takes no snarkjs logger or thread option; the benchmark needs both, and the
 * witness on its own (to overlap it with another block's proof).
 */
import { fork, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SnarkjsProof } from "../src/zk/libs.js";
import { NativeProverProcess, type NativeTimings } from "../src/zk/native.js";

const WORKER_FILE = fileURLToPath(new URL("./proveWorker.mjs", import.meta.url));

/** Seconds per proving phase, from snarkjs's debug log lines (see proveWorker.mjs). */
export interface ProvePhases {
  setup: number;
  read: number;
  buildABC: number;
  fft: number;
  joinABC: number;
  msm: number;
  other: number;
}

export interface BenchReply {
  id: number;
  error?: string;
  wtns?: Uint8Array;
  witnessSeconds?: number;
  proof?: SnarkjsProof;
  publicSignals?: string[];
  proveSeconds?: number;
  phases?: ProvePhases;
  /** CPU seconds the prover process spent on this request (all threads). */
  cpuSeconds?: number;
}

export class BenchProver {
  private child: ChildProcess;
  private nextId = 1;
  /** CPU seconds of all requests so far. */
  cpuSeconds = 0;
  private jobs = new Map<number, { res: (r: BenchReply) => void; rej: (e: Error) => void }>();

  constructor(readonly singleThread = false) {
    this.child = fork(WORKER_FILE, [], { execArgv: [], serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (m: BenchReply) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      this.cpuSeconds += m.cpuSeconds ?? 0;
      if (m.error !== undefined) job.rej(new Error(`bench prover: ${m.error}`));
      else job.res(m);
    });
    this.child.on("exit", (code) => {
      for (const j of this.jobs.values()) j.rej(new Error(`bench prover exited (${code})`));
      this.jobs.clear();
    });
  }

  private keepAlive?: ReturnType<typeof setInterval>;

  private call(msg: Record<string, unknown>): Promise<BenchReply> {
    const id = this.nextId++;
    // Keep the bench's event loop alive while a request is pending (not left to the IPC channel's reference).
    this.keepAlive ??= setInterval(() => {}, 1 << 30);
    const settle = () => {
      if (this.jobs.size === 0 && this.keepAlive) {
        clearInterval(this.keepAlive);
        this.keepAlive = undefined;
      }
    };
    return new Promise<BenchReply>((res, rej) => {
      this.jobs.set(id, { res, rej });
      this.child.send({ ...msg, id });
    }).finally(settle);
  }

  /** Loads the zkey into the process (so that timed proofs do not include reading it from disk). */
  warm(zkeyPath: string): Promise<BenchReply> {
    return this.call({ cmd: "warm", zkeyPath: resolve(zkeyPath) });
  }

  witness(wasmPath: string, input: unknown, wtnsPath?: string): Promise<BenchReply> {
    return this.call({ cmd: "witness", wasmPath: resolve(wasmPath), input, wtnsPath });
  }

  prove(zkeyPath: string, wtns: Uint8Array, trace = false): Promise<BenchReply> {
    return this.call({ cmd: "prove", zkeyPath: resolve(zkeyPath), wtns, singleThread: this.singleThread, trace });
  }

  full(wasmPath: string, zkeyPath: string, input: unknown, trace = false): Promise<BenchReply> {
    return this.call({ cmd: "full", wasmPath: resolve(wasmPath), zkeyPath: resolve(zkeyPath), input, singleThread: this.singleThread, trace });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((res) => {
      this.child.once("exit", () => res());
      this.child.send({ cmd: "exit" });
      setTimeout(() => this.child.kill(), 5000).unref();
    });
  }
}

export interface NativeBenchReply {
  proof: SnarkjsProof;
  publicSignals: string[];
  witnessSeconds: number;
  proveSeconds: number;
  timings: NativeTimings;
}

/**
 * Native route of the benchmark: the witness in a bench prover process (circom wasm via snarkjs, written to a
 * temporary .wtns), the proof by a long-running native prover (src/zk/native.ts, `--serve`, zkey parsed once) with
 * `threads` threads. CPU seconds = the witness process's + the native process's (all threads).
 */
export class NativeBenchProver {
  readonly witnessProcess = new BenchProver(true);
  readonly native: NativeProverProcess;
  private n = 0;
  private readonly tag = `${process.pid}-${randomBytes(4).toString("hex")}`;

  constructor(zkeyPath: string, readonly threads: number) {
    this.native = new NativeProverProcess(zkeyPath, threads);
  }

  /** CPU seconds so far (witness process + native prover). */
  nativeCpuSeconds = 0;
  get cpuSeconds(): number {
    return this.witnessProcess.cpuSeconds + this.nativeCpuSeconds;
  }

  /** Starts the native process and parses the zkey (not timed by the routes). Returns its read seconds. */
  async warm(): Promise<number> {
    return (await this.native.start()).readZkey;
  }

  /** Witness into a temporary file (returns its path; pass it to proveFile). */
  async witnessFile(wasmPath: string, input: unknown): Promise<{ wtnsPath: string; witnessSeconds: number }> {
    const wtnsPath = join(tmpdir(), `fernet-bench-${this.tag}-${this.n++}.wtns`);
    const r = await this.witnessProcess.witness(wasmPath, input, wtnsPath);
    return { wtnsPath, witnessSeconds: r.witnessSeconds! };
  }

  async proveFile(wtnsPath: string, witnessSeconds = 0): Promise<NativeBenchReply> {
    try {
      const r = await this.native.prove(wtnsPath);
      this.nativeCpuSeconds += r.timings.cpu ?? 0;
      return { proof: r.proof, publicSignals: r.publicSignals, witnessSeconds, proveSeconds: r.seconds, timings: r.timings };
    } finally {
      await rm(wtnsPath, { force: true });
    }
  }

  async full(wasmPath: string, input: unknown): Promise<NativeBenchReply> {
    const w = await this.witnessFile(wasmPath, input);
    return this.proveFile(w.wtnsPath, w.witnessSeconds);
  }

  async close(): Promise<void> {
    await Promise.all([this.witnessProcess.close(), this.native.close()]);
  }
}
