/**
 * Witness generation for the block circuit (snarkjs `wtns calculate`, in memory).
 * A failed constraint (an invalid block) throws WitnessError with code CONSTRAINT_FAILED and the circuit's
 * message (template and line), so that callers can tell "this block is not provable" from other failures.
 */
import { loadSnarkjs, type MemFile } from "./libs.js";

export type WitnessErrorCode = "CONSTRAINT_FAILED" | "BAD_INPUT" | "WITNESS_FAILED";

export class WitnessError extends Error {
  readonly code: WitnessErrorCode;
  /**
   * For CONSTRAINT_FAILED: the circuit's trace, innermost template first (e.g. "Num2Bits_12 line: 38",
   * "SenderBalanceCheck_150 line: 27", ...). circuits/checks.circom names each rule, so the trace says which broke.
   */
  readonly trace: string[];
  constructor(code: WitnessErrorCode, message: string, options?: { cause?: unknown; trace?: string[] }) {
    super(message, options);
    this.name = "WitnessError";
    this.code = code;
    this.trace = options?.trace ?? [];
  }
}

interface WtnsApi {
  calculate(input: Record<string, unknown>, wasm: string, out: string | MemFile): Promise<void>;
  exportJson(wtns: string | MemFile): Promise<bigint[]>;
}

/**
 * Computes the full witness (wire 0 = 1, then public signals, then the rest) of `input` for the circuit `wasmPath`.
 * `input` values may be bigints, numbers, decimal strings or nested arrays of them.
 */
export async function calculateWitness(wasmPath: string, input: object): Promise<bigint[]> {
  const snarkjs = await loadSnarkjs();
  const wtns = snarkjs.wtns as unknown as WtnsApi;
  const mem: MemFile = { type: "mem" };
  try {
    await wtns.calculate(input as Record<string, unknown>, wasmPath, mem);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/Assert Failed|Error in template/i.test(msg)) {
      const trace = [...msg.matchAll(/Error in template (\S+ line: \d+)/g)].map((m) => m[1]);
      throw new WitnessError("CONSTRAINT_FAILED", `circuit constraint failed in ${trace.join(" <- ") || msg}`, { cause: e, trace });
    }
    if (/Too many values|Not enough values|Signal not found|Invalid/i.test(msg)) {
      throw new WitnessError("BAD_INPUT", `witness input does not match the circuit: ${msg}`, { cause: e });
    }
    throw new WitnessError("WITNESS_FAILED", `witness generation failed: ${msg}`, { cause: e });
  }
  return wtns.exportJson(mem);
}

/** The public signals (in circuit order) of a witness of a circuit with `nPublic` public inputs and no outputs. */
export function publicSignalsOf(witness: bigint[], nPublic: number): bigint[] {
  return witness.slice(1, 1 + nPublic);
}
