/**
 * Transfers and the message their sender signs.
 *
 * Signed message (one field element, no hash):
 *   M = TRANSFER_TAG * 2^192 + nonce * 2^160 + word,  word = from << 128 | to << 96 | amount << 32 | fee
 * i.e. the slot's pubdata word with the nonce and a transaction-type tag above it. This is an injective encoding of
 * all signed fields into one element (< 2^200 < r), and EdDSA-Poseidon already hashes M with R8 and A, so a
 * separate Poseidon of the fields would add ~240 constraints per transfer and no security. The tag separates
 * transfers from future transaction types (withdrawals) signed with the same keys. circuits/transfer.circom
 * builds the same M from the same signals.
 */
import { FIELD_MODULUS, signMessage, verifyMessage, type Point, type Signature } from "./crypto.js";
import { L2Error } from "./errors.js";
import { U32_MAX, U64_MAX, slotWord, type PubdataSlot } from "./pubdata.js";

/** Transaction-type tag of transfers in the signed message. */
export const TRANSFER_TAG = 1n;

/** A transfer as the user builds it (before signing). from/to/nonce are u32 numbers, amount u64, fee u32. */
export interface UnsignedTransfer {
  from: number;
  to: number;
  amount: bigint;
  fee: bigint;
  nonce: number;
}

/** A signed transfer. */
export interface Transfer extends UnsignedTransfer {
  signature: Signature;
}

/** JSON form of a transfer (bigints as decimal strings), for HTTP and files. */
export interface TransferJSON {
  from: number;
  to: number;
  amount: string;
  fee: string;
  nonce: number;
  signature: { R8x: string; R8y: string; S: string };
}

/** Throws OUT_OF_RANGE unless every field fits its width. */
export function checkTransferRanges(tx: UnsignedTransfer): void {
  for (const [name, v] of [["from", tx.from], ["to", tx.to], ["nonce", tx.nonce]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > Number(U32_MAX)) throw new L2Error("OUT_OF_RANGE", `${name} ${v} is not a u32`);
  }
  if (typeof tx.amount !== "bigint" || tx.amount < 0n || tx.amount > U64_MAX) throw new L2Error("OUT_OF_RANGE", `amount ${tx.amount} is not a u64`);
  if (typeof tx.fee !== "bigint" || tx.fee < 0n || tx.fee > U32_MAX) throw new L2Error("OUT_OF_RANGE", `fee ${tx.fee} is not a u32`);
}

/** The pubdata slot of a transfer. */
export function transferSlot(tx: UnsignedTransfer): PubdataSlot {
  return { from: tx.from, to: tx.to, amount: tx.amount, fee: tx.fee };
}

/** The field element the sender signs (see the file comment). */
export function transferMessage(tx: UnsignedTransfer): bigint {
  checkTransferRanges(tx);
  const m = (TRANSFER_TAG << 192n) + (BigInt(tx.nonce) << 160n) + slotWord(transferSlot(tx));
  return m % FIELD_MODULUS; // no-op: m < 2^200; kept so the bound is explicit
}

/** Signs a transfer with the sender's 32-byte key seed. */
export function signTransfer(tx: UnsignedTransfer, seed: Uint8Array): Transfer {
  const { from, to, amount, fee, nonce } = tx;
  return { from, to, amount, fee, nonce, signature: signMessage(seed, transferMessage(tx)) };
}

/** True if the transfer's signature verifies under `publicKey`. */
export function verifyTransfer(tx: Transfer, publicKey: Point): boolean {
  if (typeof tx.signature !== "object" || tx.signature === null) return false;
  return verifyMessage(publicKey, transferMessage(tx), tx.signature);
}

export function transferToJSON(tx: Transfer): TransferJSON {
  return {
    from: tx.from,
    to: tx.to,
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    nonce: tx.nonce,
    signature: { R8x: tx.signature.R8x.toString(), R8y: tx.signature.R8y.toString(), S: tx.signature.S.toString() },
  };
}

/** Parses the JSON form; malformed numbers throw OUT_OF_RANGE. */
export function transferFromJSON(j: TransferJSON): Transfer {
  const big = (name: string, v: unknown): bigint => {
    if (typeof v !== "string" || !/^[0-9]+$/.test(v)) throw new L2Error("OUT_OF_RANGE", `${name} must be a decimal string`);
    return BigInt(v);
  };
  if (typeof j !== "object" || j === null || typeof j.signature !== "object" || j.signature === null) {
    throw new L2Error("OUT_OF_RANGE", "a transfer needs from, to, amount, fee, nonce and signature");
  }
  const tx: Transfer = {
    from: j.from,
    to: j.to,
    amount: big("amount", j.amount),
    fee: big("fee", j.fee),
    nonce: j.nonce,
    signature: { R8x: big("R8x", j.signature.R8x), R8y: big("R8y", j.signature.R8y), S: big("S", j.signature.S) },
  };
  checkTransferRanges(tx);
  return tx;
}
