/**
 * Groth16 setup of a compiled circuit: phase-2 key (zkey) and verification key.
 *
 * Default: the deterministic, INSECURE development setup: the key that `snarkjs zkey new` from the dev powers of tau
 * (devPtau.ts, known secret) followed by a deterministic `zkey beacon` would make, written directly from the secrets
 * (devZkey.ts: byte-identical, no ptau file needed). Anyone can forge proofs against such a key: it is for development,
 * tests and benchmarks only.
 * With `ptau` (a real ceremony file, prepared for phase 2): the same snarkjs steps from that file.
 *
 * Results are cached in `build/setup/<name>/` keyed by the r1cs hash and the ptau identity, so a second run is instant.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import { ZkError } from "./errors.js";
import { DEV_PTAU_VERSION, DEV_SETUP_LABEL, FR } from "./devPtau.js";
import { writeDevZkey } from "./devZkey.js";
import { circuitPower, readPtauInfo, readR1csHeader } from "./r1cs.js";
import { loadSnarkjs, type Logger, type VerificationKey } from "./libs.js";

/** Where setups are kept (relative to the working directory, which is the repository root for all entry points). */
export const SETUP_DIR = "build/setup";
/** Bump when the setup procedure changes so that caches are rebuilt. 2: dev zkey written directly (devZkey.ts). */
const SETUP_VERSION = 2;
/** snarkjs beacon: 2^10 hash iterations (the beacon here is a fixed public value, not a delay function). */
const BEACON_ITERATIONS_EXP = 10;

export type SetupMode = "dev-insecure" | "ptau";

export interface SetupResult {
  zkeyPath: string;
  vkeyPath: string;
  vkey: VerificationKey;
  /** True when nothing was computed (cache hit). */
  cached: boolean;
  mode: SetupMode;
  /** Domain power 2^power used by the circuit. */
  power: number;
  nConstraints: number;
  nPublic: number;
  /** The ceremony ptau; empty in dev mode (the dev zkey is computed from the secrets, no ptau file is written). */
  ptauPath: string;
  /** 0 in dev mode. */
  ptauBytes: number;
  zkeyBytes: number;
  /**
   * Seconds spent in each phase of the run that produced the setup (kept in the cache, reported on hits too).
   * zkeyNew: snarkjs `zkey new`, or in dev mode the direct dev zkey; ptau is 0 in dev mode.
   */
  seconds: { ptau: number; zkeyNew: number; beacon: number; total: number };
  r1csHash: string;
}

export interface SetupOptions {
  r1csPath: string;
  /** Name of the setup, e.g. "block_T2_D8": the folder under build/setup/. */
  name: string;
  /** A real ceremony ptau (prepared for phase 2). Without it: the INSECURE dev setup. */
  ptau?: string;
  /** Ignore the cache. */
  force?: boolean;
  /** Root folder (default build/setup). */
  setupDir?: string;
  /** Progress lines (a line per phase, with timings). */
  onProgress?: (msg: string) => void;
}

interface Meta {
  setupVersion: number;
  r1csHash: string;
  ptauId: string;
  result: Omit<SetupResult, "vkey" | "cached">;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Fixed public beacon value: makes delta (hence the vkey and the verifier contract) the same on every build. */
export function beaconHash(mode: SetupMode): string {
  const label = mode === "dev-insecure" ? `${DEV_SETUP_LABEL}/beacon` : "fernet-rollup phase-2 beacon v1";
  return keccak256(toUtf8Bytes(label)).slice(2);
}

function quietLogger(onProgress?: (m: string) => void): Logger {
  const noop = () => {};
  return { debug: noop, info: noop, warn: (m) => onProgress?.(`snarkjs warning: ${m}`), error: (m) => onProgress?.(`snarkjs error: ${m}`) };
}

function sanitizeName(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new ZkError("BAD_ARGUMENT", `setup name must match [A-Za-z0-9_.-]+, got "${name}"`);
  return name;
}

/** Path of the cached dev ptau of a power (shared by all circuits of that size). */
export function devPtauPath(power: number, setupDir = SETUP_DIR): string {
  return join(setupDir, "ptau", `fernet-dev-INSECURE-v${DEV_PTAU_VERSION}_${power}.ptau`);
}

/** Runs (or reuses) the Groth16 setup of a circuit. See the module comment. */
export async function setupCircuit(opts: SetupOptions): Promise<SetupResult> {
  const name = sanitizeName(opts.name);
  const setupDir = opts.setupDir ?? SETUP_DIR;
  const log = opts.onProgress ?? (() => {});
  const r1csPath = resolve(opts.r1csPath);
  if (!existsSync(r1csPath)) throw new ZkError("FILE_NOT_FOUND", `r1cs not found: ${opts.r1csPath} (compile the circuit first)`);
  const header = await readR1csHeader(r1csPath);
  if (header.prime !== FR) throw new ZkError("BAD_ARGUMENT", `${opts.r1csPath} is not over the BN254 scalar field`);
  const power = circuitPower(header);
  const nPublic = header.nOutputs + header.nPubInputs;
  const mode: SetupMode = opts.ptau ? "ptau" : "dev-insecure";

  const dir = join(setupDir, name);
  const zkeyPath = join(dir, "circuit.zkey");
  const vkeyPath = join(dir, "vkey.json");
  const metaPath = join(dir, "setup.json");

  const r1csHash = await sha256File(r1csPath);
  let ptauPath: string;
  let ptauId: string;
  if (opts.ptau) {
    ptauPath = resolve(opts.ptau);
    if (!existsSync(ptauPath)) throw new ZkError("FILE_NOT_FOUND", `ptau not found: ${opts.ptau}`);
    const info = await readPtauInfo(ptauPath);
    if (!info.prepared) {
      throw new ZkError("BAD_ARGUMENT", `${opts.ptau} is not prepared for phase 2 (run snarkjs powersoftau prepare phase2)`);
    }
    if (info.power < power) {
      throw new ZkError("CIRCUIT_TOO_BIG", `circuit needs a ptau of power >= ${power} (${header.nConstraints} constraints); ${opts.ptau} has ${info.power}`);
    }
    const st = await stat(ptauPath);
    // Identity of a ceremony file: name, size and hash of its contents.
    ptauId = `ptau:${basename(ptauPath)}:${st.size}:${await sha256File(ptauPath)}`;
  } else {
    ptauPath = "";
    ptauId = `dev-insecure:v${DEV_PTAU_VERSION}:${power}`;
  }

  if (!opts.force && existsSync(metaPath) && existsSync(zkeyPath) && existsSync(vkeyPath)) {
    try {
      const meta = JSON.parse(await readFile(metaPath, "utf8")) as Meta;
      if (meta.setupVersion === SETUP_VERSION && meta.r1csHash === r1csHash && meta.ptauId === ptauId) {
        const vkey = JSON.parse(await readFile(vkeyPath, "utf8")) as VerificationKey;
        log(`setup ${name}: cached (${zkeyPath})`);
        return { ...meta.result, zkeyPath, vkeyPath, vkey, cached: true };
      }
    } catch {
      // unreadable cache: rebuild below
    }
  }

  const t0 = performance.now();
  const seconds = { ptau: 0, zkeyNew: 0, beacon: 0, total: 0 };

  await mkdir(dir, { recursive: true });
  const snarkjs = await loadSnarkjs();
  const logger = quietLogger(opts.onProgress);
  const tmp0 = join(dir, `circuit_0000.zkey.tmp-${process.pid}`);
  const tmp1 = join(dir, `circuit.zkey.tmp-${process.pid}`);
  try {
    let t = performance.now();
    const beaconName = mode === "dev-insecure" ? "fernet-rollup INSECURE dev beacon" : "fernet-rollup beacon";
    if (mode === "dev-insecure") {
      // zkey new and the beacon in one pass: byte-identical to the snarkjs steps below on the dev ptau.
      log(`setup ${name}: INSECURE dev zkey 2^${power} (${header.nConstraints} constraints), written from the known secrets`);
      const beacon = { name: beaconName, hashHex: beaconHash(mode), iterationsExp: BEACON_ITERATIONS_EXP };
      const r = await writeDevZkey({ r1csPath, path: tmp1, onProgress: log, beacon });
      seconds.beacon = r.beaconSeconds;
      seconds.zkeyNew = r.seconds - r.beaconSeconds;
      log(`setup ${name}: dev zkey ${seconds.zkeyNew.toFixed(1)} s, beacon ${seconds.beacon.toFixed(1)} s`);
    } else {
      log(`setup ${name}: snarkjs zkey new (2^${power})`);
      const csHash = await snarkjs.zKey.newZKey(r1csPath, ptauPath, tmp0, logger);
      if (!(csHash instanceof Uint8Array)) throw new ZkError("SETUP_FAILED", `snarkjs zkey new failed for ${opts.r1csPath} with ${ptauPath}`);
      seconds.zkeyNew = (performance.now() - t) / 1000;
      log(`setup ${name}: zkey new ${seconds.zkeyNew.toFixed(1)} s`);

      t = performance.now();
      const ok = await snarkjs.zKey.beacon(tmp0, tmp1, beaconName, beaconHash(mode), BEACON_ITERATIONS_EXP, logger);
      if (!ok || (ok as unknown) === -1) throw new ZkError("SETUP_FAILED", `snarkjs zkey beacon failed for ${name}`);
      seconds.beacon = (performance.now() - t) / 1000;
      log(`setup ${name}: beacon ${seconds.beacon.toFixed(1)} s`);
    }
    await rename(tmp1, zkeyPath);
  } catch (e) {
    await rm(tmp1, { force: true });
    throw e instanceof ZkError ? e : new ZkError("SETUP_FAILED", `setup of ${name} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    await rm(tmp0, { force: true });
  }

  const vkey = await snarkjs.zKey.exportVerificationKey(zkeyPath, logger);
  await writeFile(vkeyPath, JSON.stringify(vkey, null, 1) + "\n");
  seconds.total = (performance.now() - t0) / 1000;
  const result: Meta["result"] = {
    zkeyPath,
    vkeyPath,
    mode,
    power,
    nConstraints: header.nConstraints,
    nPublic,
    ptauPath,
    ptauBytes: ptauPath ? (await stat(ptauPath)).size : 0,
    zkeyBytes: (await stat(zkeyPath)).size,
    seconds,
    r1csHash,
  };
  const meta: Meta = { setupVersion: SETUP_VERSION, r1csHash, ptauId, result };
  await writeFile(metaPath, JSON.stringify(meta, null, 2) + "\n");
  log(`setup ${name}: done in ${seconds.total.toFixed(1)} s (zkey ${(result.zkeyBytes / 2 ** 20).toFixed(1)} MiB)${mode === "dev-insecure" ? " [INSECURE dev setup]" : ""}`);
  return { ...result, vkey, cached: false };
}
