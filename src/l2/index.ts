/** Public API of the L2 rules (await `initL2()` once before anything else). */
export { L2Error, type L2ErrorCode } from "./errors.js";
export {
  initL2, poseidon, keyFromSeed, isValidPublicKey, signMessage, verifyMessage, FIELD_MODULUS,
  type Point, type Signature, type KeyPair,
} from "./crypto.js";
export { SparseMerkleTree, emptyRoot, rootFromPath, hashWithSiblings, checkDepth, ARITY, type MerklePath } from "./tree.js";
export { L2State, accountLeaf, stateFromGenesis, genesisEntry, type Account, type GenesisAccount } from "./state.js";
export {
  TRANSFER_TAG, checkTransferRanges, transferSlot, transferMessage, signTransfer, verifyTransfer,
  transferToJSON, transferFromJSON, type UnsignedTransfer, type Transfer, type TransferJSON,
} from "./transaction.js";
export {
  SLOT_BYTES, U32_MAX, U64_MAX, NOOP_SLOT, isNoop, slotWord, wordToSlot, encodeSlot, encodePubdata, pubdataWords,
  decodePubdata, type PubdataSlot,
} from "./pubdata.js";
export { blockPublicInputs, pubdataTotalFees } from "./publicInputs.js";
export { executeBlock, buildBlock, applyPubdata, type BlockResult, type BuildResult, type CircuitInput } from "./block.js";
