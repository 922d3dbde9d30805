/**
 * Paths of the build artifacts of one circuit configuration: a block circuit (T slots, tree depth D) or, with
 * `kind: "unit"`, a unit circuit of the Cooperative design (T = S slots of a unit).
 *
 *   block: build/circuits/T{T}_D{D}/, build/setup/block_T{T}_D{D}/, Groth16Verifier_T{T}_D{D} + BlockVerifier_T{T}_D{D}
 *   unit:  build/circuits/U{S}_D{D}/, build/setup/unit_U{S}_D{D}/, Groth16Verifier_U{S}_D{D} + UnitVerifier_U{S}_D{D}
 */
import { join } from "node:path";
import { ZkError } from "./errors.js";

/** Which circuit: a whole block, or one unit of a block (circuits/unit.circom). Same as compile.ts's CircuitKind. */
export type CircuitKind = "block" | "unit";

export interface CircuitConfig {
  /** Slots of the circuit: T of a block, S = T / K of a unit. */
  T: number;
  D: number;
  /** "block" (default) or "unit". */
  kind?: CircuitKind;
}

export interface CircuitArtifacts {
  kind: CircuitKind;
  /** e.g. "block_T2_D8" or "unit_U1_D8": names the build folders. */
  name: string;
  /** Suffix of the Solidity contracts, e.g. "T2_D8" or "U1_D8". */
  tag: string;
  /** Compiler output folder (build/circuits/T{T}_D{D}/ or U{S}_D{D}/, as src/zk/compile.ts writes it). */
  circuitDir: string;
  r1csPath: string;
  wasmPath: string;
  /** Setup folder (build/setup/<name>/). */
  setupDir: string;
  zkeyPath: string;
  vkeyPath: string;
  verifierContract: string;
  verifierPath: string;
  adapterContract: string;
  adapterPath: string;
}

/** Checks T, D and the kind (positive integers; D < 32 because account indices are u32). */
export function checkConfig({ T, D, kind = "block" }: CircuitConfig): void {
  if (kind !== "block" && kind !== "unit") throw new ZkError("BAD_ARGUMENT", `kind must be "block" or "unit", got ${String(kind)}`);
  if (!Number.isInteger(T) || T < 1 || T > 1024) throw new ZkError("BAD_ARGUMENT", `T must be an integer in 1..1024, got ${T}`);
  if (!Number.isInteger(D) || D < 1 || D > 32) throw new ZkError("BAD_ARGUMENT", `D must be an integer in 1..32, got ${D}`);
}

/** Paths for a (T, D) configuration (a unit's with `kind: "unit"`), relative to the repository root. */
export function artifactsFor(cfg: CircuitConfig, root = "."): CircuitArtifacts {
  checkConfig(cfg);
  const kind = cfg.kind ?? "block";
  const tag = `${kind === "unit" ? "U" : "T"}${cfg.T}_D${cfg.D}`;
  const name = `${kind}_${tag}`;
  const circuitDir = join(root, "build", "circuits", tag);
  const setupDir = join(root, "build", "setup", name);
  return {
    kind,
    name,
    tag,
    circuitDir,
    r1csPath: join(circuitDir, "main.r1cs"),
    wasmPath: join(circuitDir, "main_js", "main.wasm"),
    setupDir,
    zkeyPath: join(setupDir, "circuit.zkey"),
    vkeyPath: join(setupDir, "vkey.json"),
    verifierContract: `Groth16Verifier_${tag}`,
    verifierPath: join(root, "contracts", "verifiers", `Groth16Verifier_${tag}.sol`),
    adapterContract: `${kind === "unit" ? "Unit" : "Block"}Verifier_${tag}`,
    adapterPath: join(root, "contracts", "verifiers", `${kind === "unit" ? "Unit" : "Block"}Verifier_${tag}.sol`),
  };
}
