import { FernetError, type FernetErrorOptions } from "../errors.js";

/** Error codes raised by the zk pipeline (setup, export, prover). */
export type ZkErrorCode =
  | "BAD_ARGUMENT"
  | "FILE_NOT_FOUND"
  | "CIRCUIT_TOO_BIG"
  | "SETUP_FAILED"
  | "EXPORT_FAILED"
  | "PROVE_FAILED"
  | "WORKER_FAILED"
  | "COMPILE_UNAVAILABLE"
  /** The native prover cannot be built (no g++, compile error): src/zk/native.ts. */
  | "NATIVE_UNAVAILABLE"
  /**
   * The native prover rejected the proving key (truncated, wrong curve, not Groth16), or an imported phase-2 key
   * (`--zkey`) does not verify against the circuit's r1cs and the ceremony ptau.
   */
  | "BAD_ZKEY"
  /**
   * A ceremony (ptau) key without a secret phase-2 contribution (none, or public beacons only): its delta is
   * computable by anyone, who can then forge proofs. Refused by the setup and by every export (security finding 1).
   */
  | "INSECURE_SETUP"
  /** The native prover rejected the witness (truncated, wrong field, length differs from the circuit's). */
  | "BAD_WITNESS"
  /**
   * The block verifier deployed on L1 does not hold the zkey's verification key (another size, another setup): every
   * proof would be refused. src/zk/verifierCheck.ts.
   */
  | "VERIFIER_MISMATCH";

/** Typed error of the zk pipeline: `code` says what went wrong, `message` says how to fix it. */
export class ZkError extends FernetError<ZkErrorCode> {
  constructor(code: ZkErrorCode, message: string, options?: FernetErrorOptions) {
    super(code, message, options);
  }
}
