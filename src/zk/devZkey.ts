/**
 * INSECURE development Groth16 key (zkey), written directly from the known dev secrets.
 *
 * Produces exactly the bytes `snarkjs zkey new <r1cs> <dev ptau of the circuit's power>` writes (a test checks it
 * byte for byte), without reading the ptau. Why hand-rolled: snarkjs has no fast path for a known secret; its
 * `zkey new` builds each key point as a multi-exponentiation over the ptau's Lagrange points, one term per R1CS
 * coefficient (about 10 minutes at 2^15 on these machines). Knowing tau, alpha and beta (devPtau.ts), every key point
 * is a field scalar times a generator: A_i(tau) = sum_j a_ij L_j(tau), and so on. We compute those scalars with
 * bigints and multiply them with the fixed-base workers that write the dev ptau. Affine points have one encoding,
 * so equal scalars give equal bytes.
 *
 * Layout (snarkjs zkey_new.js, 0.7.6): sections in file order 1, 2, 4, 3, 9, 8, 5, 6, 7, 10.
 *  1: protocol (1 = Groth16).  2: q, r, nVars, nPublic, domain size, alpha1, beta1, beta2, gamma2 = G2, delta1 = G1,
 *  delta2 = G2.  4: the A and B coefficients (c * R^2 mod r: snarkjs's "double Montgomery" form) plus
 *  A[nConstraints + s][s] = 1 for the public signals s = 0..nPublic.  3: IC_s = (beta A_s + alpha B_s + C_s)(tau) G1
 *  for s <= nPublic.  9: H_i = L'_{2i+1}(tau) G1, L' the Lagrange basis of the 2n domain.  8: the same as IC for the
 *  private signals (divided by delta = 1).  5, 6, 7: A_i(tau) G1, B_i(tau) G1, B_i(tau) G2.  10: the blake2b-512
 *  circuit hash and no contributions. The circuit hash covers the points (uncompressed) in snarkjs's order; from
 *  2^15 on, snarkjs also hashes one stray value it reads past the ptau's tauG1 section: reproduced below.
 *
 * With `beacon`, the result is instead byte-identical to snarkjs `zkey beacon` applied to that key: delta is derived
 * as snarkjs does, C and H are computed divided by delta, and the beacon record (section 10, new delta in section 2)
 * comes from snarkjs's own beacon run on a copy of the key without its point sections (milliseconds).
 *
 * INSECURE BY CONSTRUCTION, like the dev ptau: for development, tests and benchmarks only.
 */
import { createHash } from "node:crypto";
import { open, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { availableParallelism } from "node:os";
import { ZkError } from "./errors.js";
import { BN254_BASE_MODULUS as FQ, BN254_SCALAR_MODULUS as FR } from "../protocol.js";
import { BinWriter, FixedBasePool, devSecrets, lagrangeAt, scalarsToBytes, type Group } from "./devPtau.js";
import { circuitPower, readBinSections, readR1csHeader } from "./r1cs.js";
import { loadSnarkjs } from "./libs.js";

const CHUNK = 8192;
/** snarkjs hashes the H points in chunks of 2^14 (zkey_new.js hashHPoints). */
const H_HASH_CHUNK = 1 << 14;
/** 2^256 mod r: Montgomery radix of ffjavascript's Fr. */
const R_MONT = (1n << 256n) % FR;
const R2 = (R_MONT * R_MONT) % FR;

export interface DevZkeyResult {
  path: string;
  power: number;
  nConstraints: number;
  nPublic: number;
  nVars: number;
  /** blake2b-512 circuit hash, as `snarkjs zkey new` returns it. */
  csHash: Uint8Array;
  seconds: number;
  /** Part of `seconds` spent in snarkjs's beacon on the header (0 without `beacon`). */
  beaconSeconds: number;
  bytes: number;
}

/** A snarkjs `zkey beacon` to apply (its arguments). */
export interface DevBeacon {
  name: string;
  hashHex: string;
  iterationsExp: number;
}

function u32(n: number, littleEndian = true): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, littleEndian);
  return b;
}

function readScalar(buf: Buffer, o: number): bigint {
  return (
    buf.readBigUInt64LE(o) |
    (buf.readBigUInt64LE(o + 8) << 64n) |
    (buf.readBigUInt64LE(o + 16) << 128n) |
    (buf.readBigUInt64LE(o + 24) << 192n)
  );
}

/**
 * Writes the dev zkey of a circuit to `path` (atomically). Equal, byte for byte, to snarkjs `zkey new` from the dev
 * ptau whose power is the circuit's own domain power (what setup.ts uses), before any contribution.
 */
export async function writeDevZkey(opts: {
  r1csPath: string;
  path: string;
  onProgress?: (msg: string) => void;
  threads?: number;
  /** Also apply this beacon: the result is then byte-identical to snarkjs `zkey beacon` on the key above. */
  beacon?: DevBeacon;
}): Promise<DevZkeyResult> {
  const log = opts.onProgress ?? (() => {});
  const t0 = performance.now();
  const header = await readR1csHeader(opts.r1csPath);
  if (header.prime !== FR) throw new ZkError("BAD_ARGUMENT", `${opts.r1csPath} is not over the BN254 scalar field`);
  const power = circuitPower(header);
  const n = 2 ** power;
  const { nVars, nConstraints } = header;
  const nPublic = header.nOutputs + header.nPubInputs;
  const { tau, alpha, beta } = devSecrets();

  // --- Scalars -------------------------------------------------------------------------------------------------
  let t = performance.now();
  const L = lagrangeAt(tau, power, false);
  const At: bigint[] = new Array(nVars).fill(0n);
  const Bt: bigint[] = new Array(nVars).fill(0n);
  const Ct: bigint[] = new Array(nVars).fill(0n);
  const sections = await readBinSections(opts.r1csPath, "r1cs");
  const s2 = sections.get(2);
  if (!s2) throw new ZkError("BAD_ARGUMENT", `${opts.r1csPath}: r1cs has no constraints section`);
  const r1cs = Buffer.alloc(s2.size);
  {
    const fh = await open(opts.r1csPath, "r");
    try {
      await fh.read(r1cs, 0, s2.size, s2.offset);
    } finally {
      await fh.close();
    }
  }
  // Section 4: the A and B entries (matrix, constraint, signal, coefficient c * R^2) in snarkjs's order (per
  // constraint A then B, then the public-signal rows). A first pass counts them, to fill the section in place.
  let nCoefs = nPublic + 1;
  let pos = 0;
  for (let c = 0; c < nConstraints; c++) {
    for (let m = 0; m < 3; m++) {
      const k = r1cs.readUInt32LE(pos);
      if (m < 2) nCoefs += k;
      pos += 4 + 36 * k;
    }
  }
  if (pos !== s2.size) throw new ZkError("BAD_ARGUMENT", `${opts.r1csPath}: constraints section has ${s2.size - pos} extra bytes`);
  const sec4 = Buffer.alloc(4 + nCoefs * 44);
  sec4.writeUInt32LE(nCoefs, 0);
  let o4 = 4;
  const pushCoef = (m: number, c: number, s: number, coef: bigint) => {
    sec4.writeUInt32LE(m, o4);
    sec4.writeUInt32LE(c, o4 + 4);
    sec4.writeUInt32LE(s, o4 + 8);
    let v = (coef * R2) % FR;
    for (let k = 0; k < 4; k++) {
      sec4.writeBigUInt64LE(BigInt.asUintN(64, v), o4 + 12 + 8 * k);
      v >>= 64n;
    }
    o4 += 44;
  };
  pos = 0;
  for (let c = 0; c < nConstraints; c++) {
    const l = L[c];
    for (let m = 0; m < 3; m++) {
      const k = r1cs.readUInt32LE(pos);
      pos += 4;
      const acc = m === 0 ? At : m === 1 ? Bt : Ct;
      for (let i = 0; i < k; i++) {
        const s = r1cs.readUInt32LE(pos);
        const coef = readScalar(r1cs, pos + 4);
        pos += 36;
        if (s >= nVars) throw new ZkError("BAD_ARGUMENT", `${opts.r1csPath}: signal ${s} out of range`);
        acc[s] += coef * l; // reduced once at the end
        if (m < 2) pushCoef(m, c, s, coef);
      }
    }
  }
  // The extra constraints that bind the public signals (and the constant 1) into A.
  for (let s = 0; s <= nPublic; s++) {
    At[s] += L[nConstraints + s];
    pushCoef(0, nConstraints + s, s, 1n);
  }
  for (let i = 0; i < nVars; i++) {
    At[i] %= FR;
    Bt[i] %= FR;
    Ct[i] %= FR;
  }
  const ic: bigint[] = new Array(nVars);
  for (let i = 0; i < nVars; i++) ic[i] = (beta * At[i] + alpha * Bt[i] + Ct[i]) % FR;
  // H: the 2n-domain Lagrange points at odd indices. The dev ptau has the circuit's power, so its 2n row is the
  // truncated one (see writeDevPtau); snarkjs copies that row, so we use the same values.
  const L2 = lagrangeAt(tau, power + 1, true);
  const H: bigint[] = new Array(n);
  for (let i = 0; i < n; i++) H[i] = L2[2 * i + 1];
  // Hashed but not stored: tau^i (tau^n - 1) G1 for i < n - 1 (snarkjs: ptau tauG1[n + i] - tauG1[i]).
  const tauN1 = (powMod(tau, BigInt(n)) - 1n + FR) % FR;
  const nHashH = Math.ceil((n - 1) / H_HASH_CHUNK) * Math.min(n - 1, H_HASH_CHUNK);
  const hashH: bigint[] = new Array(n - 1);
  let x = 1n;
  for (let i = 0; i < n - 1; i++) {
    hashH[i] = (x * tauN1) % FR;
    x = (x * tau) % FR;
  }
  const tauN_1 = x; // tau^(n-1)
  log(`dev zkey 2^${power}: scalars for ${nVars} signals, ${nCoefs} coefficients ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // --- Points ----------------------------------------------------------------------------------------------------
  // Everything is computed into memory first (a few hundred MB at 2^18), then hashed in snarkjs's order and written
  // in the file's order, which differ.
  let delta = 1n;
  if (opts.beacon) delta = await beaconDelta(opts.beacon.hashHex, opts.beacon.iterationsExp);
  const invDelta = inv(delta);
  // Each worker builds its own comb tables (seconds): small circuits are faster with a single worker.
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), 4, Math.ceil(Math.max(n, nVars) / CHUNK)));
  // About 3n + 5 nVars points in all: below ~10^4 per worker a small comb table is faster to build than to use.
  const pool = new FixedBasePool(threads, (3 * n + 5 * nVars) / threads < 10_000 ? 8 : 12);
  const tmp = `${opts.path}.tmp-${process.pid}`;
  const skeleton = `${opts.path}.beacon-${process.pid}`;
  try {
    const mul = async (name: string, group: Group, scalars: bigint[], from = 0, to = scalars.length) => {
      const ts = performance.now();
      const jobs: Promise<{ points: Uint8Array; pointsU: Uint8Array }>[] = [];
      for (let i = from; i < to; i += CHUNK) jobs.push(pool.multiplyU(group, scalarsToBytes(scalars, i, Math.min(to, i + CHUNK))));
      const rs = await Promise.all(jobs);
      log(`dev zkey 2^${power}: ${name} (${to - from} ${group}) ${((performance.now() - ts) / 1000).toFixed(1)} s`);
      return { points: Buffer.concat(rs.map((r) => r.points)), pointsU: Buffer.concat(rs.map((r) => r.pointsU)) };
    };
    const [g1, g2] = await Promise.all([mul("header", "G1", [alpha, beta, 1n]), mul("header", "G2", [beta, 1n])]);
    const pIC = await mul("IC", "G1", ic, 0, nPublic + 1);
    const pHashH = await mul("H hash points", "G1", hashH);
    let extraHashH: Uint8Array | undefined;
    if (nHashH > n - 1) {
      // snarkjs's chunk loop hashes one point more than it announces from 2^15 on: tauG1[2n - 1] - tauG1[n - 1],
      // where "tauG1[2n - 1]" is read past the end of the ptau's tauG1 section (2n - 1 points): the next
      // section's header (id 3, size n * 128) and the start of its first point, the G2 generator.
      const a = new Uint8Array(64);
      const dv = new DataView(a.buffer);
      dv.setUint32(0, 3, true);
      dv.setBigUint64(4, BigInt(n) * 128n, true);
      a.set(g2.points.subarray(128, 128 + 52), 12);
      const b = await pool.multiply("G1", scalarsToBytes([tauN_1]));
      extraHashH = await pool.subAffineU(a, b);
    }
    const pC = await mul("C", "G1", ic, nPublic + 1, nVars);
    const pA = await mul("A", "G1", At);
    const pB1 = await mul("B1", "G1", Bt);
    const pB2 = await mul("B2", "G2", Bt);
    const pH = await mul("H", "G1", delta === 1n ? H : H.map((h) => (h * invDelta) % FR));
    const pCw = delta === 1n ? pC : await mul("C / delta", "G1", ic.slice(nPublic + 1).map((c) => (c * invDelta) % FR));

    // --- Circuit hash (zkey_new.js: header points, then each point section with its length, big-endian) --------
    const hasher = createHash("blake2b512");
    const len = (k: number) => hasher.update(u32(k, false));
    const p1 = (b: Uint8Array, i: number) => b.subarray(i * 64, (i + 1) * 64);
    const p2 = (b: Uint8Array, i: number) => b.subarray(i * 128, (i + 1) * 128);
    const head: [Uint8Array, Uint8Array][] = [
      [p1(g1.points, 0), p1(g1.pointsU, 0)], // alpha1
      [p1(g1.points, 1), p1(g1.pointsU, 1)], // beta1
      [p2(g2.points, 0), p2(g2.pointsU, 0)], // beta2
      [p2(g2.points, 1), p2(g2.pointsU, 1)], // gamma2
      [p1(g1.points, 2), p1(g1.pointsU, 2)], // delta1 (before the beacon)
      [p2(g2.points, 1), p2(g2.pointsU, 1)], // delta2 (before the beacon)
    ];
    for (const [, u] of head) hasher.update(u);
    len(nPublic + 1);
    hasher.update(pIC.pointsU);
    len(n - 1);
    hasher.update(pHashH.pointsU);
    if (extraHashH) hasher.update(extraHashH);
    len(nVars - nPublic - 1);
    hasher.update(pC.pointsU);
    for (const p of [pA, pB1, pB2]) {
      len(nVars);
      hasher.update(p.pointsU);
    }
    const csHash = new Uint8Array(hasher.digest());

    // --- Sections -----------------------------------------------------------------------------------------------
    const sec1 = u32(1); // Groth16
    const sec2 = Buffer.concat([u32(32), scalarsToBytes([FQ]), u32(32), scalarsToBytes([FR]), u32(nVars), u32(nPublic), u32(n), ...head.map(([b]) => b)]);
    const sec10 = Buffer.concat([csHash, u32(0)]); // no contributions yet

    let beaconSeconds = 0;
    let fileSections: [number, Uint8Array][];
    if (!opts.beacon) {
      fileSections = [[1, sec1], [2, sec2], [4, sec4], [3, pIC.points], [9, pH.points], [8, pC.points], [5, pA.points], [6, pB1.points], [7, pB2.points], [10, sec10]];
    } else {
      // The beacon's own record (delta points, proof of knowledge, transcript over the circuit hash): snarkjs's
      // beacon on a key with the same header and circuit hash but empty point sections (it only copies or scales
      // those), so the record is snarkjs's own. Its new delta1 must be delta * G1: checked.
      const tb = performance.now();
      const empty = new Uint8Array(0);
      await writeBin(skeleton, [[1, sec1], [2, sec2], [3, empty], [4, empty], [5, empty], [6, empty], [7, empty], [8, empty], [9, empty], [10, sec10]]);
      const snarkjs = await loadSnarkjs();
      const b = opts.beacon;
      const ok = await snarkjs.zKey.beacon(skeleton, tmp, b.name, b.hashHex, b.iterationsExp);
      if (!ok || (ok as unknown) === -1) throw new ZkError("SETUP_FAILED", "snarkjs zkey beacon failed on the dev key header");
      const after = await readBin(tmp, "zkey");
      const sec2b = after.get(2)!;
      const delta1 = await pool.multiply("G1", scalarsToBytes([delta]));
      const off = sec2.byteLength - 64 - 128; // delta1, then delta2, end the section
      if (sec2b.byteLength !== sec2.byteLength || Buffer.compare(Buffer.from(sec2b.subarray(off, off + 64)), Buffer.from(delta1)) !== 0) {
        throw new ZkError("SETUP_FAILED", "dev zkey: the beacon's delta differs from the one computed here (snarkjs changed?)");
      }
      fileSections = [[1, sec1], [2, sec2b], [3, pIC.points], [4, sec4], [5, pA.points], [6, pB1.points], [7, pB2.points], [8, pCw.points], [9, pH.points], [10, after.get(10)!]];
      beaconSeconds = (performance.now() - tb) / 1000;
      log(`dev zkey 2^${power}: beacon record ${beaconSeconds.toFixed(1)} s`);
    }
    await mkdir(dirname(opts.path), { recursive: true });
    await writeBin(tmp, fileSections);
    await rename(tmp, opts.path);
    const seconds = (performance.now() - t0) / 1000;
    const { size } = await stat(opts.path);
    log(`dev zkey 2^${power}: ${opts.path} (${(size / 2 ** 20).toFixed(1)} MiB) in ${seconds.toFixed(1)} s`);
    return { path: opts.path, power, nConstraints, nPublic, nVars, csHash, seconds, beaconSeconds, bytes: size };
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await rm(skeleton, { force: true });
    await pool.close();
  }
}

/** Writes an iden3 binfile with the given sections, in order. */
async function writeBin(path: string, sections: [number, Uint8Array][]): Promise<void> {
  const out = await BinWriter.create(path, "zkey", 1, sections.length);
  try {
    for (const [id, data] of sections) {
      await out.startSection(id);
      await out.write(data);
      await out.endSection();
    }
  } finally {
    await out.close();
  }
}

async function readBin(path: string, magic: string): Promise<Map<number, Uint8Array>> {
  const secs = await readBinSections(path, magic);
  const buf = await readFile(path);
  return new Map([...secs].map(([id, { offset, size }]) => [id, buf.subarray(offset, offset + size)]));
}

/**
 * The delta scalar snarkjs's `zkey beacon` derives from a beacon hash. Why snarkjs's own code (misc.js, not exported
 * by the package: imported by file): the derivation goes through its ChaCha and Fr.fromRng (a Montgomery-form
 * value); reusing it avoids re-deriving those details, and writeDevZkey checks the result against the beacon's.
 * Exported for test/zk/ceremony.test.ts: anyone can compute this scalar from a public beacon, which is why a key made
 * of public beacons only is forgeable.
 */
export async function beaconDelta(hashHex: string, iterationsExp: number): Promise<bigint> {
  const snarkjs = await loadSnarkjs();
  const root = dirname(dirname(createRequire(import.meta.url).resolve("snarkjs")));
  const misc = (await import(pathToFileURL(join(root, "src", "misc.js")).href)) as {
    rngFromBeaconParams(h: Uint8Array, e: number): Promise<unknown>;
    hex2ByteArray(s: string): Uint8Array;
  };
  const curve = (await snarkjs.curves.getCurveFromName("bn128")) as unknown as { Fr: { fromRng(r: unknown): unknown; toObject(x: unknown): bigint } };
  const rng = await misc.rngFromBeaconParams(misc.hex2ByteArray(hashHex), iterationsExp);
  return curve.Fr.toObject(curve.Fr.fromRng(rng));
}

function inv(a: bigint): bigint {
  return powMod(a, FR - 2n);
}

function powMod(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = b % FR;
  while (e > 0n) {
    if (e & 1n) r = (r * x) % FR;
    x = (x * x) % FR;
    e >>= 1n;
  }
  return r;
}
