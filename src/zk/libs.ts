/**
 * Typed handles on snarkjs and ffjavascript (both ship without TypeScript types).
 *
 * Why dynamic imports with a non-literal specifier: it gives `any` without an ambient `declare module`,
 * which other parts of the project might declare differently (two ambient declarations of one module clash).
 * Only the calls this pipeline uses are typed here.
 */

/** A snarkjs Groth16 proof as snarkjs returns it (decimal strings, projective coordinates). */
export interface SnarkjsProof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** A snarkjs Groth16 verification key (vkey JSON). */
export interface VerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  vk_alphabeta_12?: unknown;
  IC: string[][];
}

/** snarkjs's "memory file" (fastfile) descriptor. */
export interface MemFile {
  type: "mem";
  data?: Uint8Array;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface Snarkjs {
  zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    exportVerificationKey(zkey: string | MemFile, logger?: Logger): Promise<VerificationKey>;
    exportSolidityVerifier(zkey: string, templates: { groth16: string }, logger?: Logger): Promise<string>;
  };
  powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: Logger): Promise<unknown>;
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: Logger): Promise<unknown>;
  };
  groth16: {
    prove(zkey: string | MemFile, wtns: string | MemFile, logger?: Logger): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    verify(vkey: VerificationKey, publicSignals: (string | bigint)[], proof: SnarkjsProof, logger?: Logger): Promise<boolean>;
  };
  wtns: {
    calculate(input: Record<string, unknown>, wasm: string, out: string | MemFile): Promise<void>;
  };
  curves: {
    getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }>;
  };
}

const SNARKJS: string = "snarkjs";
const FFJAVASCRIPT: string = "ffjavascript";

let snarkjsPromise: Promise<Snarkjs> | undefined;

/** Loads snarkjs (ESM build) once. */
export function loadSnarkjs(): Promise<Snarkjs> {
  snarkjsPromise ??= import(SNARKJS) as Promise<Snarkjs>;
  return snarkjsPromise;
}

/** Loads ffjavascript (untyped: used for buildBn128 only). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function loadFfjavascript(): Promise<any> {
  return import(FFJAVASCRIPT);
}

/**
 * snarkjs keeps one multi-threaded bn128 instance in `globalThis.curve_bn128`; its worker threads keep a process
 * alive. Scripts call this before they finish.
 */
export async function releaseSnarkjsCurve(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } };
  const c = g.curve_bn128;
  if (c) {
    g.curve_bn128 = undefined;
    await c.terminate();
  }
}
