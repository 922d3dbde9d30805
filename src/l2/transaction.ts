/**
 * Transfers and the message their sender signs.
 *
 * Signed message (one field element):
 *   M' = Poseidon(domain, M),
 *   M  = TRANSFER_TAG * 2^192 + nonce * 2^160 + word,  word = from << 128 | to << 96 | amount << 32 | fee
 *   domain = chainId * 2^160 + uint160(rollup address)   (`l2Domain`)
 * M is the slot's pubdata word with the nonce and a transaction-type tag above it: an injective encoding of all
 * signed fields into one element (< 2^200 < r). The domain binds the signature to one chain and one Rollup
 * deployment, so a transfer does not replay on another deployment that shares the genesis and keys (or on a fork
 * of the chain with another chain id). domain and M do not fit one element together (250 + 200 bits), hence the
 * Poseidon(2) (about 240 constraints per transfer). The domain is a public input of the block proof: the Rollup's
 * address is not known when the verifier is deployed, so it cannot be a circuit constant. The tag separates
 * transfers from future transaction types (withdrawals) signed with the same keys. circuits/transfer.circom
 * builds the same M' from the same signals.
 */
import { FIELD_MODULUS, poseidon, signMessage, verifyMessage, type Point, type Signature } from "./crypto.js";
import { L2Error } from "./errors.js";
import { U32_MAX, U64_MAX, slotWord, type PubdataSlot } from "./pubdata.js";

/** Transaction-type tag of transfers in the signed message. */
export const TRANSFER_TAG = 1n;

/** Chain ids must be below 2^90, so that a domain (chainId * 2^160 + address) is below 2^250 < r. */
export const MAX_CHAIN_ID = 2n ** 90n - 1n;

/**
 * The L2 domain of a Rollup deployment: chainId * 2^160 + uint160(rollup). `chainId` is a positive integer below
 * 2^90; `rollup` a 0x-prefixed 20-byte hex address (any case, no checksum check), not the zero address.
 * Throws BAD_DOMAIN otherwise.
 */
export function l2Domain(chainId: bigint, rollup: string): bigint {
  if (typeof chainId !== "bigint" || chainId < 1n || chainId > MAX_CHAIN_ID) {
    throw new L2Error("BAD_DOMAIN", `chain id ${String(chainId)} is not an integer in 1..2^90-1`);
  }
  if (typeof rollup !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(rollup)) {
    throw new L2Error("BAD_DOMAIN", `rollup address ${String(rollup)} is not a 0x-prefixed 20-byte hex address`);
  }
  const address = BigInt(rollup);
  if (address === 0n) throw new L2Error("BAD_DOMAIN", "the rollup address cannot be the zero address");
  return (chainId << 160n) + address;
}

/** Throws BAD_DOMAIN unless `domain` is an L2 domain's range (a bigint below 2^250; see `l2Domain`). */
export function checkDomain(domain: bigint): void {
  if (typeof domain !== "bigint" || domain < 0n || domain >= 1n << 250n) {
    throw new L2Error("BAD_DOMAIN", `domain ${String(domain)} is not an L2 domain (chainId * 2^160 + address, below 2^250)`);
  }
}

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

/** M = TRANSFER_TAG * 2^192 + nonce * 2^160 + word: the packed signed fields, before the domain (no Poseidon). */
export function transferBody(tx: UnsignedTransfer): bigint {
  checkTransferRanges(tx);
  return (TRANSFER_TAG << 192n) + (BigInt(tx.nonce) << 160n) + slotWord(transferSlot(tx));
}

/** The field element the sender signs under `domain`: Poseidon(domain, M) (see the file comment). */
export function transferMessage(tx: UnsignedTransfer, domain: bigint): bigint {
  const m = transferBody(tx);
  checkDomain(domain);
  // m < 2^200 and domain < 2^250 are field elements already; the reduction keeps the bound explicit.
  return poseidon([domain % FIELD_MODULUS, m % FIELD_MODULUS]);
}

/** Signs a transfer under `domain` (`l2Domain`) with the sender's 32-byte key seed. */
export function signTransfer(tx: UnsignedTransfer, seed: Uint8Array, domain: bigint): Transfer {
  const { from, to, amount, fee, nonce } = tx;
  return { from, to, amount, fee, nonce, signature: signMessage(seed, transferMessage(tx, domain)) };
}

/** True if the transfer's signature verifies under `publicKey` and `domain`. */
export function verifyTransfer(tx: Transfer, publicKey: Point, domain: bigint): boolean {
  if (typeof tx.signature !== "object" || tx.signature === null) return false;
  return verifyMessage(publicKey, transferMessage(tx, domain), tx.signature);
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
