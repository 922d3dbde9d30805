/**
 * Generates `BlockVk_T{T}_D{D}.sol`: a Solidity library holding a Groth16 verification key as constants, in the
 * shape `contracts/libraries/Groth16BatchLib.sol` takes (`Groth16BatchLib.VerifyingKey`). Output is a pure
 * function of the key and the name (byte-identical on every run) and is written only if it changed, so that
 * Hardhat does not recompile and the verifier's bytecode does not churn.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { keccak256, toBeHex } from "ethers";
import type { VerificationKey } from "./libs.js";
import { BN254_BASE_MODULUS as FQ } from "../protocol.js";
import { FernetError } from "../errors.js";


/** Error codes of the key generator. */
export type VkSolidityErrorCode = "BAD_VKEY" | "BAD_NAME";

/** Typed error of the key generator. */
export class VkSolidityError extends FernetError<VkSolidityErrorCode> {
  constructor(code: VkSolidityErrorCode, message: string) {
    super(code, message);
  }
}

/** A verification key in the contracts' word order. */
export interface VkWords {
  alpha: bigint[]; // [x, y]
  beta: bigint[]; // [x.c1, x.c0, y.c1, y.c0]
  gamma: bigint[];
  delta: bigint[];
  ic: bigint[]; // [IC_0.x, IC_0.y, IC_1.x, ...]
}

function coord(v: unknown, what: string): bigint {
  let x: bigint;
  try {
    x = BigInt(v as string);
  } catch {
    throw new VkSolidityError("BAD_VKEY", `verification key ${what} is not an integer: ${String(v)}`);
  }
  if (x < 0n || x >= FQ) throw new VkSolidityError("BAD_VKEY", `verification key ${what} is not below the field modulus`);
  return x;
}

function g1(p: unknown, what: string): bigint[] {
  if (!Array.isArray(p) || p.length < 2) throw new VkSolidityError("BAD_VKEY", `verification key ${what} is not a G1 point`);
  if (p.length > 2 && String(p[2]) !== "1") throw new VkSolidityError("BAD_VKEY", `verification key ${what} is not affine (z != 1)`);
  return [coord(p[0], `${what}.x`), coord(p[1], `${what}.y`)];
}

function g2(p: unknown, what: string): bigint[] {
  if (!Array.isArray(p) || p.length < 2 || !Array.isArray(p[0]) || !Array.isArray(p[1])) {
    throw new VkSolidityError("BAD_VKEY", `verification key ${what} is not a G2 point`);
  }
  // snarkjs writes [c0, c1]; the precompile wants the imaginary part (c1) first.
  return [coord(p[0][1], `${what}.x.c1`), coord(p[0][0], `${what}.x.c0`), coord(p[1][1], `${what}.y.c1`), coord(p[1][0], `${what}.y.c0`)];
}

/**
 * Converts a snarkjs `verification_key.json` to the contracts' word order.
 * @throws VkSolidityError BAD_VKEY if it is not a BN254 Groth16 key or a coordinate is out of range.
 */
export function vkeyToWords(vkey: VerificationKey): VkWords {
  if (!vkey || vkey.protocol !== "groth16") throw new VkSolidityError("BAD_VKEY", `not a Groth16 key (protocol ${String(vkey?.protocol)})`);
  if (vkey.curve !== "bn128" && vkey.curve !== "bn254") throw new VkSolidityError("BAD_VKEY", `not a BN254 key (curve ${vkey.curve})`);
  if (!Array.isArray(vkey.IC) || vkey.IC.length < 1) throw new VkSolidityError("BAD_VKEY", "key has no IC points");
  if (typeof vkey.nPublic === "number" && vkey.IC.length !== vkey.nPublic + 1) {
    throw new VkSolidityError("BAD_VKEY", `key has ${vkey.IC.length} IC points for nPublic = ${vkey.nPublic}`);
  }
  return {
    alpha: g1(vkey.vk_alpha_1, "alpha"),
    beta: g2(vkey.vk_beta_2, "beta"),
    gamma: g2(vkey.vk_gamma_2, "gamma"),
    delta: g2(vkey.vk_delta_2, "delta"),
    ic: vkey.IC.flatMap((p, i) => g1(p, `IC[${i}]`)),
  };
}

/** The flat word list alpha ‖ beta ‖ gamma ‖ delta ‖ ic (the harness constructor's argument). */
export function flattenVk(w: VkWords): bigint[] {
  return [...w.alpha, ...w.beta, ...w.gamma, ...w.delta, ...w.ic];
}

/** Key id as `Groth16BatchLib.vkId`: keccak256 of the flat words, each a 32-byte big-endian word. */
export function vkIdOfWords(w: VkWords): string {
  return keccak256("0x" + flattenVk(w).map((x) => toBeHex(x, 32).slice(2)).join(""));
}

/** Library name for a circuit configuration: `BlockVk_T{T}_D{D}`. */
export function blockVkName(T: number, D: number): string {
  if (!Number.isInteger(T) || !Number.isInteger(D) || T < 1 || D < 1) throw new VkSolidityError("BAD_NAME", `bad circuit configuration T=${T} D=${D}`);
  return `BlockVk_T${T}_D${D}`;
}

/** Options of the generator. */
export interface VkSolidityOptions {
  /** Library name (a Solidity identifier); default from `T`/`D`. */
  name?: string;
  T?: number;
  D?: number;
  /** Import path of Groth16BatchLib as seen from the output file. */
  libImport?: string;
  /** A line saying where the key comes from (setup kind); goes into the header comment. */
  provenance?: string;
}

function resolveName(opts: VkSolidityOptions): string {
  const name = opts.name ?? (opts.T !== undefined && opts.D !== undefined ? blockVkName(opts.T, opts.D) : undefined);
  if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new VkSolidityError("BAD_NAME", `bad library name ${String(name)} (give name or T and D)`);
  return name;
}

/**
 * Renders the Solidity library for a key. Deterministic: the same key and options give the same bytes.
 * @throws VkSolidityError on a malformed key or name.
 */
export function renderVkSolidity(vkey: VerificationKey, opts: VkSolidityOptions): string {
  const name = resolveName(opts);
  const w = vkeyToWords(vkey);
  const nPub = w.ic.length / 2 - 1;
  const lib = opts.libImport ?? "../libraries/Groth16BatchLib.sol";
  const c = (label: string, v: bigint) => `    uint256 internal constant ${label} = ${v};`;
  const g2Names = (p: string, v: bigint[]) => [c(`${p}_X_C1`, v[0]), c(`${p}_X_C0`, v[1]), c(`${p}_Y_C1`, v[2]), c(`${p}_Y_C0`, v[3])];
  const icLines: string[] = [];
  for (let i = 0; i <= nPub; i++) icLines.push(c(`IC${i}_X`, w.ic[2 * i]), c(`IC${i}_Y`, w.ic[2 * i + 1]));
  const icAssign: string[] = [];
  for (let i = 0; i <= nPub; i++) icAssign.push(`        points[${2 * i}] = IC${i}_X;`, `        points[${2 * i + 1}] = IC${i}_Y;`);
  const g2Fn = (fn: string, p: string) => [
    `    /// @notice ${fn} as [x.c1, x.c0, y.c1, y.c0].`,
    `    /// @return The point.`,
    `    function ${fn}() internal pure returns (uint256[4] memory) {`,
    `        return [${p}_X_C1, ${p}_X_C0, ${p}_Y_C1, ${p}_Y_C0];`,
    `    }`,
    ``,
  ];
  return [
    `// SPDX-License-Identifier: MIT`,
    `// Generated by src/zk/vkSolidity.ts from a snarkjs verification_key.json; do not edit.`,
    ...(opts.provenance ? [`// Key: ${opts.provenance.replace(/[\r\n]+/g, " ")}`] : []),
    `pragma solidity ^0.8.28;`,
    ``,
    `import {Groth16BatchLib} from "${lib}";`,
    ``,
    `/// @title ${name}`,
    `/// @notice Groth16 verification key (BN254, ${nPub} public inputs) for Groth16BatchLib.`,
    `library ${name} {`,
    `    /// @notice Number of public inputs.`,
    `    uint256 internal constant N_PUBLIC = ${nPub};`,
    `    /// @notice Groth16BatchLib.vkId of this key.`,
    `    bytes32 internal constant VK_ID = ${vkIdOfWords(w)};`,
    ``,
    c("ALPHA_X", w.alpha[0]),
    c("ALPHA_Y", w.alpha[1]),
    ...g2Names("BETA", w.beta),
    ...g2Names("GAMMA", w.gamma),
    ...g2Names("DELTA", w.delta),
    ...icLines,
    ``,
    `    /// @notice alpha (G1) as [x, y].`,
    `    /// @return The point.`,
    `    function alpha() internal pure returns (uint256[2] memory) {`,
    `        return [ALPHA_X, ALPHA_Y];`,
    `    }`,
    ``,
    ...g2Fn("beta", "BETA"),
    ...g2Fn("gamma", "GAMMA"),
    ...g2Fn("delta", "DELTA"),
    `    /// @notice IC points, flat: [IC_0.x, IC_0.y, IC_1.x, ...].`,
    `    /// @return points The points.`,
    `    function ic() internal pure returns (uint256[] memory points) {`,
    `        points = new uint256[](${2 * (nPub + 1)});`,
    ...icAssign,
    `    }`,
    ``,
    `    /// @notice The whole key as Groth16BatchLib takes it.`,
    `    /// @return vk The key.`,
    `    function verifyingKey() internal pure returns (Groth16BatchLib.VerifyingKey memory vk) {`,
    `        vk.alpha = alpha();`,
    `        vk.beta = beta();`,
    `        vk.gamma = gamma();`,
    `        vk.delta = delta();`,
    `        vk.ic = ic();`,
    `    }`,
    `}`,
    ``,
  ].join("\n");
}

/** Result of `writeVkSolidity`. */
export interface WriteVkResult {
  path: string;
  name: string;
  changed: boolean;
}

/**
 * Writes the library to `<outDir>/<name>.sol` (default `contracts/verifiers`) only if its content changed.
 * @throws VkSolidityError on a malformed key or name.
 */
export async function writeVkSolidity(vkey: VerificationKey, opts: VkSolidityOptions & { outDir?: string }): Promise<WriteVkResult> {
  const name = resolveName(opts);
  const content = renderVkSolidity(vkey, { ...opts, name });
  const path = join(opts.outDir ?? "contracts/verifiers", `${name}.sol`);
  if (existsSync(path) && (await readFile(path, "utf8")) === content) return { path, name, changed: false };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return { path, name, changed: true };
}
