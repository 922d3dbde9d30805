/**
 * VRF from BLS signatures on BN254: the TypeScript twin of `contracts/libraries/VrfLib.sol`.
 *
 * - secret key sk in [1, r), public key pk = sk * G2gen, passed as [x.c1, x.c0, y.c1, y.c0] (imaginary part first,
 *   as the pairing precompile wants), and its G1 twin pkG1 = sk * G1gen (registered with it, checked once);
 * - proof = [Gamma.x, Gamma.y, c, s]: Gamma = sk * H(message) in G1 (a BLS signature, judged alone by the pairing
 *   check `vrfVerify`), (c, s) a Chaum-Pedersen DLEQ proof that log(pkG1) = log_H(Gamma) (`vrfVerifyDleq`, the
 *   leading commit's cheap check); output = uint256(keccak256(abi.encodePacked(Gamma.x, Gamma.y)));
 * - message = abi.encode("fernet-rollup/vrf", chainId, verifier, randomness, height), where `verifier` is the
 *   contract that calls VrfLib (address(this) inside the library);
 * - proof of possession = signature over abi.encode("fernet-rollup/pop", chainId, verifier, owner).
 *
 * H is try-and-increment (see `hashToG1`), not RFC 9380; docs/vrf.md says why that is fine here.
 * Curve arithmetic and the pairing come from @noble/curves.
 */
import { bn254 } from "@noble/curves/bn254.js";
import { AbiCoder, getAddress, isAddress, keccak256, solidityPackedKeccak256, toUtf8Bytes, concat, getBytes } from "ethers";
import { FernetError } from "../errors.js";

/** BN254 base field modulus p. */
export const P: bigint = bn254.fields.Fp.ORDER;
/** BN254 group order r (the scalar field). */
export const R: bigint = bn254.fields.Fr.ORDER;
/** Domain tag of VRF messages. */
export const VRF_DOMAIN = "fernet-rollup/vrf";
/** Domain tag of proof-of-possession messages. */
export const POP_DOMAIN = "fernet-rollup/pop";
/** Same bound as VrfLib.MAX_TRIES. */
export const MAX_TRIES = 256;

const SQRT_EXP = (P + 1n) / 4n;
const X_MASK = (1n << 254n) - 1n;
const U256_MAX = (1n << 256n) - 1n;
const KEY_DOMAIN = "fernet-rollup/vrf-key";
const NONCE_DOMAIN = "fernet-rollup/vrf-nonce";

/** G2 public key as the precompile wants it: [x.c1, x.c0, y.c1, y.c0]. */
export type VrfPublicKey = [bigint, bigint, bigint, bigint];
/** G1 point [x, y]. */
export type G1Tuple = [bigint, bigint];
/** A VRF proof: [Gamma.x, Gamma.y, c, s]. */
export type VrfProof = [bigint, bigint, bigint, bigint];
/** What a VRF proof is bound to. `verifier` is the contract using VrfLib. */
export interface VrfContext {
  chainId: bigint;
  verifier: string;
  randomness: bigint;
  height: bigint;
}
/** What a proof of possession is bound to. */
export interface PopContext {
  chainId: bigint;
  verifier: string;
  owner: string;
}

export type VrfErrorCode =
  | "VRF_BAD_SEED"
  | "VRF_BAD_SECRET_KEY"
  | "VRF_BAD_CONTEXT"
  | "VRF_BAD_INPUT"
  | "VRF_HASH_TO_CURVE_FAILED";

/** Error thrown for malformed inputs (not for a proof that merely fails to verify: that is `false`). */
export class VrfError extends FernetError<VrfErrorCode> {
  constructor(code: VrfErrorCode, message: string) {
    super(code, `${code}: ${message}`);
  }
}

const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
type G1Point = ReturnType<typeof G1.fromAffine>;
type G2Point = ReturnType<typeof G2.fromAffine>;
const Fp = bn254.fields.Fp;
const Fp12 = bn254.fields.Fp12;

function assertU256(name: string, v: unknown): asserts v is bigint {
  if (typeof v !== "bigint" || v < 0n || v > U256_MAX) {
    throw new VrfError("VRF_BAD_CONTEXT", `${name} must be a bigint in [0, 2^256)`);
  }
}

function checkedAddress(name: string, a: unknown): string {
  if (typeof a !== "string" || !isAddress(a)) throw new VrfError("VRF_BAD_CONTEXT", `${name} is not an address`);
  return getAddress(a);
}

function assertSecretKey(sk: unknown): asserts sk is bigint {
  if (typeof sk !== "bigint" || sk <= 0n || sk >= R) {
    throw new VrfError("VRF_BAD_SECRET_KEY", "secret key must be a bigint in [1, r)");
  }
}

function isBigintTuple(v: unknown, n: number): v is bigint[] {
  return Array.isArray(v) && v.length === n && v.every((e) => typeof e === "bigint");
}

/** The bytes a VRF proof signs; equals VrfLib.vrfMessage as seen from `ctx.verifier`. */
export function vrfMessage(ctx: VrfContext): Uint8Array {
  assertU256("chainId", ctx.chainId);
  assertU256("randomness", ctx.randomness);
  assertU256("height", ctx.height);
  const verifier = checkedAddress("verifier", ctx.verifier);
  return getBytes(
    AbiCoder.defaultAbiCoder().encode(
      ["string", "uint256", "address", "uint256", "uint256"],
      [VRF_DOMAIN, ctx.chainId, verifier, ctx.randomness, ctx.height],
    ),
  );
}

/** The bytes a proof of possession signs; equals VrfLib.popMessage as seen from `ctx.verifier`. */
export function popMessage(ctx: PopContext): Uint8Array {
  assertU256("chainId", ctx.chainId);
  const verifier = checkedAddress("verifier", ctx.verifier);
  const owner = checkedAddress("owner", ctx.owner);
  return getBytes(
    AbiCoder.defaultAbiCoder().encode(
      ["string", "uint256", "address", "address"],
      [POP_DOMAIN, ctx.chainId, verifier, owner],
    ),
  );
}

/**
 * Hash to G1 by try-and-increment, exactly as VrfLib.hashToG1, also returning the number of tries used.
 * h0 = keccak256(message); for i = 0, 1, ...: w = keccak256(h0 || uint256(i)); x = w mod 2^254, skipped if x >= p;
 * skipped unless x^3 + 3 is a square; y = (x^3 + 3)^((p+1)/4), negated if its parity differs from bit 255 of w.
 */
export function hashToG1WithTries(message: Uint8Array): { point: G1Tuple; tries: number } {
  if (!(message instanceof Uint8Array)) throw new VrfError("VRF_BAD_INPUT", "message must be a Uint8Array");
  const h0 = keccak256(message);
  for (let i = 0; i < MAX_TRIES; i++) {
    const w = BigInt(solidityPackedKeccak256(["bytes32", "uint256"], [h0, BigInt(i)]));
    const x = w & X_MASK;
    if (x >= P) continue;
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 3n);
    let y = Fp.pow(rhs, SQRT_EXP);
    if (Fp.sqr(y) !== rhs) continue;
    if ((y & 1n) !== w >> 255n) y = P - y;
    return { point: [x, y], tries: i + 1 };
  }
  // Probability < 2^-170; the contract returns false / reverts in the same case.
  throw new VrfError("VRF_HASH_TO_CURVE_FAILED", `no point within ${MAX_TRIES} tries`);
}

/** Hash to G1, the exact same map as VrfLib.hashToG1. */
export function hashToG1(message: Uint8Array): [bigint, bigint] {
  return hashToG1WithTries(message).point;
}

/**
 * Derives a key pair from a seed: sk = (keccak256(tag || seed || 0x00) || keccak256(tag || seed || 0x01)) mod r,
 * a 512-bit value reduced mod r so the bias is negligible. String seeds are taken as their UTF-8 bytes.
 */
export function vrfKeyFromSeed(seed: Uint8Array | string): { sk: bigint; pk: VrfPublicKey; pkG1: G1Tuple } {
  let bytes: Uint8Array;
  if (typeof seed === "string") bytes = toUtf8Bytes(seed);
  else if (seed instanceof Uint8Array) bytes = seed;
  else throw new VrfError("VRF_BAD_SEED", "seed must be a Uint8Array or a string");
  if (bytes.length === 0) throw new VrfError("VRF_BAD_SEED", "seed must not be empty");
  const tag = toUtf8Bytes(KEY_DOMAIN);
  const hi = BigInt(keccak256(concat([tag, bytes, new Uint8Array([0])])));
  const lo = BigInt(keccak256(concat([tag, bytes, new Uint8Array([1])])));
  const sk = ((hi << 256n) | lo) % R;
  if (sk === 0n) throw new VrfError("VRF_BAD_SEED", "seed gives the zero key"); // probability ~2^-254
  return { sk, pk: publicKeyOf(sk), pkG1: publicKeyG1Of(sk) };
}

/** pkG1 = sk * G1gen as [x, y]: the G1 twin registered with the G2 key (Staking checks they share sk). */
export function publicKeyG1Of(sk: bigint): G1Tuple {
  assertSecretKey(sk);
  const a = G1.BASE.multiply(sk).toAffine();
  return [a.x, a.y];
}

/** pk = sk * G2gen as [x.c1, x.c0, y.c1, y.c0]. */
export function publicKeyOf(sk: bigint): VrfPublicKey {
  assertSecretKey(sk);
  const a = G2.BASE.multiply(sk).toAffine();
  return [a.x.c1, a.x.c0, a.y.c1, a.y.c0];
}

function sign(sk: bigint, message: Uint8Array): G1Tuple {
  assertSecretKey(sk);
  const [hx, hy] = hashToG1(message);
  const s = G1.fromAffine({ x: hx, y: hy }).multiply(sk).toAffine();
  return [s.x, s.y];
}

/** Parses a G1 point the way VrfLib does; null if malformed, off the curve or the identity. */
function parseG1(p: unknown): G1Point | null {
  if (!isBigintTuple(p, 2)) return null;
  const [x, y] = p;
  if (x < 0n || y < 0n || x >= P || y >= P) return null;
  if (x === 0n && y === 0n) return null;
  if (Fp.sqr(y) !== Fp.add(Fp.mul(Fp.sqr(x), x), 3n)) return null;
  return G1.fromAffine({ x, y }); // G1 has cofactor 1: on the curve means in the group
}

/** Parses a public key like VrfLib plus the precompile: null if malformed, identity, off the twist or outside G2. */
function parseG2(pk: unknown): G2Point | null {
  if (!isBigintTuple(pk, 4)) return null;
  if (pk.some((c) => c < 0n || c >= P)) return null;
  if (pk.every((c) => c === 0n)) return null;
  const [x1, x0, y1, y0] = pk;
  try {
    const pt = G2.fromAffine({ x: { c0: x0, c1: x1 }, y: { c0: y0, c1: y1 } });
    pt.assertValidity(); // on the twist and in the order-r subgroup, as the precompile checks
    return pt;
  } catch {
    return null;
  }
}

function verifySignature(pk: unknown, message: Uint8Array, sig: unknown): boolean {
  const s = parseG1(sig);
  const q = g2Lines(pk);
  if (s === null || q === null) return false;
  const [hx, hy] = hashToG1(message);
  return pairsWithG2Gen(s, G1.fromAffine({ x: hx, y: hy }), q);
}

type G2Lines = ReturnType<typeof bn254.utils.calcPairingPrecomputes>;
let g2GenLines: G2Lines | undefined;
/** Checked keys' Miller-loop lines by encoding (null: not a valid key). At most G2_CACHE_MAX keys, then it starts over. */
const g2Cache = new Map<string, G2Lines | null>();
const G2_CACHE_MAX = 4096;

/**
 * A key's subgroup check and line coefficients cost more than the rest of a pairing check and depend on the key
 * alone: a node checking many claims of the same sequencers (every height) does both once per key.
 */
function g2Lines(pk: unknown): G2Lines | null {
  if (!isBigintTuple(pk, 4)) return null;
  const k = pk.join(",");
  let lines = g2Cache.get(k);
  if (lines === undefined) {
    const q = parseG2(pk);
    lines = q === null ? null : bn254.utils.calcPairingPrecomputes(q);
    if (g2Cache.size >= G2_CACHE_MAX) g2Cache.clear();
    g2Cache.set(k, lines);
  }
  return lines;
}

/** e(a, G2gen) == e(b, q), as e(a, G2gen) * e(-b, q) == 1: the same product VrfLib asks the precompile about. */
function pairsWithG2Gen(a: G1Point, b: G1Point, q: G2Point | G2Lines): boolean {
  g2GenLines ??= bn254.utils.calcPairingPrecomputes(G2.BASE);
  const qLines = q instanceof G2 ? bn254.utils.calcPairingPrecomputes(q) : q;
  // a and b are checked G1 points (parseG1, or hashToG1 / the generator); neither is the identity.
  const aa = a.toAffine();
  const nb = b.negate().toAffine();
  const gt = Fp12.finalExponentiate(bn254.millerLoopBatch([[g2GenLines, aa.x, aa.y], [qLines, nb.x, nb.y]]));
  return Fp12.eql(gt, Fp12.ONE);
}

/** VRF output of a proof (or of its Gamma alone): uint256(keccak256(abi.encodePacked(proof[0], proof[1]))). */
export function vrfOutput(proof: VrfProof | G1Tuple): bigint {
  if (!(isBigintTuple(proof, 4) || isBigintTuple(proof, 2)) || proof.some((c) => c < 0n || c > U256_MAX)) {
    throw new VrfError("VRF_BAD_INPUT", "proof must be four (or, for Gamma alone, two) uint256 bigints");
  }
  return BigInt(solidityPackedKeccak256(["uint256", "uint256"], [proof[0], proof[1]]));
}

/** The DLEQ challenge, as VrfLib.dleqChallenge: keccak256(abi.encodePacked(pkG1, H, Gamma, U, V)) mod r. */
function dleqChallenge(pkG1: G1Tuple, h: G1Tuple, gamma: G1Tuple, u: G1Point, v: G1Point): bigint {
  const ua = u.is0() ? { x: 0n, y: 0n } : u.toAffine();
  const va = v.is0() ? { x: 0n, y: 0n } : v.toAffine();
  const words = [...pkG1, ...h, ...gamma, ua.x, ua.y, va.x, va.y];
  return BigInt(solidityPackedKeccak256(words.map(() => "uint256"), words)) % R;
}

/**
 * Evaluates the VRF: Gamma = sk * H(vrfMessage(ctx)) and its DLEQ proof (c, s), and the output. The nonce is
 * deterministic (RFC 6979 in spirit): k = (keccak256(tag || sk || message || 0x00) || keccak256(... || 0x01)) mod r,
 * 512 bits reduced so its bias is negligible (a biased nonce would leak sk).
 */
export function vrfProve(sk: bigint, ctx: VrfContext): { proof: VrfProof; output: bigint } {
  assertSecretKey(sk);
  const message = vrfMessage(ctx);
  const h = hashToG1(message);
  return proveWith(sk, message, h, G1.fromAffine({ x: h[0], y: h[1] }));
}

function proveWith(sk: bigint, message: Uint8Array, h: G1Tuple, hp: G1Point): { proof: VrfProof; output: bigint } {
  const g = hp.multiply(sk).toAffine();
  const gamma: G1Tuple = [g.x, g.y];
  const tag = toUtf8Bytes(NONCE_DOMAIN);
  const skBytes = getBytes(AbiCoder.defaultAbiCoder().encode(["uint256"], [sk]));
  const hi = BigInt(keccak256(concat([tag, skBytes, message, new Uint8Array([0])])));
  const lo = BigInt(keccak256(concat([tag, skBytes, message, new Uint8Array([1])])));
  const k = ((hi << 256n) | lo) % R;
  if (k === 0n) throw new VrfError("VRF_BAD_INPUT", "zero nonce"); // probability ~2^-254
  const c = dleqChallenge(publicKeyG1Of(sk), h, gamma, G1.BASE.multiply(k), hp.multiply(k));
  const proof: VrfProof = [gamma[0], gamma[1], c, (k + c * sk) % R];
  return { proof, output: vrfOutput(proof) };
}

/**
 * The VRF of many keys over one context (every prover's score for one unit, every sequencer's output for one
 * height): the message is hashed to G1 once and the point gets a window table shared by all its multiplications
 * (about 3 x faster per key than `vrfProve`, once a few keys use it). Same results.
 */
export class VrfEvaluator {
  private readonly message: Uint8Array;
  private readonly h: G1Tuple;
  private readonly hp: G1Point;
  constructor(ctx: VrfContext) {
    this.message = vrfMessage(ctx);
    this.h = hashToG1(this.message);
    this.hp = G1.fromAffine({ x: this.h[0], y: this.h[1] });
    this.hp.precompute(4, false);
  }
  output(sk: bigint): bigint {
    assertSecretKey(sk);
    const g = this.hp.multiply(sk).toAffine();
    return vrfOutput([g.x, g.y]);
  }
  prove(sk: bigint): { proof: VrfProof; output: bigint } {
    assertSecretKey(sk);
    return proveWith(sk, this.message, this.h, this.hp);
  }
}

/**
 * Judges Gamma like VrfLib.verify (the pairing: e(Gamma, G2gen) == e(H, pk)); (c, s) are not used, as in
 * `challengeVrfClaim`. Malformed points give false; a malformed ctx throws VrfError.
 */
export function vrfVerify(pk: VrfPublicKey, ctx: VrfContext, proof: VrfProof | G1Tuple): boolean {
  if (!(isBigintTuple(proof, 4) || isBigintTuple(proof, 2))) return false;
  return verifySignature(pk, vrfMessage(ctx), [proof[0], proof[1]]);
}

/** Checks a proof's DLEQ part like VrfLib.verifyDleq (the leading commit's check) under the G1 twin of the key. */
export function vrfVerifyDleq(pkG1: G1Tuple, ctx: VrfContext, proof: VrfProof): boolean {
  const message = vrfMessage(ctx);
  if (!isBigintTuple(proof, 4)) return false;
  const [, , c, s] = proof;
  if (c < 0n || s < 0n || c >= R || s >= R) return false;
  const gamma = parseG1([proof[0], proof[1]]);
  const q = parseG1(pkG1);
  if (gamma === null || q === null) return false;
  const h = hashToG1(message);
  const hp = G1.fromAffine({ x: h[0], y: h[1] });
  const negC = (R - c) % R;
  // multiplyUnsafe accepts 0 (noble's multiply does not): s or -c may be 0 in a crafted proof.
  const u = G1.BASE.multiplyUnsafe(s).add(q.multiplyUnsafe(negC));
  const v = hp.multiplyUnsafe(s).add(gamma.multiplyUnsafe(negC));
  return c === dleqChallenge([pkG1[0], pkG1[1]], h, [proof[0], proof[1]], u, v);
}

/** Checks that pkG1 and pk share their secret, like VrfLib.verifyKeyPair (e(pkG1, G2gen) == e(G1gen, pk)). */
export function vrfVerifyKeyPair(pk: VrfPublicKey, pkG1: G1Tuple): boolean {
  const a = parseG1(pkG1);
  const q = parseG2(pk);
  if (a === null || q === null) return false;
  return pairsWithG2Gen(a, G1.BASE, q);
}

/** Proof of possession of sk, bound to `ctx.owner`. */
export function popProve(sk: bigint, ctx: PopContext): [bigint, bigint] {
  return sign(sk, popMessage(ctx));
}

/** Checks a proof of possession like VrfLib.verifyPossession. */
export function popVerify(pk: VrfPublicKey, ctx: PopContext, pop: [bigint, bigint]): boolean {
  return verifySignature(pk, popMessage(ctx), pop);
}
