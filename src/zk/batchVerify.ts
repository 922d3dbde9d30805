/**
 * TypeScript twin of `contracts/libraries/Groth16BatchLib.sol`: batched Groth16 verification on BN254 by a random
 * linear combination, with the same Fiat-Shamir coefficients (bit-exact), the same input policy (content errors
 * give `false`, shape errors throw) and the same pairing equation, computed with @noble/curves' bn254.
 *
 *   prod_i e(-r_i A_i, B_i) * e(s alpha, beta) * e(vk_x, gamma) * e(sum_i r_i C_i, delta) == 1
 *   s = sum_i r_i,  vk_x = s IC_0 + sum_j (sum_i r_i x_ij) IC_j,  r_0 = 1, r_i = low128(keccak(seed, i))
 *
 * See docs/batch-verification.md for the math and why the coefficients come from a hash.
 */
import { bn254 } from "@noble/curves/bn254.js";
import { AbiCoder, keccak256, toBeHex } from "ethers";
import type { VerificationKey } from "./libs.js";
import { flattenVk, vkeyToWords, vkIdOfWords, type VkWords } from "./vkSolidity.js";
import { FernetError } from "../errors.js";
import { BN254_BASE_MODULUS as FIELD_P, BN254_SCALAR_MODULUS as FIELD_R } from "../protocol.js";

/** BN254 base field modulus p and scalar field modulus r (src/protocol.ts; re-exported for the batch tests). */
export { FIELD_P, FIELD_R };
/** keccak256("fernet-rollup/groth16-batch/v1"), the seed's domain tag (Groth16BatchLib.BATCH_DOMAIN). */
export const BATCH_DOMAIN = keccak256(new TextEncoder().encode("fernet-rollup/groth16-batch/v1"));

const MASK128 = (1n << 128n) - 1n;
const U256 = 1n << 256n;
const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const { Fp2, Fp12 } = bn254.fields;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;

/** A proof as the contracts take it: [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]. */
export type ProofWords = readonly bigint[];

/** Error codes of the batch verifier (shape errors; invalid proofs give `false`, not an error). */
export type BatchVerifyErrorCode = "EMPTY_BATCH" | "INPUT_LENGTH" | "BAD_PROOF_SHAPE" | "BAD_VKEY" | "BAD_ARGUMENT";

/** Typed error of the batch verifier. */
export class BatchVerifyError extends FernetError<BatchVerifyErrorCode> {
  constructor(code: BatchVerifyErrorCode, message: string) {
    super(code, message);
  }
}

/** A verification key prepared once (parsed words, id, curve points). */
export interface PreparedVk {
  words: VkWords;
  id: string;
  nPub: number;
  alpha: G1Point;
  beta: G2Point;
  gamma: G2Point;
  delta: G2Point;
  ic: G1Point[];
}

const prepared = new WeakMap<object, PreparedVk>();

function g2FromWords(w: readonly bigint[]): G2Point | undefined {
  // Contract order is imaginary part first.
  try {
    const p = G2.fromAffine({ x: Fp2.fromBigTuple([w[1], w[0]]), y: Fp2.fromBigTuple([w[3], w[2]]) });
    p.assertValidity(); // on the twist and in the r-torsion subgroup, as the precompile checks
    return p;
  } catch {
    return undefined;
  }
}

function g1FromWords(x: bigint, y: bigint): G1Point | undefined {
  // Same rule as the contract: reduced, on y^2 = x^3 + 3, and (0, 0) (infinity) refused.
  if (x >= FIELD_P || y >= FIELD_P) return undefined;
  if ((y * y - (x * x * x + 3n)) % FIELD_P !== 0n) return undefined;
  return G1.fromAffine({ x, y });
}

/**
 * Parses a snarkjs verification key (cached per key object).
 * @throws BatchVerifyError BAD_VKEY if a point of the key is not valid.
 */
export function prepareVk(vkey: VerificationKey): PreparedVk {
  const hit = prepared.get(vkey);
  if (hit) return hit;
  let words: VkWords;
  try {
    words = vkeyToWords(vkey);
  } catch (e) {
    throw new BatchVerifyError("BAD_VKEY", (e as Error).message);
  }
  const g1 = (x: bigint, y: bigint, what: string) => {
    const p = g1FromWords(x, y);
    if (!p) throw new BatchVerifyError("BAD_VKEY", `verification key ${what} is not on G1`);
    return p;
  };
  const g2 = (w: bigint[], what: string) => {
    const p = g2FromWords(w);
    if (!p) throw new BatchVerifyError("BAD_VKEY", `verification key ${what} is not on G2`);
    return p;
  };
  const ic: G1Point[] = [];
  for (let i = 0; i < words.ic.length; i += 2) ic.push(g1(words.ic[i], words.ic[i + 1], `IC[${i / 2}]`));
  const out: PreparedVk = {
    words,
    id: vkIdOfWords(words),
    nPub: ic.length - 1,
    alpha: g1(words.alpha[0], words.alpha[1], "alpha"),
    beta: g2(words.beta, "beta"),
    gamma: g2(words.gamma, "gamma"),
    delta: g2(words.delta, "delta"),
    ic,
  };
  prepared.set(vkey, out);
  return out;
}

/** The key's flat words (alpha, beta, gamma, delta, IC), the Groth16BatchHarness constructor argument. */
export function vkFlatWords(vkey: VerificationKey): bigint[] {
  return flattenVk(prepareVk(vkey).words);
}

/** The key's id, equal to `Groth16BatchLib.vkId` and the generated library's `VK_ID`. */
export function vkId(vkey: VerificationKey): string {
  return prepareVk(vkey).id;
}

function checkShape(vk: PreparedVk, proofs: readonly ProofWords[], inputs: readonly (readonly bigint[])[]): void {
  if (!Array.isArray(proofs) || proofs.length === 0) throw new BatchVerifyError("EMPTY_BATCH", "a batch needs at least one proof");
  if (!Array.isArray(inputs) || inputs.length !== proofs.length) {
    throw new BatchVerifyError("INPUT_LENGTH", `${proofs.length} proofs but ${Array.isArray(inputs) ? inputs.length : "no"} input lists`);
  }
  proofs.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 8) throw new BatchVerifyError("BAD_PROOF_SHAPE", `proof ${i} does not have 8 words`);
    for (const w of p) {
      if (typeof w !== "bigint" || w < 0n || w >= U256) throw new BatchVerifyError("BAD_PROOF_SHAPE", `proof ${i} has a word that is not a uint256`);
    }
  });
  inputs.forEach((x, i) => {
    if (!Array.isArray(x) || x.length !== vk.nPub) {
      throw new BatchVerifyError("INPUT_LENGTH", `proof ${i} has ${Array.isArray(x) ? x.length : "no"} public inputs, the key expects ${vk.nPub}`);
    }
    for (const v of x) {
      if (typeof v !== "bigint" || v < 0n || v >= U256) throw new BatchVerifyError("BAD_ARGUMENT", `proof ${i} has a public input that is not a uint256`);
    }
  });
}

function wordsHex(words: readonly bigint[]): string {
  return "0x" + words.map((w) => toBeHex(w, 32).slice(2)).join("");
}

/**
 * The Fiat-Shamir seed, as `Groth16BatchLib.batchSeed`:
 * keccak256(abi.encode(BATCH_DOMAIN, vkId, n, keccak256(packed proof words), keccak256(packed input words))).
 */
export function batchSeed(vkey: VerificationKey, proofs: readonly ProofWords[], inputs: readonly (readonly bigint[])[]): string {
  const vk = prepareVk(vkey);
  checkShape(vk, proofs, inputs);
  const proofsHash = keccak256(wordsHex(proofs.flat()));
  const inputsHash = keccak256(wordsHex(inputs.flat()));
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["bytes32", "bytes32", "uint256", "bytes32", "bytes32"],
      [BATCH_DOMAIN, vk.id, proofs.length, proofsHash, inputsHash],
    ),
  );
}

/** Coefficient r_i: 1 for i = 0, else the low 128 bits of keccak256(abi.encode(seed, i)). */
export function batchCoefficient(seed: string, i: number): bigint {
  if (i === 0) return 1n;
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256"], [seed, i]))) & MASK128;
}

/** All coefficients of a batch. */
export function batchCoefficients(vkey: VerificationKey, proofs: readonly ProofWords[], inputs: readonly (readonly bigint[])[]): bigint[] {
  const seed = batchSeed(vkey, proofs, inputs);
  return proofs.map((_, i) => batchCoefficient(seed, i));
}

function check(vk: PreparedVk, proofs: readonly ProofWords[], inputs: readonly (readonly bigint[])[], coeffs: readonly bigint[]): boolean {
  const pairs: { g1: G1Point; g2: G2Point }[] = [];
  const acc = new Array<bigint>(vk.nPub).fill(0n);
  let s = 0n;
  let sumC = G1.ZERO;
  for (let i = 0; i < proofs.length; i++) {
    const p = proofs[i];
    if (p.slice(2, 6).some((w) => w >= FIELD_P) || p.slice(2, 6).every((w) => w === 0n)) return false;
    const B = g2FromWords(p.slice(2, 6));
    const A = g1FromWords(p[0], p[1]);
    const C = g1FromWords(p[6], p[7]);
    if (!A || !B || !C) return false;
    if (inputs[i].some((x) => x >= FIELD_R)) return false;
    const r = coeffs[i];
    s += r;
    pairs.push({ g1: A.negate().multiplyUnsafe(r), g2: B });
    sumC = sumC.add(C.multiplyUnsafe(r));
    inputs[i].forEach((x, j) => (acc[j] = (acc[j] + r * x) % FIELD_R));
  }
  const sr = s % FIELD_R;
  let vkx = vk.ic[0].multiplyUnsafe(sr);
  acc.forEach((a, j) => (vkx = vkx.add(vk.ic[j + 1].multiplyUnsafe(a))));
  pairs.push({ g1: vk.alpha.multiplyUnsafe(sr), g2: vk.beta }, { g1: vkx, g2: vk.gamma }, { g1: sumC, g2: vk.delta });
  // e(O, Q) = 1: the precompile accepts infinity, noble refuses it, so drop those pairs.
  const live = pairs.filter((q) => !q.g1.is0());
  return Fp12.eql(bn254.pairingBatch(live), Fp12.ONE);
}

/**
 * Verifies a batch of proofs for one key (the contract's `verifyBatch`).
 * @param inputs Per proof, its public inputs (the contract takes them flattened row-major).
 * @returns true iff all proofs are valid; false on any content error (bad point, input >= r).
 * @throws BatchVerifyError on shape errors (empty batch, wrong input counts, words that are not uint256).
 */
export function verifyBatch(vkey: VerificationKey, proofs: readonly ProofWords[], inputs: readonly (readonly bigint[])[]): boolean {
  const vk = prepareVk(vkey);
  const coeffs = batchCoefficients(vkey, proofs, inputs);
  return check(vk, proofs, inputs, coeffs);
}

/**
 * The batch equation with caller-given coefficients. NOT a verifier: with coefficients chosen after seeing the
 * proofs, invalid proofs whose errors cancel pass (see docs/batch-verification.md). For analysis and tests only.
 * @throws BatchVerifyError on shape errors or a coefficient count that differs from the proof count.
 */
export function verifyBatchWithCoefficients(
  vkey: VerificationKey,
  proofs: readonly ProofWords[],
  inputs: readonly (readonly bigint[])[],
  coeffs: readonly bigint[],
): boolean {
  const vk = prepareVk(vkey);
  checkShape(vk, proofs, inputs);
  if (coeffs.length !== proofs.length) throw new BatchVerifyError("BAD_ARGUMENT", `${proofs.length} proofs but ${coeffs.length} coefficients`);
  return check(vk, proofs, inputs, coeffs.map((c) => ((c % FIELD_R) + FIELD_R) % FIELD_R));
}

/**
 * Verifies one proof (the contract's `verifySingle`; the plain Groth16 equation).
 * @throws BatchVerifyError on shape errors.
 */
export function verifySingle(vkey: VerificationKey, proof: ProofWords, inputs: readonly bigint[]): boolean {
  const vk = prepareVk(vkey);
  checkShape(vk, [proof], [inputs]);
  return check(vk, [proof], [inputs], [1n]);
}

/**
 * Indices of the invalid proofs of a batch: one batch check first (cheap when all are valid), then a single
 * verification of each proof. An aggregator drops these (or challenges them on chain with `verifySingle`).
 * @throws BatchVerifyError on shape errors.
 */
export function findInvalid(vkey: VerificationKey, proofs: readonly ProofWords[], inputs: readonly (readonly bigint[])[]): number[] {
  if (verifyBatch(vkey, proofs, inputs)) return [];
  const bad: number[] = [];
  proofs.forEach((p, i) => {
    if (!verifySingle(vkey, p, inputs[i])) bad.push(i);
  });
  return bad;
}

/** Flattens per-proof inputs row-major, the layout `Groth16BatchLib.verifyBatch` takes. */
export function flattenInputs(inputs: readonly (readonly bigint[])[]): bigint[] {
  return inputs.flat();
}

/** A proof posted on L1 but not yet verified. */
export interface PostedProof {
  height: bigint;
  proof: ProofWords;
  inputs: readonly bigint[];
}

/** Options of `selectBatch`. */
export interface SelectBatchOptions {
  /** The first height not yet verified: batches finalize in order, so a batch must start here. */
  nextHeight: bigint;
  /** At most this many proofs (gas bound; the pairing input grows 192 bytes per proof). Default 32. */
  maxBatch?: number;
  /** Return nothing unless at least this many are available. Default 1. */
  minBatch?: number;
  /** Heights known to hold an invalid proof: the run stops before the first of them. */
  exclude?: ReadonlySet<bigint>;
}

/**
 * Picks the proofs to verify in one transaction: the longest contiguous run of posted heights nextHeight,
 * nextHeight + 1, ..., capped at maxBatch and stopping at a gap or an excluded height. Contiguous because the
 * rollup finalizes heights in order (each block's old root is the previous block's new root); stopping at a known
 * invalid proof keeps the batch verifiable, and that height is handled by a single-proof challenge instead.
 * @returns The run in height order (empty if shorter than minBatch).
 * @throws BatchVerifyError BAD_ARGUMENT on bad options or duplicate heights.
 */
export function selectBatch(posted: readonly PostedProof[], opts: SelectBatchOptions): PostedProof[] {
  const maxBatch = opts.maxBatch ?? 32;
  const minBatch = opts.minBatch ?? 1;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new BatchVerifyError("BAD_ARGUMENT", `maxBatch must be a positive integer, got ${maxBatch}`);
  if (!Number.isInteger(minBatch) || minBatch < 1) throw new BatchVerifyError("BAD_ARGUMENT", `minBatch must be a positive integer, got ${minBatch}`);
  const byHeight = new Map<bigint, PostedProof>();
  for (const p of posted) {
    if (byHeight.has(p.height)) throw new BatchVerifyError("BAD_ARGUMENT", `two posted proofs for height ${p.height}`);
    byHeight.set(p.height, p);
  }
  const out: PostedProof[] = [];
  for (let h = opts.nextHeight; out.length < maxBatch; h++) {
    const p = byHeight.get(h);
    if (!p || opts.exclude?.has(h)) break;
    out.push(p);
  }
  return out.length >= minBatch ? out : [];
}

/**
 * Re-randomizes a valid proof into another valid one for the same inputs: (k A, k^-1 B, C), since
 * e(k A, k^-1 B) = e(A, B). Used to make many distinct valid proofs cheaply (benchmarks, tests).
 * @throws BatchVerifyError BAD_ARGUMENT if k is not in [1, r) or the proof's points are invalid.
 */
export function rerandomizeProof(proof: ProofWords, k: bigint): bigint[] {
  if (k <= 0n || k >= FIELD_R) throw new BatchVerifyError("BAD_ARGUMENT", "k must be in [1, r)");
  const A = g1FromWords(proof[0], proof[1]);
  const B = g2FromWords(proof.slice(2, 6));
  if (!A || !B) throw new BatchVerifyError("BAD_ARGUMENT", "proof points are not valid");
  const kInv = bn254.fields.Fr.inv(k);
  const a = A.multiply(k).toAffine();
  const b = B.multiply(kInv).toAffine();
  return [a.x, a.y, b.x.c1, b.x.c0, b.y.c1, b.y.c0, proof[6], proof[7]];
}
