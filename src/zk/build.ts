/**
 * The whole circuit pipeline for one block-circuit configuration: compile (src/zk/compile.ts), setup (setup.ts),
 * export (export.ts). Used by scripts/build-circuits.ts, the benchmark and tests. With `kind: "unit"` the same for
 * the Cooperative design's unit circuit `Unit(S, D)` (T = S): build/circuits/U{S}_D{D}/, build/setup/unit_U{S}_D{D}/,
 * Groth16Verifier_U{S}_D{D} + UnitVerifier_U{S}_D{D} (IBlockVerifier) + UnitVk_U{S}_D{D} + BatchVerifier_U{S}_D{D}.
 */
import { existsSync } from "node:fs";
import { ZkError } from "./errors.js";
import { artifactsFor, checkConfig, type CircuitArtifacts } from "./artifacts.js";
import { setupCircuit, type SetupResult } from "./setup.js";
import { exportVerifier, type ExportResult } from "./export.js";
import { exportBatchVerifier } from "./exportBatch.js";

export interface BuildOptions {
  /** Slots of the circuit: T of a block, S of a unit. */
  T: number;
  D: number;
  /** "block" (default) or "unit" (circuits/unit.circom). */
  kind?: "block" | "unit";
  /** A real ceremony ptau; without it the INSECURE dev setup is used. */
  ptau?: string;
  /**
   * With `ptau`: a contributed phase-2 key to import (verified, needs a secret contribution). Without it the setup
   * makes the secret contribution itself from OS entropy.
   */
  zkey?: string;
  /** Recompile and redo the setup even when cached. */
  force?: boolean;
  onProgress?: (msg: string) => void;
}

export interface BuildResult {
  artifacts: CircuitArtifacts;
  r1csPath: string;
  wasmPath: string;
  compileSeconds: number;
  /** True when the compiler reported that it reused a previous build (when it says so). */
  compileCached?: boolean;
  setup: SetupResult;
  exported: ExportResult;
}

/** Shape of what we need from compile.ts (written by another part of the project). */
interface CompileModule {
  compileCircuit(opts: Record<string, unknown>): Promise<Record<string, unknown>>;
}

async function loadCompiler(): Promise<CompileModule> {
  // A variable specifier keeps this file type-checking whatever compile.ts's exact types are.
  const spec: string = "./compile.js";
  let mod: Partial<CompileModule>;
  try {
    mod = (await import(spec)) as Partial<CompileModule>;
  } catch (e) {
    throw new ZkError("COMPILE_UNAVAILABLE", `cannot load src/zk/compile.ts: ${(e as Error).message}`, { cause: e });
  }
  if (typeof mod.compileCircuit !== "function") throw new ZkError("COMPILE_UNAVAILABLE", "src/zk/compile.ts does not export compileCircuit");
  return mod as CompileModule;
}

/** Compile + setup + export for (T, D). Cached steps are skipped (see setup.ts). */
export async function buildCircuit(opts: BuildOptions): Promise<BuildResult> {
  checkConfig(opts);
  // Before the (long) compile: an imported key only makes sense on top of the ceremony file it came from.
  if (opts.zkey && !opts.ptau) throw new ZkError("BAD_ARGUMENT", "--zkey needs --ptau: the ceremony file the contributed key was made from");
  const log = opts.onProgress ?? (() => {});
  const artifacts = artifactsFor(opts);
  const { compileCircuit } = await loadCompiler();
  let t = performance.now();
  log(`compile ${artifacts.name}`);
  const compiled = await compileCircuit({ T: opts.T, D: opts.D, kind: artifacts.kind, force: opts.force, onProgress: opts.onProgress });
  const compileSeconds = (performance.now() - t) / 1000;
  const r1csPath = typeof compiled.r1csPath === "string" ? compiled.r1csPath : artifacts.r1csPath;
  const wasmPath = typeof compiled.wasmPath === "string" ? compiled.wasmPath : artifacts.wasmPath;
  if (!existsSync(r1csPath)) throw new ZkError("FILE_NOT_FOUND", `compiler produced no r1cs at ${r1csPath}`);
  if (!existsSync(wasmPath)) throw new ZkError("FILE_NOT_FOUND", `compiler produced no wasm at ${wasmPath}`);
  log(`compile ${artifacts.name}: ${compileSeconds.toFixed(1)} s -> ${r1csPath}`);

  const setup = await setupCircuit({ r1csPath, name: artifacts.name, ptau: opts.ptau, zkey: opts.zkey, force: opts.force, onProgress: opts.onProgress });
  t = performance.now();
  const exported = await exportVerifier({ T: opts.T, D: opts.D, kind: artifacts.kind, zkeyPath: setup.zkeyPath, mode: setup.mode, provenance: setup.provenance, vkeyPath: setup.vkeyPath });
  // The batched verifier (same key, as constants) for proofs posted unverified and verified together.
  const batch = await exportBatchVerifier({ T: opts.T, D: opts.D, kind: artifacts.kind, vkey: setup.vkey, mode: setup.mode, setup: setup.provenance });
  const written = [...exported.written, ...batch.written];
  log(`export ${artifacts.name}: ${((performance.now() - t) / 1000).toFixed(1)} s, ${written.length ? `wrote ${written.join(", ")}` : "contracts unchanged"}`);
  return {
    artifacts,
    r1csPath,
    wasmPath,
    compileSeconds,
    compileCached: typeof compiled.cached === "boolean" ? compiled.cached : undefined,
    setup,
    exported,
  };
}
