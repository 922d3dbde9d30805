/** Public API of the L2 rules (await `initL2()` once before anything else). */
export { L2Error, type L2ErrorCode } from "./errors.js";
export {
  initL2, poseidon, keyFromSeed, isValidPublicKey, signMessage, verifyMessage, packPoint, unpackPoint, subgroupOrder, FIELD_MODULUS,
  type Point, type Signature, type KeyPair,
} from "./crypto.js";
export { SparseMerkleTree, emptyRoot, rootFromPath, hashWithSiblings, checkDepth, ARITY, type MerklePath } from "./tree.js";
export { L2State, accountLeaf, stateFromGenesis, genesisEntry, type Account, type GenesisAccount } from "./state.js";
export {
  TRANSFER_TAG, MAX_CHAIN_ID, l2Domain, checkDomain, checkTransferRanges, transferSlot, transferBody, transferMessage, signTransfer, verifyTransfer,
  transferToJSON, transferFromJSON, type UnsignedTransfer, type Transfer, type TransferJSON,
} from "./transaction.js";
export {
  SLOT_BYTES, U32_MAX, U64_MAX, NOOP_SLOT, isNoop, slotWord, wordToSlot, encodeSlot, encodePubdata, pubdataWords,
  decodePubdata, type PubdataSlot,
} from "./pubdata.js";
export { blockPublicInputs, pubdataTotalFees, payeeInput, PUBLIC_INPUT_INDEX } from "./publicInputs.js";
export {
  executeBlock, buildBlock, applyPubdata, withPayee, type BlockResult, type BuildResult, type CircuitInput, type ProofInputs,
} from "./block.js";
export {
  FEE_BURN_MAX_BPS, UNIT_PUBLIC_INPUT_INDEX, unitSize, splitBlock, executeBlockUnits, feeBurnInput, unitPublicInputs, unitWithPayee, unitPubdata,
  type BlockUnit, type BlockUnits, type UnitCircuitInput, type UnitProofInputs, type SlotInputs,
} from "./units.js";
export { SIGNATURE_BYTES, encodeBlockSignatures, decodeBlockSignatures, transfersFromL1 } from "./signatures.js";
