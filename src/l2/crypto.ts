/**
 * Poseidon and EdDSA-Poseidon on Baby Jubjub, from circomlibjs (the same constants as circomlib's circuits).
 *
 * circomlibjs builds its primitives asynchronously (WebAssembly); the rest of src/l2 is synchronous, so callers
 * `await initL2()` once and then use the sync functions below. Using them earlier throws NOT_INITIALIZED.
 */
import { L2Error } from "./errors.js";
import { BN254_SCALAR_MODULUS as FIELD_MODULUS } from "../protocol.js";

/** BN254 scalar field modulus r (the circuit's field; src/protocol.ts, under the L2 API's name). */
export { FIELD_MODULUS };

/** A Baby Jubjub point in affine coordinates (x, y). */
export type Point = [bigint, bigint];

/** EdDSA-Poseidon signature: R8 point and scalar S. */
export interface Signature {
  R8x: bigint;
  R8y: bigint;
  S: bigint;
}

/** A key pair. `seed` is the 32-byte private key as circomlibjs takes it (it hashes it with Blake-512). */
export interface KeyPair {
  seed: Uint8Array;
  publicKey: Point;
}

// circomlibjs ships no types; only the calls used here are typed. A non-literal specifier keeps the import `any`
// without an ambient module declaration that other parts of the project might declare differently.
interface Fld {
  e(x: bigint): unknown;
  toObject(x: unknown): bigint;
}
interface PoseidonFn {
  (inputs: bigint[]): unknown;
  F: Fld;
}
interface Eddsa {
  F: Fld;
  babyJub: {
    F: Fld;
    subOrder: bigint;
    inCurve(p: unknown[]): boolean;
    inSubgroup(p: unknown[]): boolean;
    packPoint(p: unknown[]): Uint8Array;
    unpackPoint(buf: Uint8Array): unknown[] | null;
  };
  prv2pub(prv: Uint8Array): unknown[];
  signPoseidon(prv: Uint8Array, msg: unknown): { R8: unknown[]; S: bigint };
  verifyPoseidon(msg: unknown, sig: { R8: unknown[]; S: bigint }, A: unknown[]): boolean;
}

const CIRCOMLIBJS: string = "circomlibjs";
let poseidonImpl: PoseidonFn | undefined;
let eddsaImpl: Eddsa | undefined;
let initPromise: Promise<void> | undefined;

/** Builds Poseidon and EdDSA once. Safe to call many times; await it before any other L2 call. */
export function initL2(): Promise<void> {
  initPromise ??= (async () => {
    const lib = (await import(CIRCOMLIBJS)) as {
      buildPoseidon(): Promise<PoseidonFn>;
      buildEddsa(): Promise<Eddsa>;
    };
    poseidonImpl = await lib.buildPoseidon();
    eddsaImpl = await lib.buildEddsa();
  })();
  return initPromise;
}

function need<X>(x: X | undefined): X {
  if (x === undefined) throw new L2Error("NOT_INITIALIZED", "call `await initL2()` before using the L2 functions");
  return x;
}

/** Poseidon hash of 1..16 field elements (circomlib's Poseidon(n)). */
export function poseidon(inputs: bigint[]): bigint {
  const p = need(poseidonImpl);
  return p.F.toObject(p(inputs));
}

/** Key pair from a 32-byte seed (the EdDSA private key). */
export function keyFromSeed(seed: Uint8Array): KeyPair {
  const e = need(eddsaImpl);
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new L2Error("BAD_KEY", "a key seed must be 32 bytes");
  const A = e.prv2pub(seed);
  return { seed: Uint8Array.from(seed), publicKey: [e.F.toObject(A[0]), e.F.toObject(A[1])] };
}

/** True if `p` is a point of Baby Jubjub's prime-order subgroup other than the identity (a usable public key). */
export function isValidPublicKey(p: Point): boolean {
  const e = need(eddsaImpl);
  if (p[0] < 0n || p[1] < 0n || p[0] >= FIELD_MODULUS || p[1] >= FIELD_MODULUS) return false;
  if (p[0] === 0n && p[1] === 1n) return false;
  const P = [e.F.e(p[0]), e.F.e(p[1])];
  return e.babyJub.inCurve(P) && e.babyJub.inSubgroup(P);
}

/** EdDSA-Poseidon signature of field element `msg`. */
export function signMessage(seed: Uint8Array, msg: bigint): Signature {
  const e = need(eddsaImpl);
  const sig = e.signPoseidon(seed, e.F.e(msg));
  return { R8x: e.F.toObject(sig.R8[0]), R8y: e.F.toObject(sig.R8[1]), S: BigInt(sig.S) };
}

/** Verifies an EdDSA-Poseidon signature of `msg` under `publicKey` (same checks as the circuit, plus R8 on curve). */
export function verifyMessage(publicKey: Point, msg: bigint, sig: Signature): boolean {
  const e = need(eddsaImpl);
  for (const v of [sig.R8x, sig.R8y, publicKey[0], publicKey[1], msg]) {
    if (typeof v !== "bigint" || v < 0n || v >= FIELD_MODULUS) return false;
  }
  if (typeof sig.S !== "bigint" || sig.S < 0n) return false;
  return e.verifyPoseidon(
    e.F.e(msg),
    { R8: [e.F.e(sig.R8x), e.F.e(sig.R8y)], S: sig.S },
    [e.F.e(publicKey[0]), e.F.e(publicKey[1])],
  );
}

/** Baby Jubjub's prime subgroup order (an EdDSA `S` must be below it; the circuit checks the same). */
export function subgroupOrder(): bigint {
  return BigInt(need(eddsaImpl).babyJub.subOrder);
}

/** 32-byte compressed form of a Baby Jubjub point (circomlibjs `packPoint`: y little-endian, sign of x in bit 255). */
export function packPoint(p: Point): Uint8Array {
  const e = need(eddsaImpl);
  return Uint8Array.from(e.babyJub.packPoint([e.F.e(p[0]), e.F.e(p[1])]));
}

/**
 * Inverse of `packPoint`, or undefined if the 32 bytes are not the canonical encoding of a curve point
 * (not on the curve, or y >= p, or a sign bit that the repacked point does not have).
 */
export function unpackPoint(bytes: Uint8Array): Point | undefined {
  const e = need(eddsaImpl);
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) return undefined;
  const P = e.babyJub.unpackPoint(Uint8Array.from(bytes)); // circomlibjs clears the sign bit of its argument
  if (!P) return undefined;
  const point: Point = [e.F.toObject(P[0]), e.F.toObject(P[1])];
  const again = packPoint(point);
  for (let i = 0; i < 32; i++) if (again[i] !== bytes[i]) return undefined;
  return point;
}
