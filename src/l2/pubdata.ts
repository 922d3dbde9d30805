/**
 * Pubdata: what the sequencer reveals on L1 (calldata). Per slot 20 bytes, big-endian:
 * `from u32 | to u32 | amount u64 | fee u32`; a block is T slots concatenated; a no-op slot is 20 zero bytes.
 * The slot's `word` (its 20 bytes as one big-endian integer, < 2^160) is a public input of the block proof.
 */
import { L2Error } from "./errors.js";

export const SLOT_BYTES = 20;
export const U32_MAX = 2n ** 32n - 1n;
export const U64_MAX = 2n ** 64n - 1n;

/** One slot as revealed on L1 (no signature, no nonce: nonces are implied by order). */
export interface PubdataSlot {
  from: number;
  to: number;
  amount: bigint;
  fee: bigint;
}

export const NOOP_SLOT: Readonly<PubdataSlot> = Object.freeze({ from: 0, to: 0, amount: 0n, fee: 0n });

/** True for the all-zero no-op slot. */
export function isNoop(s: PubdataSlot): boolean {
  return s.from === 0 && s.to === 0 && s.amount === 0n && s.fee === 0n;
}

function checkSlotRanges(s: PubdataSlot): void {
  for (const [name, v] of [["from", s.from], ["to", s.to]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > Number(U32_MAX)) throw new L2Error("OUT_OF_RANGE", `${name} ${v} is not a u32`);
  }
  if (typeof s.amount !== "bigint" || s.amount < 0n || s.amount > U64_MAX) throw new L2Error("OUT_OF_RANGE", `amount ${s.amount} is not a u64`);
  if (typeof s.fee !== "bigint" || s.fee < 0n || s.fee > U32_MAX) throw new L2Error("OUT_OF_RANGE", `fee ${s.fee} is not a u32`);
}

/** The slot's 160-bit word: from << 128 | to << 96 | amount << 32 | fee. */
export function slotWord(s: PubdataSlot): bigint {
  checkSlotRanges(s);
  return (BigInt(s.from) << 128n) | (BigInt(s.to) << 96n) | (s.amount << 32n) | s.fee;
}

/** Inverse of `slotWord`. */
export function wordToSlot(word: bigint): PubdataSlot {
  if (word < 0n || word >= 1n << 160n) throw new L2Error("OUT_OF_RANGE", "a pubdata word is below 2^160");
  return {
    from: Number(word >> 128n),
    to: Number((word >> 96n) & U32_MAX),
    amount: (word >> 32n) & U64_MAX,
    fee: word & U32_MAX,
  };
}

/** 20 big-endian bytes of one slot. */
export function encodeSlot(s: PubdataSlot): Uint8Array {
  let w = slotWord(s);
  const out = new Uint8Array(SLOT_BYTES);
  for (let i = SLOT_BYTES - 1; i >= 0; i--) {
    out[i] = Number(w & 0xffn);
    w >>= 8n;
  }
  return out;
}

/** Pubdata of a block of `T` slots: `slots` followed by no-op padding. */
export function encodePubdata(slots: PubdataSlot[], T: number): Uint8Array {
  if (slots.length > T) throw new L2Error("BLOCK_FULL", `${slots.length} slots do not fit a block of ${T}`);
  const out = new Uint8Array(SLOT_BYTES * T);
  slots.forEach((s, i) => out.set(encodeSlot(s), i * SLOT_BYTES));
  return out;
}

/** Words of a block's pubdata (one per slot). */
export function pubdataWords(pubdata: Uint8Array): bigint[] {
  if (!(pubdata instanceof Uint8Array) || pubdata.length % SLOT_BYTES !== 0) {
    throw new L2Error("BAD_PUBDATA", `pubdata length must be a multiple of ${SLOT_BYTES} bytes`);
  }
  const words: bigint[] = [];
  for (let off = 0; off < pubdata.length; off += SLOT_BYTES) {
    let w = 0n;
    for (let i = 0; i < SLOT_BYTES; i++) w = (w << 8n) | BigInt(pubdata[off + i]);
    words.push(w);
  }
  return words;
}

/**
 * Slots of a block's pubdata. A slot with from = 0 must be all zero (the circuit forces it), otherwise BAD_PUBDATA.
 */
export function decodePubdata(pubdata: Uint8Array): PubdataSlot[] {
  return pubdataWords(pubdata).map((w, i) => {
    const s = wordToSlot(w);
    if (s.from === 0 && !isNoop(s)) throw new L2Error("BAD_PUBDATA", `slot ${i} has from = 0 but is not all zero`, i);
    return s;
  });
}
