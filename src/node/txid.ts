/**
 * Transaction id of a signed L2 transfer.
 *
 * txId = keccak256(M || R8x || R8y || S), each a 32-byte big-endian word, where M = transferBody(tx) (the packed
 * signed fields: tag, nonce, from, to, amount, fee; the sender signs Poseidon(domain, M), see
 * src/l2/transaction.ts). The domain is left out (it would need Poseidon, hence `initL2()`): the signature depends
 * on it, so the same transfer under two domains has two ids anyway. Written `0x` + 64 lowercase hex digits.
 *
 * Why keccak and not Poseidon: the id is an off-chain handle (mempool, RPC, status), never proven, and keccak needs
 * no `initL2()`, is what the L1 tooling already speaks (a contract or an indexer can recompute it from calldata plus
 * the signature), and is cheap. Why include the signature: two signatures of the same message are two different
 * submissions (EdDSA nonces may differ between signers), and the pool must tell them apart; the signed fields alone
 * are covered by M, which is injective.
 */
import { solidityPackedKeccak256 } from "ethers";
import { L2Error, transferBody, type Transfer } from "../l2/index.js";

/** `0x` + 64 lowercase hex digits. */
export type TxId = string;

const TX_ID_RE = /^0x[0-9a-f]{64}$/;

/** The id of a signed transfer (throws the L2's OUT_OF_RANGE if a field does not fit its width). */
export function txIdOf(tx: Transfer): TxId {
  const s = tx.signature;
  for (const v of [s?.R8x, s?.R8y, s?.S]) {
    if (typeof v !== "bigint" || v < 0n || v >= 2n ** 256n) throw new L2Error("OUT_OF_RANGE", "signature words must be integers below 2^256");
  }
  return solidityPackedKeccak256(["uint256", "uint256", "uint256", "uint256"], [transferBody(tx), s.R8x, s.R8y, s.S]);
}

/** True for a well-formed tx id (lowercase, as txIdOf writes it). */
export function isTxId(x: unknown): x is TxId {
  return typeof x === "string" && TX_ID_RE.test(x);
}
