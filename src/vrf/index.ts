/**
 * VRF from BLS signatures on BN254: the TypeScript twin of `contracts/libraries/VrfLib.sol`.
 *
 * - secret key sk in [1, r), public key pk = sk * G2gen, passed as [x.c1, x.c0, y.c1, y.c0] (imaginary part first,
 *   as the pairing precompile wants);
 * - proof = sk * H(message) in G1, as [x, y]; output = uint256(keccak256(abi.encodePacked(proof.x, proof.y)));
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

/** G2 public key as the precompile wants it: [x.c1, x.c0, y.c1, y.c0]. */
export type VrfPublicKey = [bigint, bigint, bigint, bigint];
/** G1 point [x, y]. */
export type G1Tuple = [bigint, bigint];
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
export function vrfKeyFromSeed(seed: Uint8Array | string): { sk: bigint; pk: VrfPublicKey } {
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
  return { sk, pk: publicKeyOf(sk) };
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
  const q = parseG2(pk);
  if (s === null || q === null) return false;
  const [hx, hy] = hashToG1(message);
  const h = G1.fromAffine({ x: hx, y: hy });
  // e(sig, G2gen) * e(-H(m), pk) == 1: the same product the contract asks the precompile about.
  const gt = bn254.pairingBatch([
    { g1: s, g2: G2.BASE },
    { g1: h.negate(), g2: q },
  ]);
  return Fp12.eql(gt, Fp12.ONE);
}

/** VRF output of a proof: uint256(keccak256(abi.encodePacked(proof[0], proof[1]))). */
export function vrfOutput(proof: [bigint, bigint]): bigint {
  if (!isBigintTuple(proof, 2) || proof.some((c) => c < 0n || c > U256_MAX)) {
    throw new VrfError("VRF_BAD_INPUT", "proof must be two uint256 bigints");
  }
  return BigInt(solidityPackedKeccak256(["uint256", "uint256"], [proof[0], proof[1]]));
}

/** Evaluates the VRF: proof = sk * H(vrfMessage(ctx)), and its output. */
export function vrfProve(sk: bigint, ctx: VrfContext): { proof: [bigint, bigint]; output: bigint } {
  const proof = sign(sk, vrfMessage(ctx));
  return { proof, output: vrfOutput(proof) };
}

/** Checks a VRF proof like VrfLib.verify. Malformed points give false; a malformed ctx throws VrfError. */
export function vrfVerify(pk: VrfPublicKey, ctx: VrfContext, proof: [bigint, bigint]): boolean {
  return verifySignature(pk, vrfMessage(ctx), proof);
}

/** Proof of possession of sk, bound to `ctx.owner`. */
export function popProve(sk: bigint, ctx: PopContext): [bigint, bigint] {
  return sign(sk, popMessage(ctx));
}

/** Checks a proof of possession like VrfLib.verifyPossession. */
export function popVerify(pk: VrfPublicKey, ctx: PopContext, pop: [bigint, bigint]): boolean {
  return verifySignature(pk, popMessage(ctx), pop);
}
