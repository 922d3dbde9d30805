/**
 * INSECURE deterministic development "powers of tau" (already prepared for phase 2), written directly.
 *
 * INSECURE BY CONSTRUCTION: tau, alpha and beta are derived from a public label, so anyone can forge proofs for
 * circuits set up from this file. It exists so that development and CI builds get a Groth16 setup in seconds and
 * the same verifier contract on every build. Never use it for anything holding value: pass a real ceremony
 * `.ptau` to the setup instead.
 *
 * Why not `snarkjs powersoftau prepare phase2`: that step turns tau^i*G into Lagrange-basis points with a group FFT
 * (minutes at 2^14, ~10 min at 2^15, ~2.1x per power). Knowing tau, we compute the Lagrange values
 * L_i(tau) = (tau^m - 1)/m * w^i/(tau - w^i) as field scalars (batch inversion), then multiply the generator by
 * them with a fixed-base comb in worker threads (fixedBaseWorker.mjs). The file has exactly the layout snarkjs
 * writes (sections 1-7 and 12-15), and a test checks it byte for byte against snarkjs's own prepare at a small power.
 */
import { open, mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { keccak256, toUtf8Bytes } from "ethers";
import { ZkError } from "./errors.js";
import { BN254_BASE_MODULUS as FQ, BN254_SCALAR_MODULUS as FR } from "../protocol.js";

/** Largest power of two dividing r - 1 (snarkjs cannot go above it). */
const FR_TWO_ADICITY = 28;

/** Label every dev secret is derived from. Changing it changes every dev verifier contract. */
export const DEV_SETUP_LABEL = "fernet-rollup INSECURE dev setup";
/** Version of the dev ptau format/derivation: part of cache keys. */
export const DEV_PTAU_VERSION = 1;

/** The known (hence insecure) secrets of the dev setup. */
export interface DevSecrets {
  tau: bigint;
  alpha: bigint;
  beta: bigint;
}

function deriveScalar(what: string): bigint {
  const v = BigInt(keccak256(toUtf8Bytes(`${DEV_SETUP_LABEL}/${what}`))) % FR;
  if (v < 2n) throw new ZkError("SETUP_FAILED", `degenerate dev secret for ${what}`);
  return v;
}

/** INSECURE: the fixed, public secrets of the dev setup (keccak of a label, reduced mod r). */
export function devSecrets(): DevSecrets {
  return { tau: deriveScalar("tau"), alpha: deriveScalar("alpha"), beta: deriveScalar("beta") };
}

function mod(a: bigint): bigint {
  const x = a % FR;
  return x < 0n ? x + FR : x;
}

function powMod(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = mod(b);
  while (e > 0n) {
    if (e & 1n) r = (r * x) % FR;
    x = (x * x) % FR;
    e >>= 1n;
  }
  return r;
}

function inv(a: bigint): bigint {
  if (mod(a) === 0n) throw new ZkError("SETUP_FAILED", "inverse of zero");
  return powMod(a, FR - 2n);
}

/** Root of unity of order 2^p, the one ffjavascript/snarkjs use: 5^((r-1)/2^28) squared (28 - p) times. */
export function rootOfUnity(p: number): bigint {
  let w = powMod(5n, (FR - 1n) >> BigInt(FR_TWO_ADICITY));
  for (let i = FR_TWO_ADICITY; i > p; i--) w = (w * w) % FR;
  return w;
}

/** Lagrange basis of the size-2^p domain evaluated at tau; `truncated` drops the tau^(m-1) term (see below). */
export function lagrangeAt(tau: bigint, p: number, truncated: boolean): bigint[] {
  const m = 1 << p;
  const w = rootOfUnity(p);
  const wi: bigint[] = new Array(m);
  const den: bigint[] = new Array(m);
  let x = 1n;
  for (let i = 0; i < m; i++) {
    wi[i] = x;
    den[i] = mod(tau - x);
    if (den[i] === 0n) throw new ZkError("SETUP_FAILED", "tau is a root of unity");
    x = (x * w) % FR;
  }
  // Batch inversion (Montgomery's trick): one modular inverse for the whole domain.
  const prefix: bigint[] = new Array(m);
  let acc = 1n;
  for (let i = 0; i < m; i++) {
    prefix[i] = acc;
    acc = (acc * den[i]) % FR;
  }
  let accInv = inv(acc);
  const invM = inv(BigInt(m));
  const c = (mod(powMod(tau, BigInt(m)) - 1n) * invM) % FR;
  const tailCoef = truncated ? (powMod(tau, BigInt(m - 1)) * invM) % FR : 0n;
  const out: bigint[] = new Array(m);
  for (let i = m - 1; i >= 0; i--) {
    const invDen = (accInv * prefix[i]) % FR;
    accInv = (accInv * den[i]) % FR;
    let l = (((c * wi[i]) % FR) * invDen) % FR;
    // L_i(x) = 1/m * sum_k w^(-ik) x^k; the k = m-1 term is 1/m * w^i * tau^(m-1).
    if (truncated) l = mod(l - tailCoef * wi[i]);
    out[i] = l;
  }
  return out;
}

function geometric(first: bigint, ratio: bigint, n: number): bigint[] {
  const out: bigint[] = new Array(n);
  let x = mod(first);
  for (let i = 0; i < n; i++) {
    out[i] = x;
    x = (x * ratio) % FR;
  }
  return out;
}

/** Canonical little-endian 32-byte encodings of s[from..to) (the fixed-base worker's input). */
export function scalarsToBytes(s: bigint[], from = 0, to = s.length): Uint8Array {
  const buf = new Uint8Array((to - from) * 32);
  const dv = new DataView(buf.buffer);
  for (let i = from; i < to; i++) {
    let x = s[i];
    const o = (i - from) * 32;
    for (let k = 0; k < 4; k++) {
      dv.setBigUint64(o + 8 * k, BigInt.asUintN(64, x), true);
      x >>= 64n;
    }
  }
  return buf;
}

export type Group = "G1" | "G2";

/**
 * ffjavascript imports the `web-worker` package, which, when loaded in any worker thread, assumes it is one of its
 * own workers and reads `workerData.mod` (crashing when absent). An empty data: URL module satisfies it.
 */
export const WEB_WORKER_SHIM = { mod: "data:text/javascript,", name: "fernet-zk" };

/** A small pool of fixed-base multiplication workers (also used by devZkey.ts). */
export class FixedBasePool {
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: Array<() => void> = [];
  private nextId = 0;
  private pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();

  /** window: comb window bits (fixedBaseWorker.mjs; default 12). */
  constructor(n: number, window?: number) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL("./fixedBaseWorker.mjs", import.meta.url), { workerData: { ...WEB_WORKER_SHIM, window } });
      w.on("message", (msg: WorkerReply & { id: number; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        this.idle.push(w);
        this.queue.shift()?.();
        if (msg.error !== undefined) p.reject(new ZkError("WORKER_FAILED", `dev setup worker: ${msg.error}`));
        else p.resolve(msg);
      });
      w.on("error", (e) => {
        for (const p of this.pending.values()) p.reject(new ZkError("WORKER_FAILED", `dev setup worker crashed: ${e.message}`, { cause: e }));
        this.pending.clear();
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Affine points scalars[i] * generator (Montgomery LE), as the ptau/zkey store them. */
  async multiply(group: Group, scalars: Uint8Array): Promise<Uint8Array> {
    return (await this.post({ group, scalars }, [scalars.buffer as ArrayBuffer])).points!;
  }

  /** Same, plus the points in snarkjs's uncompressed form (hashed into the zkey's circuit hash). */
  async multiplyU(group: Group, scalars: Uint8Array): Promise<{ points: Uint8Array; pointsU: Uint8Array }> {
    const r = await this.post({ group, scalars, withU: true }, [scalars.buffer as ArrayBuffer]);
    return { points: r.points!, pointsU: r.pointsU! };
  }

  /** G1: a[i] - b[i] on raw 64-byte affine pairs, in uncompressed form (see fixedBaseWorker.mjs). */
  async subAffineU(a: Uint8Array, b: Uint8Array): Promise<Uint8Array> {
    return (await this.post({ op: "subAffineU", a, b }, [])).pointsU!;
  }

  private post(msg: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      const run = () => {
        const w = this.idle.pop()!;
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        w.postMessage({ ...msg, id }, transfer);
      };
      if (this.idle.length > 0) run();
      else this.queue.push(run);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

interface WorkerReply {
  points?: Uint8Array;
  pointsU?: Uint8Array;
}

const CHUNK = 8192;

/** Minimal writer for iden3 "binfile" containers (magic, version, sections of id u32 + size u64). */
export class BinWriter {
  private pos = 0;
  private sectionStart = -1;
  private constructor(private fh: import("node:fs/promises").FileHandle) {}

  static async create(path: string, magic: string, version: number, nSections: number): Promise<BinWriter> {
    const w = new BinWriter(await open(path, "w"));
    const head = new Uint8Array(12);
    for (let i = 0; i < 4; i++) head[i] = magic.charCodeAt(i);
    const dv = new DataView(head.buffer);
    dv.setUint32(4, version, true);
    dv.setUint32(8, nSections, true);
    await w.write(head);
    return w;
  }

  async write(b: Uint8Array): Promise<void> {
    await this.fh.write(b, 0, b.byteLength, this.pos);
    this.pos += b.byteLength;
  }

  async startSection(id: number): Promise<void> {
    const h = new Uint8Array(12);
    new DataView(h.buffer).setUint32(0, id, true);
    await this.write(h);
    this.sectionStart = this.pos;
  }

  async endSection(): Promise<void> {
    const size = new Uint8Array(8);
    new DataView(size.buffer).setBigUint64(0, BigInt(this.pos - this.sectionStart), true);
    await this.fh.write(size, 0, 8, this.sectionStart - 8);
    this.sectionStart = -1;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

export interface DevPtauResult {
  path: string;
  power: number;
  seconds: number;
  bytes: number;
}

/**
 * Writes the INSECURE dev ptau of `power` (domain 2^power, prepared for phase 2) to `path`, atomically
 * (temporary file + rename). Deterministic: the same power gives the same bytes.
 */
export async function writeDevPtau(opts: {
  power: number;
  path: string;
  onProgress?: (msg: string) => void;
  threads?: number;
}): Promise<DevPtauResult> {
  const { power, path } = opts;
  if (!Number.isInteger(power) || power < 1 || power >= FR_TWO_ADICITY) {
    throw new ZkError("BAD_ARGUMENT", `dev ptau power must be an integer in 1..${FR_TWO_ADICITY - 1}, got ${power}`);
  }
  const log = opts.onProgress ?? (() => {});
  const t0 = performance.now();
  const { tau, alpha, beta } = devSecrets();
  const N = 2 ** power;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const pool = new FixedBasePool(Math.max(1, Math.min(opts.threads ?? availableParallelism(), 4)));
  const out = await BinWriter.create(tmp, "ptau", 1, 11);
  try {
    // Section 1: header (n8 of Fq, q, power, ceremony power), as snarkjs writePTauHeader.
    await out.startSection(1);
    const hdr = new Uint8Array(4 + 32 + 8);
    const hv = new DataView(hdr.buffer);
    hv.setUint32(0, 32, true);
    hdr.set(scalarsToBytesRaw(FQ), 4);
    hv.setUint32(36, power, true);
    hv.setUint32(40, power, true);
    await out.write(hdr);
    await out.endSection();

    const writePoints = async (group: Group, scalars: bigint[]) => {
      const jobs: Promise<Uint8Array>[] = [];
      for (let i = 0; i < scalars.length; i += CHUNK) {
        jobs.push(pool.multiply(group, scalarsToBytes(scalars, i, Math.min(scalars.length, i + CHUNK))));
      }
      for (const j of jobs) await out.write(await j);
    };
    const section = async (id: number, name: string, group: Group, fill: () => Promise<void>) => {
      const t = performance.now();
      await out.startSection(id);
      await fill();
      await out.endSection();
      log(`dev ptau 2^${power}: section ${id} ${name} (${group}) ${((performance.now() - t) / 1000).toFixed(1)} s`);
    };

    await section(2, "tauG1", "G1", () => writePoints("G1", geometric(1n, tau, 2 * N - 1)));
    await section(3, "tauG2", "G2", () => writePoints("G2", geometric(1n, tau, N)));
    await section(4, "alphaTauG1", "G1", () => writePoints("G1", geometric(alpha, tau, N)));
    await section(5, "betaTauG1", "G1", () => writePoints("G1", geometric(beta, tau, N)));
    await section(6, "betaG2", "G2", () => writePoints("G2", [beta]));
    await out.startSection(7);
    await out.write(new Uint8Array(4)); // no contributions recorded: this file comes from no ceremony
    await out.endSection();

    // Sections 12-15: Lagrange points for every domain size 2^0 .. 2^power (tauG1 also 2^(power+1)), in that order.
    // snarkjs's prepare builds the 2^(power+1) tauG1 row from only 2^(power+1)-1 powers (the last one is treated
    // as zero); we reproduce that so the file is byte-identical to snarkjs's. Either way the H points stay valid:
    // the prover only combines them with polynomials of degree < 2^(power+1) - 1.
    const lag: bigint[][] = [];
    for (let p = 0; p <= power + 1; p++) lag.push(lagrangeAt(tau, p, p === power + 1));
    const flat = (maxP: number, k: bigint) => lag.slice(0, maxP + 1).flatMap((row) => (k === 1n ? row : row.map((l) => (l * k) % FR)));
    await section(12, "lagrange tauG1", "G1", () => writePoints("G1", flat(power + 1, 1n)));
    await section(13, "lagrange tauG2", "G2", () => writePoints("G2", flat(power, 1n)));
    await section(14, "lagrange alphaTauG1", "G1", () => writePoints("G1", flat(power, alpha)));
    await section(15, "lagrange betaTauG1", "G1", () => writePoints("G1", flat(power, beta)));
  } catch (e) {
    await out.close();
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await pool.close();
  }
  await out.close();
  await rename(tmp, path);
  const { size } = await (await import("node:fs/promises")).stat(path);
  const seconds = (performance.now() - t0) / 1000;
  log(`dev ptau 2^${power}: ${path} (${(size / 2 ** 20).toFixed(1)} MiB) in ${seconds.toFixed(1)} s`);
  return { path, power, seconds, bytes: size };
}

function scalarsToBytesRaw(x: bigint): Uint8Array {
  return scalarsToBytes([x]);
}
