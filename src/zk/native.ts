/**
 * The native Groth16 prover (native/groth16/, C++17): built on demand with the machine's g++ into build/native/,
 * cached by a hash of its sources, the flags and the compiler version; and its two ways of running: one process per
 * proof (`proveNative`, the CLI) or a long-running process that keeps the parsed zkey (`NativeProverProcess`,
 * `--serve`: one job per line on stdin, one JSON line per proof on stdout).
 *
 * Why native: snarkjs proves in WebAssembly and is the bottleneck of the prover network (issue #2). rapidsnark is not
 * installable on these machines (neither on the npm registry nor in Debian), so the project carries a small prover of
 * its own that reads snarkjs's .zkey and .wtns files and writes snarkjs's proof.json/public.json.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { tmpdir, cpus, setPriority } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createInterface } from "node:readline";
import { ZkError } from "./errors.js";
import type { SnarkjsProof } from "./libs.js";

const execFileP = promisify(execFile);

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const NATIVE_SOURCE_DIR = join(ROOT, "native", "groth16");
const SOURCES = ["groth16.cpp", "field.hpp", "curve.hpp"];
/** -march=native: the binary is compiled on the machine that runs it (build/ is never committed). */
export const NATIVE_FLAGS = ["-std=c++17", "-O3", "-march=native", "-pthread"];

/** Seconds per phase of one native proof, as the binary reports them. */
export interface NativeTimings {
  readZkey?: number;
  readWitness: number;
  buildABC: number;
  fft: number;
  joinABC: number;
  msmA: number;
  msmB1: number;
  msmB2: number;
  msmC: number;
  msmH: number;
  finish: number;
  /** CPU seconds of the native process for this proof (all threads). */
  cpu?: number;
}

export interface NativeProof {
  proof: SnarkjsProof;
  publicSignals: string[];
  timings: NativeTimings;
  /** Wall seconds of the proof as the caller saw it. */
  seconds: number;
}

let building: Promise<string> | undefined;

/**
 * Path of the native prover binary, compiled first if needed (build/native/groth16-prove-<hash>). Throws
 * ZkError("NATIVE_UNAVAILABLE") when g++ is missing or the compile fails. Safe against concurrent builds by other
 * processes (each compiles to its own temporary file, then renames).
 */
export function ensureNativeProver(onProgress?: (msg: string) => void): Promise<string> {
  building ??= buildNative(onProgress).catch((e) => {
    building = undefined;
    throw e;
  });
  return building;
}

async function buildNative(onProgress?: (msg: string) => void): Promise<string> {
  const cxx = process.env.CXX || "g++";
  let version: string;
  try {
    version = (await execFileP(cxx, ["--version"])).stdout.split("\n")[0]!;
  } catch (e) {
    throw new ZkError("NATIVE_UNAVAILABLE", `native prover: C++ compiler "${cxx}" not found (install g++ >= 9, or set FERNET_PROVER=snarkjs)`, { cause: e });
  }
  const h = createHash("sha256");
  h.update(version + "\0" + NATIVE_FLAGS.join(" ") + "\0");
  for (const f of SOURCES) {
    const p = join(NATIVE_SOURCE_DIR, f);
    if (!existsSync(p)) throw new ZkError("NATIVE_UNAVAILABLE", `native prover: source ${p} missing`);
    h.update(f + "\0");
    h.update(await readFile(p));
  }
  const hash = h.digest("hex").slice(0, 16);
  const dir = join(ROOT, "build", "native");
  const bin = join(dir, `groth16-prove-${hash}`);
  if (existsSync(bin)) return bin;
  await mkdir(dir, { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  onProgress?.(`native prover: compiling ${SOURCES[0]} with ${version} (${NATIVE_FLAGS.join(" ")}), about 10 s...`);
  const t = performance.now();
  try {
    await execFileP(cxx, [...NATIVE_FLAGS, "-o", tmp, join(NATIVE_SOURCE_DIR, SOURCES[0]!)], { maxBuffer: 16 << 20 });
    await rename(tmp, bin);
  } catch (e) {
    await rm(tmp, { force: true });
    const err = e as { stderr?: string; message?: string };
    throw new ZkError("NATIVE_UNAVAILABLE", `native prover: compile failed: ${(err.stderr || err.message || String(e)).slice(0, 2000)}`, { cause: e });
  }
  onProgress?.(`native prover: built ${bin} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return bin;
}

/** Maps the binary's error code (exit code or serve-mode code) to a ZkError. */
function nativeError(code: string | number | null, message: string): ZkError {
  const c = typeof code === "number" ? ({ 2: "USAGE", 3: "BAD_ZKEY", 4: "BAD_WITNESS", 5: "IO" } as Record<number, string>)[code] ?? "INTERNAL" : code;
  if (c === "BAD_ZKEY") return new ZkError("BAD_ZKEY", `native prover: ${message}`);
  if (c === "BAD_WITNESS") return new ZkError("BAD_WITNESS", `native prover: ${message}`);
  return new ZkError("PROVE_FAILED", `native prover: ${message}`);
}

/** Raises the niceness of process `pid` (best effort: an OS that refuses leaves it as it is). */
export function lowerPriority(pid: number | undefined, niceness: number): void {
  if (!niceness || pid === undefined) return;
  try {
    setPriority(pid, Math.min(19, Math.max(0, niceness)));
  } catch {
    // not permitted here: the proof just competes on equal terms
  }
}

function defaultThreads(): number {
  return Math.max(1, cpus().length);
}

/**
 * One proof by one run of the CLI (reads and parses the zkey each time): `groth16-prove zkey wtns proof public`.
 * Writes proof.json/public.json when paths are given (temporary files otherwise) and returns them parsed.
 */
export async function proveNative(opts: { zkeyPath: string; wtnsPath: string; proofPath?: string; publicPath?: string; threads?: number }): Promise<NativeProof> {
  const bin = await ensureNativeProver();
  const tmp = opts.proofPath && opts.publicPath ? undefined : join(tmpdir(), `fernet-native-${process.pid}-${randomBytes(4).toString("hex")}`);
  const proofPath = opts.proofPath ?? `${tmp}.proof.json`;
  const publicPath = opts.publicPath ?? `${tmp}.public.json`;
  const t = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((res, rej) => {
    const ch = spawn(bin, ["--threads", String(opts.threads ?? defaultThreads()), "--timings", resolve(opts.zkeyPath), resolve(opts.wtnsPath), proofPath, publicPath], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    ch.stderr!.on("data", (d) => (err += d));
    ch.on("error", rej);
    ch.on("close", (c) => res({ code: c, stderr: err }));
  });
  const seconds = (performance.now() - t) / 1000;
  try {
    if (code !== 0) throw nativeError(code, stderr.trim().replace(/^groth16-prove: error( \[\w+\])?: /, "") || `exit code ${code}`);
    const timings = JSON.parse(stderr.trim().split("\n").pop()!) as NativeTimings;
    const proof = JSON.parse(await readFile(proofPath, "utf8")) as SnarkjsProof;
    const publicSignals = JSON.parse(await readFile(publicPath, "utf8")) as string[];
    return { proof, publicSignals, timings, seconds };
  } finally {
    if (tmp) await Promise.all([rm(proofPath, { force: true }), rm(publicPath, { force: true })]);
  }
}

interface ServeReply {
  ok: boolean;
  code?: string;
  error?: string;
  proof?: SnarkjsProof;
  publicSignals?: string[];
  timings?: NativeTimings;
}

/**
 * A long-running native prover for one zkey (`groth16-prove --serve`): the zkey is read and parsed once, then each
 * proof only reads its witness file. One proof at a time (the binary uses `threads` threads per proof).
 */
export class NativeProverProcess {
  private child?: ChildProcess;
  private ready?: Promise<{ readZkey: number }>;
  private waiting: { res: (r: ServeReply) => void; rej: (e: Error) => void }[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private zkeyStamp = "";
  /** Seconds the process took to read and parse the zkey (when it started). */
  readZkeySeconds = NaN;
  /**
   * Starts and proofs in flight: while > 0 the process and its pipes keep the caller's event loop alive (a caller
   * that only awaits a proof must not exit under it); when idle they do not keep it alive.
   */
  private busy = 0;
  private keepAlive?: ReturnType<typeof setInterval>;

  constructor(
    readonly zkeyPath: string,
    readonly threads = defaultThreads(),
    /** OS scheduling niceness of the process (0: unchanged; higher: yields the CPU to the caller's other work). */
    readonly niceness = 0,
  ) {}

  /** Starts the process and waits until the zkey is loaded (proofs call it too). */
  start(): Promise<{ readZkey: number }> {
    this.ready ??= this.spawn().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    return this.hold(this.ready);
  }

  /** Keeps the process referenced until p settles. */
  private async hold<T>(p: Promise<T>): Promise<T> {
    this.busy++;
    this.setRef(true);
    try {
      return await p;
    } finally {
      this.busy--;
      this.setRef(this.busy > 0);
    }
  }

  private async spawn(): Promise<{ readZkey: number }> {
    const bin = await ensureNativeProver();
    const zkey = resolve(this.zkeyPath);
    const st = await stat(zkey).catch(() => undefined);
    if (!st) throw new ZkError("FILE_NOT_FOUND", `zkey not found: ${this.zkeyPath}`);
    this.zkeyStamp = `${st.size}:${st.mtimeMs}`;
    const ch = spawn(bin, ["--threads", String(this.threads), "--serve", zkey], { stdio: ["pipe", "pipe", "pipe"] });
    this.child = ch;
    lowerPriority(ch.pid, this.niceness);
    let stderr = "";
    ch.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
    const lines = createInterface({ input: ch.stdout! });
    let onReady: ((v: { readZkey: number }) => void) | undefined;
    let onFail: ((e: Error) => void) | undefined;
    const readyP = new Promise<{ readZkey: number }>((res, rej) => {
      onReady = res;
      onFail = rej;
    });
    lines.on("line", (line) => {
      let msg: ServeReply & { ready?: boolean; readZkey?: number };
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (msg.ready) {
        this.readZkeySeconds = msg.readZkey ?? NaN;
        onReady?.({ readZkey: msg.readZkey ?? NaN });
        return;
      }
      this.waiting.shift()?.res(msg);
    });
    ch.on("error", (e) => onFail?.(new ZkError("PROVE_FAILED", `native prover: ${e.message}`, { cause: e })));
    ch.on("close", (code) => {
      const msg = stderr.trim().replace(/^groth16-prove: error( \[\w+\])?: /, "") || `exit code ${code}`;
      const err = nativeError(code, msg);
      onFail?.(err);
      for (const w of this.waiting.splice(0)) w.rej(err);
      if (this.child === ch) {
        this.child = undefined;
        this.ready = undefined;
      }
    });
    this.setRef(this.busy > 0);
    return readyP;
  }

  private setRef(on: boolean) {
    // The keep-alive timer covers the moments when no pipe exists yet (compiling the binary, spawning).
    if (on && !this.keepAlive) this.keepAlive = setInterval(() => {}, 1 << 30);
    if (!on && this.keepAlive) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
    const ch = this.child as (ChildProcess & { stdout: { ref?(): void; unref?(): void } | null; stderr: { ref?(): void; unref?(): void } | null; stdin: { ref?(): void; unref?(): void } | null }) | undefined;
    if (!ch) return;
    for (const s of [ch.stdout, ch.stderr, ch.stdin]) {
      if (on) s?.ref?.();
      else s?.unref?.();
    }
    if (on) ch.ref();
    else ch.unref();
  }

  /** Proves one witness file (snarkjs .wtns of this zkey's circuit). */
  prove(wtnsPath: string): Promise<NativeProof> {
    const run = async (): Promise<NativeProof> => {
      // A zkey rebuilt in place (same path) needs a fresh process.
      if (this.child && this.zkeyStamp) {
        const st = await stat(resolve(this.zkeyPath)).catch(() => undefined);
        if (st && `${st.size}:${st.mtimeMs}` !== this.zkeyStamp) await this.close();
      }
      await this.start();
      const ch = this.child;
      if (!ch) throw new ZkError("PROVE_FAILED", "native prover: process exited");
      const t = performance.now();
      const reply = await new Promise<ServeReply>((res, rej) => {
        this.waiting.push({ res, rej });
        ch.stdin!.write(`${resolve(wtnsPath)}\n`);
      });
      if (!reply.ok) throw nativeError(reply.code ?? "INTERNAL", reply.error ?? "unknown error");
      return { proof: reply.proof!, publicSignals: reply.publicSignals!, timings: reply.timings!, seconds: (performance.now() - t) / 1000 };
    };
    const p = this.hold(this.tail.then(run, run));
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Stops the process (it exits when its stdin closes). */
  async close(): Promise<void> {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    const ch = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (!ch || ch.exitCode !== null) return;
    // The process and its pipes are unreferenced when idle: keep the loop alive until it has exited.
    const keep = setInterval(() => {}, 1 << 30);
    try {
      await new Promise<void>((res) => {
        ch.once("close", () => res());
        ch.stdin!.end();
        setTimeout(() => ch.kill(), 2000).unref();
      });
    } finally {
      clearInterval(keep);
    }
  }
}

/** Which proving engine to use: FERNET_PROVER=native|snarkjs|auto (default auto: native when it builds). */
export type ProverEngine = "native" | "snarkjs" | "auto";

export function engineFromEnv(): ProverEngine {
  const v = (process.env.FERNET_PROVER ?? "auto").trim().toLowerCase();
  if (v === "" || v === "auto") return "auto";
  if (v === "native" || v === "snarkjs") return v;
  throw new ZkError("BAD_ARGUMENT", `FERNET_PROVER must be native, snarkjs or auto, got "${process.env.FERNET_PROVER}"`);
}
