/**
 * Does the block verifier deployed on L1 verify the proofs of this zkey? Checked at startup (src/network) before any
 * agent proves: a verifier of another circuit size or another setup refuses every proof, and the devnet would only
 * show it as missed heights and slashed deposits.
 *
 * The generated adapter (`BlockVerifier_T{T}_D{D}`, src/zk/export.ts) exposes N_PUBLIC and the address of its
 * snarkjs Groth16 verifier, whose key is compiled into its bytecode as constants (PUSH immediates): the check
 * compares N_PUBLIC with the key's and looks for every key coordinate (alpha, beta, gamma, delta, IC) in that code.
 */
import { Contract, type Provider } from "ethers";
import { ZkError } from "./errors.js";
import type { VerificationKey } from "./libs.js";

/** The deployed verifier is not the zkey's: `details` names the verifier and what differs. */
export class VerifierMismatchError extends ZkError {
  constructor(verifier: string, reason: string, details: { verifier: string; zkey?: string; expectedNPublic: number; deployedNPublic?: number; missing?: string[] }) {
    super("VERIFIER_MISMATCH", `the block verifier at ${verifier} does not match the zkey${details.zkey ? ` ${details.zkey}` : ""}: ${reason}`, { details });
    this.name = "VerifierMismatchError";
  }
}

const ADAPTER_ABI = ["function N_PUBLIC() view returns (uint256)", "function groth16() view returns (address)"];

/** The key's coordinates as the snarkjs template compiles them in, named (alpha.x, beta.x.c1, IC3.y, ...). */
export function vkCoordinates(vkey: VerificationKey): [string, bigint][] {
  const out: [string, bigint][] = [
    ["alpha.x", BigInt(vkey.vk_alpha_1[0]!)], ["alpha.y", BigInt(vkey.vk_alpha_1[1]!)],
  ];
  for (const [name, p] of [["beta", vkey.vk_beta_2], ["gamma", vkey.vk_gamma_2], ["delta", vkey.vk_delta_2]] as const) {
    out.push([`${name}.x.c0`, BigInt(p[0]![0]!)], [`${name}.x.c1`, BigInt(p[0]![1]!)], [`${name}.y.c0`, BigInt(p[1]![0]!)], [`${name}.y.c1`, BigInt(p[1]![1]!)]);
  }
  vkey.IC.forEach((p, i) => out.push([`IC${i}.x`, BigInt(p[0]!)], [`IC${i}.y`, BigInt(p[1]!)]));
  return out;
}

/**
 * The key coordinates absent from `code` (hex runtime bytecode). A constant is pushed with its leading zero bytes
 * dropped (PUSHn, n = its byte length), so the search is for its minimal big-endian bytes preceded by that PUSHn.
 */
export function missingVkCoordinates(code: string, vkey: VerificationKey): string[] {
  const hay = code.toLowerCase().replace(/^0x/, "");
  const missing: string[] = [];
  for (const [name, v] of vkCoordinates(vkey)) {
    if (v === 0n) continue;
    let hex = v.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    const push = (0x5f + hex.length / 2).toString(16);
    if (!hay.includes(push + hex)) missing.push(name);
  }
  return missing;
}

/**
 * Throws VerifierMismatchError unless the IBlockVerifier adapter at `verifier` wraps a Groth16 verifier of `vkey`.
 * `zkeyPath` only names the key in the message.
 */
export async function checkDeployedVerifier(provider: Provider, verifier: string, vkey: VerificationKey, zkeyPath?: string): Promise<void> {
  const adapter = new Contract(verifier, ADAPTER_ABI, provider);
  const base = { verifier, zkey: zkeyPath, expectedNPublic: vkey.nPublic };
  let nPublic: number;
  let groth16: string;
  try {
    nPublic = Number(await adapter.getFunction("N_PUBLIC")());
    groth16 = String(await adapter.getFunction("groth16")());
  } catch (e) {
    throw new VerifierMismatchError(verifier, `it is not a generated BlockVerifier adapter (N_PUBLIC() / groth16() failed: ${(e as Error).message.split("\n")[0]})`, base);
  }
  if (nPublic !== vkey.nPublic) {
    throw new VerifierMismatchError(verifier, `it takes ${nPublic} public inputs, the zkey ${vkey.nPublic} (another block size T)`, { ...base, deployedNPublic: nPublic });
  }
  const code = await provider.getCode(groth16);
  const missing = missingVkCoordinates(code, vkey);
  if (missing.length > 0) {
    throw new VerifierMismatchError(verifier, `its Groth16 verifier ${groth16} holds another key (${missing.length} coordinates differ, e.g. ${missing.slice(0, 3).join(", ")}): another tree depth D or another setup`, { ...base, deployedNPublic: nPublic, missing });
  }
}
