/**
 * Public inputs of a block proof, in circuit order:
 *   [oldRoot, newRoot, totalFees, payee, domain, word_0 .. word_{T-1}]   (5 + T)
 * payee = uint160 of the Ethereum address the proof pays (not part of execution: any prover may prove a block,
 * and a copied or re-randomized proof pays its author or nobody); domain = chainId * 2^160 + uint160(rollup)
 * (`l2Domain`, what every transfer of the block signs).
 * Solidity twin: contracts/libraries/PublicInputsLib.sol (it rebuilds the words from calldata with shifts).
 */
import { L2Error } from "./errors.js";
import { decodePubdata, pubdataWords } from "./pubdata.js";
import { checkDomain } from "./transaction.js";

/** Index of each named public input (the words start at WORDS). */
export const PUBLIC_INPUT_INDEX = { oldRoot: 0, newRoot: 1, totalFees: 2, payee: 3, domain: 4, words: 5 } as const;

/**
 * The payee as a public input: a bigint below 2^160, or a 0x-prefixed 20-byte hex address (any case).
 * Throws BAD_PAYEE otherwise.
 */
export function payeeInput(payee: bigint | string): bigint {
  if (typeof payee === "string") {
    if (!/^0x[0-9a-fA-F]{40}$/.test(payee)) throw new L2Error("BAD_PAYEE", `payee ${payee} is not a 0x-prefixed 20-byte hex address`);
    return BigInt(payee);
  }
  if (typeof payee !== "bigint" || payee < 0n || payee >= 1n << 160n) throw new L2Error("BAD_PAYEE", `payee ${String(payee)} is not a uint160`);
  return payee;
}

/** Sum of the fees of a block's pubdata. */
export function pubdataTotalFees(pubdata: Uint8Array): bigint {
  return decodePubdata(pubdata).reduce((sum, s) => sum + s.fee, 0n);
}

/** The block proof's public inputs for these roots, pubdata (T = pubdata.length / 20), payee and domain. */
export function blockPublicInputs(oldRoot: bigint, newRoot: bigint, pubdata: Uint8Array, payee: bigint | string, domain: bigint): bigint[] {
  checkDomain(domain);
  return [oldRoot, newRoot, pubdataTotalFees(pubdata), payeeInput(payee), domain, ...pubdataWords(pubdata)];
}
