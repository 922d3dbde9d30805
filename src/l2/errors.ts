import { FernetError } from "../errors.js";

/** Error codes of the L2 rules. Each names one rule that an input broke. */
export type L2ErrorCode =
  | "NOT_INITIALIZED" // initL2() was not awaited before a sync call
  | "BAD_SIGNATURE" // EdDSA signature does not verify under the sender's key
  | "BAD_KEY" // a public key is not a Baby Jubjub subgroup point, or a seed is not 32 bytes
  | "UNKNOWN_ACCOUNT" // sender or receiver has no leaf (index 0 is the null account)
  | "OVERSPEND" // amount + fee exceeds the sender's balance
  | "WRONG_NONCE" // tx nonce differs from the sender's nonce
  | "BALANCE_OVERFLOW" // receiver balance would reach 2^64
  | "NONCE_OVERFLOW" // sender nonce would reach 2^32
  | "BLOCK_FULL" // more transactions than slots
  | "OUT_OF_RANGE" // a field is wider than its width (amount, fee, nonce, index)
  | "BAD_GENESIS" // malformed genesis file
  | "BAD_PUBDATA" // pubdata of the wrong length, or a slot that cannot be applied
  | "BAD_DOMAIN" // an L2 domain, chain id or rollup address out of range
  | "BAD_PAYEE" // a payee that is not an Ethereum address (uint160)
  | "BAD_SIGNATURE_BYTES" // published signature bytes of the wrong length, an invalid R8 encoding or S >= the subgroup order
  | "BAD_UNIT_COUNT" // a unit count K that does not divide the block size T, or a unit index outside 0..K-1
  | "BAD_FEE_BURN" // a FEE_BURN outside 0..10000 basis points
  | "BAD_WITNESS" // a block's circuit input whose roots do not chain (not made by executeBlock, or altered)
  | "BAD_PARAMETER"; // tree depth or block size not supported

/** Typed error of the L2 rules: `code` is stable (tests and agents branch on it), `message` explains. */
export class L2Error extends FernetError<L2ErrorCode> {
  /** Slot of the block the error refers to, when it refers to one. */
  readonly slot?: number;
  constructor(code: L2ErrorCode, message: string, slot?: number) {
    super(code, message);
    if (slot !== undefined) this.slot = slot;
  }
}
