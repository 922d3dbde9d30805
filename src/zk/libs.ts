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
    /** Returns the contribution hash (public). `entropy` is mixed with 64 bytes snarkjs draws itself. */
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    /** True when the zkey is `zkey new` of (r1cs, ptau) followed by valid contributions and beacons. */
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<boolean>;
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

type Curve = { terminate(): Promise<void> };
const seenCurves = new Set<Curve>();

/**
 * Records every multi-threaded bn128 curve ffjavascript publishes in `globalThis.curve_bn128`.
 * Why: the project holds three copies of ffjavascript (snarkjs's, circomlibjs's 0.2.x, r1csfile's) and each sets
 * `globalThis.curve_bn128 = null` when it is first loaded. Loading circomlibjs after snarkjs built its curve thus
 * "forgets" a curve whose worker threads then keep the process alive forever. Tracking assignments lets
 * releaseSnarkjsCurve terminate every curve that was built.
 */
function trackCurves(): void {
  const g = globalThis as Record<string, unknown>;
  const desc = Object.getOwnPropertyDescriptor(g, "curve_bn128");
  if (desc && desc.set) return;
  let current = g.curve_bn128 as Curve | null | undefined;
  if (current) seenCurves.add(current);
  Object.defineProperty(g, "curve_bn128", {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (v: Curve | null | undefined) => {
      if (v) seenCurves.add(v);
      current = v;
    },
  });
}

/** Loads snarkjs (ESM build) once. */
export function loadSnarkjs(): Promise<Snarkjs> {
  trackCurves();
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
 * alive. Scripts and test suites call this when they finish: it terminates every such curve built since snarkjs
 * was loaded through loadSnarkjs (see trackCurves). The next snarkjs call builds a new one.
 */
export async function releaseSnarkjsCurve(): Promise<void> {
  const g = globalThis as { curve_bn128?: Curve | null };
  if (g.curve_bn128) seenCurves.add(g.curve_bn128);
  const curves = [...seenCurves];
  seenCurves.clear();
  g.curve_bn128 = null;
  for (const c of curves) await c.terminate();
}
