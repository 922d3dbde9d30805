/**
 * Groth16 setup of a compiled circuit: phase-2 key (zkey) and verification key.
 *
 * Default: the deterministic, INSECURE development setup: the key that `snarkjs zkey new` from the dev powers of tau
 * (devPtau.ts, known secret) followed by a deterministic `zkey beacon` would make, written directly from the secrets
 * (devZkey.ts: byte-identical, no ptau file needed). Anyone can forge proofs against such a key: it is for development,
 * tests and benchmarks only.
 * With `ptau` (a real ceremony file, prepared for phase 2): `snarkjs zkey new` from that file, then at least one
 * SECRET phase-2 contribution, then the public beacon. The secret contribution is either made here from OS entropy
 * (crypto.randomBytes, handed to snarkjs `zkey contribute` and never written anywhere), or imported with `zkey`: a
 * contributed key made elsewhere, verified against the r1cs and the ptau (snarkjs `zkey verify`) and required to
 * hold at least one non-beacon contribution. A key whose only phase-2 steps are public beacons is refused
 * (ZkError INSECURE_SETUP): the beacon is public, so its delta is known and anyone can forge proofs (security
 * finding 1, docs/security.md).
 *
 * Results are cached in `build/setup/<name>/` keyed by the r1cs hash and the ptau identity, so a second run is instant.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import { ZkError } from "./errors.js";
import { DEV_PTAU_VERSION, DEV_SETUP_LABEL } from "./devPtau.js";
import { BN254_SCALAR_MODULUS as FR } from "../protocol.js";
import { writeDevZkey } from "./devZkey.js";
import { circuitPower, readBinSections, readPtauInfo, readR1csHeader } from "./r1cs.js";
import { loadSnarkjs, type Logger, type VerificationKey } from "./libs.js";

/** Where setups are kept (relative to the working directory, which is the repository root for all entry points). */
export const SETUP_DIR = "build/setup";
/** Bump when the setup procedure changes so that caches are rebuilt. 2: dev zkey written directly (devZkey.ts). */
const SETUP_VERSION = 2;
/** snarkjs beacon: 2^10 hash iterations (the beacon here is a fixed public value, not a delay function). */
export const BEACON_ITERATIONS_EXP = 10;

export type SetupMode = "dev-insecure" | "ptau";

/** Where the secret phase-2 contribution of a ptau-mode key comes from. */
export type Phase2Source = "os-entropy" | "imported-zkey";

/**
 * Where a key comes from, as written into every generated verifier, vk library and setup.json (see setupLabel).
 * Counts are read from the zkey's MPC section (snarkjs section 10), not assumed.
 */
export interface SetupProvenance {
  mode: SetupMode;
  /** sha256 (hex) of the ceremony ptau file; "" in dev mode. */
  ptauSha256: string;
  /** Phase-2 contributions that are not public beacons (snarkjs type 0). 0 in dev mode (its secrets are public). */
  secretContributions: number;
  /** Public-beacon contributions (snarkjs type 1). */
  beacons: number;
  /** ptau mode: the secret contribution made here from OS entropy, or an imported contributed key (its sha256). */
  phase2?: { source: Phase2Source; zkeySha256?: string };
}

/** The label of the dev setup (unchanged text: the committed verifiers in contracts/verifiers/ carry it). */
export const DEV_INSECURE_LABEL = "INSECURE deterministic development setup (known secret: anyone can forge proofs; never use with value)";

/** Provenance of the dev setup (no secret: tau, alpha, beta and the beacon are public). */
export const DEV_PROVENANCE: SetupProvenance = { mode: "dev-insecure", ptauSha256: "", secretContributions: 0, beacons: 1 };

/**
 * The one-line label of a setup, copied into the generated Solidity headers and shown by the CLI:
 * "INSECURE deterministic development setup (known secret: ...)" or
 * "ptau sha256:<hash> + N secret contribution(s) (<source>) + beacon".
 * @throws ZkError INSECURE_SETUP for a ptau-mode key without a secret contribution (there is no honest label for it:
 *         it must not be exported), or for ptau mode without a provenance record (nothing shows a contribution).
 */
export function setupLabel(setup: SetupMode | SetupProvenance): string {
  const p = typeof setup === "string" ? undefined : setup;
  const mode = typeof setup === "string" ? setup : setup.mode;
  if (mode === "dev-insecure") return DEV_INSECURE_LABEL;
  if (!p) throw new ZkError("INSECURE_SETUP", "a ptau-mode key needs its setup provenance (secret phase-2 contributions) to be exported");
  assertSecretContribution(p.secretContributions, "the key");
  const source = p.phase2?.source === "imported-zkey"
    ? `, imported zkey${p.phase2.zkeySha256 ? ` sha256:${p.phase2.zkeySha256}` : ""}`
    : p.phase2?.source === "os-entropy" ? ", OS entropy" : "";
  const beacon = p.beacons === 0 ? "" : p.beacons === 1 ? " + beacon" : ` + ${p.beacons} beacons`;
  return `ptau sha256:${p.ptauSha256 || "unknown"} + ${p.secretContributions} secret contribution(s)${source ? ` (${source.slice(2)})` : ""}${beacon}`;
}

function assertSecretContribution(secret: number, what: string): void {
  if (secret >= 1) return;
  throw new ZkError(
    "INSECURE_SETUP",
    `${what} has no secret phase-2 contribution (beacon-only or none): its delta follows from public data, so anyone can ` +
      "forge proofs. Let the setup contribute OS entropy (the default with --ptau) or import a contributed key with --zkey FILE",
  );
}

/** A phase-2 contribution as recorded in a zkey (snarkjs section 10). */
export interface ZkeyContribution {
  /** snarkjs type: 0 a contribution (secret if its maker kept it so), 1 a public beacon. */
  type: number;
  name?: string;
}

/**
 * Reads the phase-2 contributions of a zkey from its MPC section (snarkjs section 10) without touching the point
 * sections: a few hundred bytes per contribution, whatever the key's size.
 */
export async function readZkeyContributions(zkeyPath: string): Promise<{ contributions: ZkeyContribution[]; secret: number; beacons: number }> {
  const sections = await readBinSections(zkeyPath, "zkey");
  const sec = sections.get(10);
  if (!sec) throw new ZkError("BAD_ZKEY", `${zkeyPath} has no phase-2 (MPC) section: not a snarkjs Groth16 zkey`);
  const fh = await open(zkeyPath, "r");
  let buf: Buffer;
  try {
    buf = Buffer.alloc(sec.size);
    await fh.read(buf, 0, sec.size, sec.offset);
  } finally {
    await fh.close();
  }
  const bad = () => new ZkError("BAD_ZKEY", `${zkeyPath}: malformed phase-2 (MPC) section`);
  if (buf.length < 68) throw bad();
  const n = buf.readUInt32LE(64);
  let pos = 68;
  const contributions: ZkeyContribution[] = [];
  for (let i = 0; i < n; i++) {
    // deltaAfter, g1_s, g1_sx (G1, 64 bytes each), g2_spx (G2, 128), transcript (64), type, params length, params.
    pos += 64 * 3 + 128 + 64;
    if (pos + 8 > buf.length) throw bad();
    const type = buf.readUInt32LE(pos);
    const len = buf.readUInt32LE(pos + 4);
    pos += 8;
    if (pos + len > buf.length) throw bad();
    const c: ZkeyContribution = { type };
    if (len >= 2 && buf[pos] === 1) c.name = buf.toString("utf8", pos + 2, pos + 2 + buf[pos + 1]);
    contributions.push(c);
    pos += len;
  }
  const beacons = contributions.filter((c) => c.type === 1).length;
  return { contributions, secret: contributions.length - beacons, beacons };
}

/**
 * Refuses a ptau-mode zkey without a secret phase-2 contribution (ZkError INSECURE_SETUP); returns its counts.
 * Dev keys are not checked (insecure by construction, and labelled so).
 */
export async function assertCeremonyKey(zkeyPath: string, what = zkeyPath): Promise<{ secret: number; beacons: number }> {
  const c = await readZkeyContributions(zkeyPath);
  assertSecretContribution(c.secret, what);
  return c;
}

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
  seconds: { ptau: number; zkeyNew: number; beacon: number; total: number; contribute?: number; verifyImport?: number };
  r1csHash: string;
  /** What the key is made of (written into the generated files' labels and setup.json). */
  provenance: SetupProvenance;
}

export interface SetupOptions {
  r1csPath: string;
  /** Name of the setup, e.g. "block_T2_D8": the folder under build/setup/. */
  name: string;
  /** A real ceremony ptau (prepared for phase 2). Without it: the INSECURE dev setup. */
  ptau?: string;
  /**
   * ptau mode only: a contributed phase-2 key made elsewhere from this r1cs and ptau (snarkjs `zkey new` +
   * `zkey contribute` by one or more contributors). Verified, then finished with the beacon. Without it, the setup
   * contributes OS entropy itself.
   */
  zkey?: string;
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
  if (opts.zkey && !opts.ptau) throw new ZkError("BAD_ARGUMENT", "--zkey needs --ptau: the ceremony file the contributed key was made from");
  let importPath: string | undefined;
  let importSha = "";
  if (opts.zkey) {
    // First and cheap (the MPC section only): a key without a secret contribution is refused whatever else it is.
    importPath = resolve(opts.zkey);
    if (!existsSync(importPath)) throw new ZkError("FILE_NOT_FOUND", `zkey not found: ${opts.zkey}`);
    await assertCeremonyKey(importPath, `imported key ${opts.zkey}`);
    importSha = await sha256File(importPath);
  }

  const dir = join(setupDir, name);
  const zkeyPath = join(dir, "circuit.zkey");
  const vkeyPath = join(dir, "vkey.json");
  const metaPath = join(dir, "setup.json");

  const r1csHash = await sha256File(r1csPath);
  let ptauPath: string;
  let ptauId: string;
  let ptauSha = "";
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
    // Identity of a ceremony file (name, size and hash of its contents) and of the phase-2 source: an OS-entropy
    // contribution is made once and then reused from the cache (--force makes a new one).
    ptauSha = await sha256File(ptauPath);
    ptauId = `ptau:${basename(ptauPath)}:${st.size}:${ptauSha}|phase2:${importPath ? `zkey:${importSha}` : "os-entropy"}`;
  } else {
    ptauPath = "";
    ptauId = `dev-insecure:v${DEV_PTAU_VERSION}:${power}`;
  }

  if (!opts.force && existsSync(metaPath) && existsSync(zkeyPath) && existsSync(vkeyPath)) {
    try {
      const meta = JSON.parse(await readFile(metaPath, "utf8")) as Meta;
      if (meta.setupVersion === SETUP_VERSION && meta.r1csHash === r1csHash && meta.ptauId === ptauId) {
        // Dev caches written before provenance was recorded are still the same key; ptau caches without it were
        // made by the beacon-only path (their ptauId differs anyway) and are rebuilt.
        const provenance = meta.result.provenance ?? (mode === "dev-insecure" ? DEV_PROVENANCE : undefined);
        if (provenance && (mode === "dev-insecure" || provenance.secretContributions >= 1)) {
          const vkey = JSON.parse(await readFile(vkeyPath, "utf8")) as VerificationKey;
          log(`setup ${name}: cached (${zkeyPath})`);
          return { ...meta.result, provenance, zkeyPath, vkeyPath, vkey, cached: true };
        }
      }
    } catch {
      // unreadable cache: rebuild below
    }
  }

  const t0 = performance.now();
  const seconds: SetupResult["seconds"] = { ptau: 0, zkeyNew: 0, beacon: 0, total: 0 };

  await mkdir(dir, { recursive: true });
  const snarkjs = await loadSnarkjs();
  const logger = quietLogger(opts.onProgress);
  const tmp0 = join(dir, `circuit_0000.zkey.tmp-${process.pid}`);
  const tmp1 = join(dir, `circuit.zkey.tmp-${process.pid}`);
  const tmpC = join(dir, `circuit_0001.zkey.tmp-${process.pid}`);
  let provenance: SetupProvenance = DEV_PROVENANCE;
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
      let contributed: string;
      if (importPath) {
        // An imported contributed key: same circuit, same ptau, a valid contribution chain (snarkjs zkey verify:
        // it redoes zkey new in memory and checks every contribution and the point sections against the last delta).
        log(`setup ${name}: verifying the imported key ${opts.zkey} against the r1cs and the ptau`);
        const ok = await snarkjs.zKey.verifyFromR1cs(r1csPath, ptauPath, importPath, logger);
        seconds.verifyImport = (performance.now() - t) / 1000;
        if (ok !== true) {
          throw new ZkError("BAD_ZKEY", `${opts.zkey} does not verify against ${opts.r1csPath} and ${opts.ptau} (another circuit or ptau, or a broken contribution)`);
        }
        log(`setup ${name}: imported key verified in ${seconds.verifyImport.toFixed(1)} s`);
        contributed = importPath;
      } else {
        log(`setup ${name}: snarkjs zkey new (2^${power})`);
        const csHash = await snarkjs.zKey.newZKey(r1csPath, ptauPath, tmp0, logger);
        if (!(csHash instanceof Uint8Array)) throw new ZkError("SETUP_FAILED", `snarkjs zkey new failed for ${opts.r1csPath} with ${ptauPath}`);
        seconds.zkeyNew = (performance.now() - t) / 1000;
        log(`setup ${name}: zkey new ${seconds.zkeyNew.toFixed(1)} s`);

        // The secret contribution: 64 bytes of OS entropy (snarkjs mixes in 64 more of its own). The entropy and the
        // scalar derived from it live only in this process's memory; only delta*G and a proof of knowledge go into
        // the key. Nothing is logged but the public contribution hash.
        t = performance.now();
        const hash = await snarkjs.zKey.contribute(tmp0, tmpC, "fernet-rollup setup (OS entropy)", randomBytes(64).toString("hex"), logger);
        if (!(hash instanceof Uint8Array)) throw new ZkError("SETUP_FAILED", `snarkjs zkey contribute failed for ${name}`);
        seconds.contribute = (performance.now() - t) / 1000;
        log(`setup ${name}: secret contribution (OS entropy) ${seconds.contribute.toFixed(1)} s, contribution hash ${Buffer.from(hash).toString("hex").slice(0, 32)}...`);
        contributed = tmpC;
      }

      t = performance.now();
      const ok = await snarkjs.zKey.beacon(contributed, tmp1, beaconName, beaconHash(mode), BEACON_ITERATIONS_EXP, logger);
      if (!ok || (ok as unknown) === -1) throw new ZkError("SETUP_FAILED", `snarkjs zkey beacon failed for ${name}`);
      seconds.beacon = (performance.now() - t) / 1000;
      log(`setup ${name}: beacon ${seconds.beacon.toFixed(1)} s`);
      // The final key, as it will be used and exported, must hold the secret contribution.
      const counts = await assertCeremonyKey(tmp1, `the key made for ${name}`);
      provenance = {
        mode,
        ptauSha256: ptauSha,
        secretContributions: counts.secret,
        beacons: counts.beacons,
        phase2: importPath ? { source: "imported-zkey", zkeySha256: importSha } : { source: "os-entropy" },
      };
    }
    await rename(tmp1, zkeyPath);
  } catch (e) {
    await rm(tmp1, { force: true });
    throw e instanceof ZkError ? e : new ZkError("SETUP_FAILED", `setup of ${name} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    await rm(tmp0, { force: true });
    await rm(tmpC, { force: true });
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
    provenance,
  };
  const meta: Meta = { setupVersion: SETUP_VERSION, r1csHash, ptauId, result };
  await writeFile(metaPath, JSON.stringify(meta, null, 2) + "\n");
  log(`setup ${name}: done in ${seconds.total.toFixed(1)} s (zkey ${(result.zkeyBytes / 2 ** 20).toFixed(1)} MiB) [${setupLabel(provenance)}]`);
  return { ...result, vkey, cached: false };
}
