/**
 * Public inputs of a block proof, in circuit order: [oldRoot, newRoot, totalFees, word_0 .. word_{T-1}].
 * Solidity twin: contracts/libraries/PublicInputsLib.sol (it rebuilds the words from calldata with shifts).
 */
import { decodePubdata, pubdataWords } from "./pubdata.js";

/** Sum of the fees of a block's pubdata. */
export function pubdataTotalFees(pubdata: Uint8Array): bigint {
  return decodePubdata(pubdata).reduce((sum, s) => sum + s.fee, 0n);
}

/** The block proof's public inputs for these roots and pubdata (T = pubdata.length / 20). */
export function blockPublicInputs(oldRoot: bigint, newRoot: bigint, pubdata: Uint8Array): bigint[] {
  return [oldRoot, newRoot, pubdataTotalFees(pubdata), ...pubdataWords(pubdata)];
}
