/**
 * The simulation's cost models, fitted to this machine's measurements in bench/report.json (npm run bench):
 * proving time from the circuits' constraint counts (witness + snarkjs proof seconds, a line through the origin over
 * the measured circuits), and the generated Groth16 verifier's gas (SimBlockVerifier burns it on chain).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface CircuitRow { T: number; D: number; constraints: number; witnessSeconds: number; proveSeconds: number }
interface VerifyRow { T: number; D: number; nPublic: number; verifierTxGas: number; verifierCalldataGas: number }

export interface CostModel {
  /** Seconds per constraint (witness + proof, snarkjs on this machine, one prover process). */
  secondsPerConstraint: number;
  /** Constraints per transfer per tree level (the Merkle paths dominate: linear in D). */
  constraintsPerTransferLevel: number;
  /** Execution gas of the generated verifier at `basePublicInputs`, and per public input beyond. */
  verifierGas: number;
  basePublicInputs: number;
  gasPerPublicInput: number;
  /** Where the numbers come from (printed in the report). */
  source: string;
}

/** Fits the model to bench/report.json (or the given report object). */
export function costModel(report?: { circuits: CircuitRow[]; verifyGas: VerifyRow[]; verifyGasPerPublicInput: { gas: number }; machine?: { date?: string } }): CostModel {
  const r = report ?? JSON.parse(readFileSync(join(process.cwd(), "bench", "report.json"), "utf8"));
  const rows = r.circuits.filter((c: CircuitRow) => c.constraints > 0 && c.proveSeconds > 0);
  // Least squares through the origin: s = a x constraints.
  const a = rows.reduce((s: number, c: CircuitRow) => s + c.constraints * (c.witnessSeconds + c.proveSeconds), 0) / rows.reduce((s: number, c: CircuitRow) => s + c.constraints ** 2, 0);
  const perLevel = rows.reduce((s: number, c: CircuitRow) => s + c.constraints / (c.T * c.D), 0) / rows.length;
  const v = [...r.verifyGas].sort((x: VerifyRow, y: VerifyRow) => y.nPublic - x.nPublic)[0] as VerifyRow;
  return {
    secondsPerConstraint: a,
    constraintsPerTransferLevel: perLevel,
    verifierGas: v.verifierTxGas - 21_000 - v.verifierCalldataGas,
    basePublicInputs: v.nPublic,
    gasPerPublicInput: r.verifyGasPerPublicInput.gas,
    source: `bench/report.json (${rows.map((c: CircuitRow) => `T${c.T}_D${c.D}: ${c.constraints} constraints, ${(c.witnessSeconds + c.proveSeconds).toFixed(1)} s`).join("; ")}; verifier T${v.T}_D${v.D}: ${v.verifierTxGas} gas per tx)`,
  };
}

/** Seconds one proof of `transfers` transfers at depth D takes a prover of `speed` (1 = this machine). */
export function proofSeconds(m: CostModel, transfers: number, D: number, speed: number): number {
  return (m.secondsPerConstraint * m.constraintsPerTransferLevel * transfers * D) / speed;
}

/** L1 blocks from starting a proof to its transaction landing: the proving time, rounded up, plus one for inclusion. */
export function proofL1Blocks(seconds: number, l1BlockSeconds: number): number {
  return Math.ceil(seconds / l1BlockSeconds) + 1;
}
