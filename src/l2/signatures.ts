/**
 * A block's signatures as published on L1 (in the reveal calldata, next to the pubdata), so that a block can be
 * re-executed AND proven from L1 data alone: pubdata gives the slots, the state before the block gives the nonces,
 * and these bytes give the signatures.
 *
 * Layout: for each slot that is not a no-op, in slot order, 64 bytes:
 *   R8 packed (32 bytes, Baby Jubjub point compression as circomlibjs `babyJub.packPoint`: y little-endian, sign of
 *   x in the top bit) | S (32 bytes, big-endian, below the subgroup order)
 * No-op slots take no bytes. Cost: 64 calldata bytes per transfer, about 64 x 16 = 1,024 gas (16 gas per non-zero
 * byte; the few zero bytes cost 4), next to its 20 pubdata bytes (about 320 gas).
 * The encoding is canonical (a signature has one encoding, and decoding re-packs R8 to check it), so equal bytes
 * mean equal signatures.
 */
import { packPoint, subgroupOrder, unpackPoint, type Signature } from "./crypto.js";
import { L2Error } from "./errors.js";
import { decodePubdata, isNoop } from "./pubdata.js";
import type { L2State } from "./state.js";
import type { Transfer } from "./transaction.js";

/** Published bytes per signature (per non-no-op slot). */
export const SIGNATURE_BYTES = 64;

function isSignature(x: Transfer | Signature): x is Signature {
  return !("signature" in x);
}

/**
 * The published signature bytes of a block of `T` slots. `items` are the block's slots in order (the transfers of a
 * `BlockResult.txs`, or their signatures), at most T; `null` marks a no-op slot (takes no bytes), as do the
 * slots after the last item. Throws BLOCK_FULL for more than T items, BAD_SIGNATURE_BYTES for a signature that
 * cannot be published (R8 not on the curve, S outside 0..order-1).
 */
export function encodeBlockSignatures(items: readonly (Transfer | Signature | null)[], T: number): Uint8Array {
  if (!Number.isInteger(T) || T < 1) throw new L2Error("BAD_PARAMETER", `block size T must be a positive integer, got ${T}`);
  if (items.length > T) throw new L2Error("BLOCK_FULL", `${items.length} slots do not fit a block of ${T}`);
  const sigs: { sig: Signature; slot: number }[] = [];
  items.forEach((it, slot) => {
    if (it !== null) sigs.push({ sig: isSignature(it) ? it : it.signature, slot });
  });
  const order = subgroupOrder();
  const out = new Uint8Array(SIGNATURE_BYTES * sigs.length);
  sigs.forEach(({ sig, slot }, k) => {
    const bad = (msg: string): never => {
      throw new L2Error("BAD_SIGNATURE_BYTES", `slot ${slot}: ${msg}`, slot);
    };
    if (typeof sig.S !== "bigint" || sig.S < 0n || sig.S >= order) bad("S is not below the subgroup order");
    const r8 = packPoint([sig.R8x, sig.R8y]);
    const back = unpackPoint(r8);
    if (!back || back[0] !== sig.R8x || back[1] !== sig.R8y) bad("R8 is not a Baby Jubjub point");
    out.set(r8, k * SIGNATURE_BYTES);
    let s = sig.S;
    for (let i = SIGNATURE_BYTES - 1; i >= 32; i--) {
      out[k * SIGNATURE_BYTES + i] = Number(s & 0xffn);
      s >>= 8n;
    }
  });
  return out;
}

/**
 * The signatures of the non-no-op slots of `pubdata`, in slot order, from their published bytes. Throws
 * BAD_SIGNATURE_BYTES (with `slot`) for a wrong length, an R8 that is not the canonical encoding of a curve point,
 * or S >= the subgroup order; BAD_PUBDATA for malformed pubdata. Whether a signature verifies is for execution.
 */
export function decodeBlockSignatures(bytes: Uint8Array, pubdata: Uint8Array): Signature[] {
  const slots = decodePubdata(pubdata)
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => !isNoop(s))
    .map(({ i }) => i);
  if (!(bytes instanceof Uint8Array) || bytes.length !== SIGNATURE_BYTES * slots.length) {
    throw new L2Error(
      "BAD_SIGNATURE_BYTES",
      `${slots.length} transfers need ${SIGNATURE_BYTES * slots.length} signature bytes, got ${bytes instanceof Uint8Array ? bytes.length : "none"}`,
    );
  }
  const order = subgroupOrder();
  return slots.map((slot, k) => {
    const off = k * SIGNATURE_BYTES;
    const R8 = unpackPoint(bytes.subarray(off, off + 32));
    if (!R8) throw new L2Error("BAD_SIGNATURE_BYTES", `slot ${slot}: R8 is not a canonical Baby Jubjub point encoding`, slot);
    let S = 0n;
    for (let i = 32; i < SIGNATURE_BYTES; i++) S = (S << 8n) | BigInt(bytes[off + i]);
    if (S >= order) throw new L2Error("BAD_SIGNATURE_BYTES", `slot ${slot}: S is not below the subgroup order`, slot);
    return { R8x: R8[0], R8y: R8[1], S };
  });
}

/**
 * The signed transfers of a revealed block, rebuilt from L1 data alone: its `pubdata`, its published signature
 * bytes and `state`, the L2 state before the block. Each transfer's nonce is its sender's nonce at that point of
 * the block (the state's, plus one per earlier transfer of the same sender in the block). Nothing is verified
 * beyond decoding (UNKNOWN_ACCOUNT for a sender without an account): re-execute the result with `executeBlock`
 * (under the rollup's domain) to check signatures and rules and to get the circuit input.
 * No-op slots are skipped, so the transfers come out packed at the front as executeBlock lays them out.
 */
export function transfersFromL1(state: L2State, pubdata: Uint8Array, sigBytes: Uint8Array): Transfer[] {
  const sigs = decodeBlockSignatures(sigBytes, pubdata);
  const nonces = new Map<number, number>();
  const txs: Transfer[] = [];
  decodePubdata(pubdata).forEach((s, slot) => {
    if (isNoop(s)) return;
    let nonce = nonces.get(s.from);
    if (nonce === undefined) {
      const sender = state.getAccount(s.from);
      if (!sender) throw new L2Error("UNKNOWN_ACCOUNT", `slot ${slot}: sender ${s.from} does not exist`, slot);
      nonce = sender.nonce;
    }
    nonces.set(s.from, nonce + 1);
    txs.push({ from: s.from, to: s.to, amount: s.amount, fee: s.fee, nonce, signature: sigs[txs.length]! });
  });
  return txs;
}
