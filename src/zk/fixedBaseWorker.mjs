// Worker thread for the INSECURE development setup: multiplies the fixed generators of G1/G2 by many scalars.
//
// Why hand-rolled: ffjavascript has batch multiplication only for geometric scalar sequences (batchApplyKey) and
// a generic per-point scalar multiplication (~280 us in G1, ~1 ms in G2). Because the base point is always the
// generator, a fixed-base comb (precomputed d * 2^(W*j) * G for every W-bit digit d) needs only ceil(254/W)
// mixed additions per point, about 10x fewer group operations. The curve arithmetic itself is ffjavascript's wasm.
//
// Plain .mjs on purpose: it must load the same way under `npx tsx` and under `npx hardhat test mocha`.
import { parentPort, workerData } from "node:worker_threads";
import { buildBn128 } from "ffjavascript";

// Window bits. 12: 22 additions per point, table of 22 * 4096 points (5.8 MB G1, 11.5 MB G2), worth it from about
// 10^4 points per worker; small keys pass 8 (32 additions per point, a 12x smaller table that builds in a second).
const W = workerData?.window ?? 12;
const NWIN = Math.ceil(256 / W);
const SCALAR_BYTES = 32;

let curvePromise;
const tables = {};

function getCurve() {
  curvePromise ??= buildBn128(true);
  return curvePromise;
}

/** Grows the wasm memory so that `bytes` more can be bump-allocated (ffjavascript starts it at 1.6 MB). */
function ensureMemory(tm, bytes) {
  const need = tm.u32[0] + bytes + 1024;
  const have = tm.memory.buffer.byteLength;
  if (need > have) {
    tm.memory.grow(Math.ceil((need - have) / 65536));
    tm.u8 = new Uint8Array(tm.memory.buffer);
    tm.u32 = new Uint32Array(tm.memory.buffer);
  }
}

function groupInfo(curve, group) {
  const G = curve[group];
  const prefix = group === "G1" ? "g1m" : "g2m";
  return { G, prefix, sJ: G.F.n8 * 3, sA: G.F.n8 * 2 };
}

async function getTable(group) {
  if (tables[group]) return tables[group];
  const curve = await getCurve();
  const tm = curve.tm;
  const ex = tm.instance.exports;
  const { G, prefix, sJ, sA } = groupInfo(curve, group);
  const nPts = NWIN << W;
  // batchToAffine uses scratch space above the free pointer (one field element per point, or so): reserve extra.
  ensureMemory(tm, nPts * (sA + 2 * sJ) + sJ);
  const pTab = tm.alloc(nPts * sA); // stays allocated for the worker's lifetime
  const mark = tm.u32[0];
  const pTabJ = tm.alloc(nPts * sJ);
  const pBase = tm.alloc(sJ);
  tm.setBuff(pBase, G.g);
  for (let j = 0; j < NWIN; j++) {
    const row = pTabJ + (j << W) * sJ;
    ex[prefix + "_zero"](row);
    for (let d = 1; d < 1 << W; d++) ex[prefix + "_add"](row + (d - 1) * sJ, pBase, row + d * sJ);
    for (let k = 0; k < W; k++) ex[prefix + "_double"](pBase, pBase);
  }
  ex[prefix + "_batchToAffine"](pTabJ, nPts, pTab);
  tm.u32[0] = mark;
  tables[group] = pTab;
  return pTab;
}

/**
 * scalars: n * 32 bytes, canonical little-endian, each < r. Returns n affine points (Montgomery LE, ptau layout)
 * and, with `withU`, also the same points in snarkjs's uncompressed form (what the zkey circuit hash is taken over).
 */
async function multiply(group, scalars, withU) {
  const curve = await getCurve();
  const pTab = await getTable(group);
  const tm = curve.tm;
  const ex = tm.instance.exports;
  const { prefix, sJ, sA } = groupInfo(curve, group);
  const n = scalars.byteLength / SCALAR_BYTES;
  ensureMemory(tm, n * (2 * sJ + sA));
  const mark = tm.u32[0];
  const pOutJ = tm.alloc(n * sJ);
  const pOutA = tm.alloc(n * sA);
  const addMixed = ex[prefix + "_addMixed"];
  const zero = ex[prefix + "_zero"];
  const mask = (1 << W) - 1;
  for (let i = 0; i < n; i++) {
    const acc = pOutJ + i * sJ;
    const base = i * SCALAR_BYTES;
    zero(acc);
    for (let j = 0; j < NWIN; j++) {
      const bit = j * W;
      const byte = bit >> 3;
      const v =
        scalars[base + byte] |
        (byte + 1 < SCALAR_BYTES ? scalars[base + byte + 1] << 8 : 0) |
        (byte + 2 < SCALAR_BYTES ? scalars[base + byte + 2] << 16 : 0);
      const digit = (v >> (bit & 7)) & mask;
      if (digit !== 0) addMixed(acc, pTab + ((j << W) + digit) * sA, acc);
    }
  }
  ex[prefix + "_batchToAffine"](pOutJ, n, pOutA);
  const out = tm.u8.slice(pOutA, pOutA + n * sA);
  let outU;
  if (withU) {
    ex[prefix + "_batchLEMtoU"](pOutA, n, pOutA);
    outU = tm.u8.slice(pOutA, pOutA + n * sA);
  }
  tm.u32[0] = mark;
  return { points: out, pointsU: outU };
}

/**
 * G1 affine subtraction a[i] - b[i] of raw 64-byte pairs, returned in uncompressed form. It reproduces, on the same
 * wasm, what snarkjs's zkey new hashes for the H points, including one it reads from beyond the ptau's tauG1
 * section at domains >= 2^15 (see devZkey.ts): that input is not a curve point, so only the same code gives the same
 * bytes.
 */
async function subAffineU(a, b) {
  const curve = await getCurve();
  const tm = curve.tm;
  const ex = tm.instance.exports;
  const sA = 64;
  const sJ = 96;
  const n = a.byteLength / sA;
  ensureMemory(tm, n * (2 * sA + sJ));
  const mark = tm.u32[0];
  const pA = tm.alloc(n * sA);
  const pB = tm.alloc(n * sA);
  const pJ = tm.alloc(n * sJ);
  tm.u8.set(a, pA);
  tm.u8.set(b, pB);
  for (let i = 0; i < n; i++) ex.g1m_subAffine(pA + i * sA, pB + i * sA, pJ + i * sJ);
  ex.g1m_batchToAffine(pJ, n, pJ);
  ex.g1m_batchLEMtoU(pJ, n, pJ);
  const out = tm.u8.slice(pJ, pJ + n * sA);
  tm.u32[0] = mark;
  return out;
}

parentPort.on("message", async (msg) => {
  try {
    if (msg.op === "subAffineU") {
      const pointsU = await subAffineU(msg.a, msg.b);
      parentPort.postMessage({ id: msg.id, pointsU }, [pointsU.buffer]);
      return;
    }
    const { points, pointsU } = await multiply(msg.group, msg.scalars, !!msg.withU);
    parentPort.postMessage({ id: msg.id, points, pointsU }, pointsU ? [points.buffer, pointsU.buffer] : [points.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: String(e && e.stack ? e.stack : e) });
  }
});
