/** Paths of the build artifacts of one block-circuit configuration (T slots, tree depth D). */
import { join } from "node:path";
import { ZkError } from "./errors.js";

export interface CircuitConfig {
  T: number;
  D: number;
}

export interface CircuitArtifacts {
  /** e.g. "block_T2_D8": names the build folders. */
  name: string;
  /** Suffix of the Solidity contracts, e.g. "T2_D8". */
  tag: string;
  /** Compiler output folder (build/circuits/T{T}_D{D}/, as src/zk/compile.ts writes it). */
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

/** Checks T and D (positive integers; D < 32 because account indices are u32). */
export function checkConfig({ T, D }: CircuitConfig): void {
  if (!Number.isInteger(T) || T < 1 || T > 1024) throw new ZkError("BAD_ARGUMENT", `T must be an integer in 1..1024, got ${T}`);
  if (!Number.isInteger(D) || D < 1 || D > 32) throw new ZkError("BAD_ARGUMENT", `D must be an integer in 1..32, got ${D}`);
}

/** Paths for a (T, D) configuration, relative to the repository root. */
export function artifactsFor(cfg: CircuitConfig, root = "."): CircuitArtifacts {
  checkConfig(cfg);
  const tag = `T${cfg.T}_D${cfg.D}`;
  const name = `block_${tag}`;
  const circuitDir = join(root, "build", "circuits", tag);
  const setupDir = join(root, "build", "setup", name);
  return {
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
    adapterContract: `BlockVerifier_${tag}`,
    adapterPath: join(root, "contracts", "verifiers", `BlockVerifier_${tag}.sol`),
  };
}
