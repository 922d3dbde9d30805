/**
 * Witness generation for the block circuit (snarkjs `wtns calculate`, in memory).
 * A failed constraint (an invalid block) throws WitnessError with code CONSTRAINT_FAILED and the circuit's
 * message (template and line), so that callers can tell "this block is not provable" from other failures.
 */
import { loadSnarkjs, type MemFile } from "./libs.js";
import { FernetError } from "../errors.js";

export type WitnessErrorCode = "CONSTRAINT_FAILED" | "BAD_INPUT" | "WITNESS_FAILED";

export class WitnessError extends FernetError<WitnessErrorCode> {
  /**
   * For CONSTRAINT_FAILED: the circuit's trace, innermost template first (e.g. "Num2Bits_12 line: 38",
   * "SenderBalanceCheck_150 line: 27", ...). circuits/checks.circom names each rule, so the trace says which broke.
   */
  readonly trace: string[];
  constructor(code: WitnessErrorCode, message: string, options?: { cause?: unknown; trace?: string[] }) {
    super(code, message, { cause: options?.cause });
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
    if (/Too many values|Not enough values|not found|not an input|Not all inputs/i.test(msg)) {
      throw new WitnessError("BAD_INPUT", `witness input does not match the circuit: ${msg}`, { cause: e });
    }
    throw new WitnessError("WITNESS_FAILED", `witness generation failed: ${msg}`, { cause: e });
  }
  return mem.data ? parseWtns(mem.data) : wtns.exportJson(mem);
}

/**
 * Decodes a .wtns file (iden3 binfile: "wtns", version, sections; section 1 = n8, prime, count; section 2 = count
 * little-endian n8-byte field elements). Hand-rolled because snarkjs's `wtns exportJson` converts element by
 * element through ffjavascript and took seconds for the 123k wires of T=8, D=16; this takes milliseconds.
 */
export function parseWtns(bytes: Uint8Array): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== "wtns") throw new WitnessError("WITNESS_FAILED", "not a wtns file");
  const nSections = view.getUint32(8, true);
  let pos = 12;
  let n8 = 0;
  let count = 0;
  let dataPos = -1;
  for (let i = 0; i < nSections; i++) {
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    pos += 12;
    if (type === 1) {
      n8 = view.getUint32(pos, true);
      count = view.getUint32(pos + 4 + n8, true);
    } else if (type === 2) {
      dataPos = pos;
    }
    pos += size;
  }
  if (n8 === 0 || dataPos < 0) throw new WitnessError("WITNESS_FAILED", "wtns file without header or data section");
  const hex: string[] = [];
  for (let b = 0; b < 256; b++) hex.push(b.toString(16).padStart(2, "0"));
  const out = new Array<bigint>(count);
  for (let i = 0; i < count; i++) {
    const base = dataPos + i * n8;
    let h = "0x";
    for (let j = n8 - 1; j >= 0; j--) h += hex[bytes[base + j]];
    out[i] = BigInt(h);
  }
  return out;
}

/** The public signals (in circuit order) of a witness of a circuit with `nPublic` public inputs and no outputs. */
export function publicSignalsOf(witness: bigint[], nPublic: number): bigint[] {
  return witness.slice(1, 1 + nPublic);
}
