/**
 * Groth16 proofs as the contracts take them (docs/architecture.md):
 * `uint256[8] = [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y]` (G2 imaginary part first, as the snarkjs
 * Solidity verifier and the pairing precompile expect).
 */
import { ZkError } from "./errors.js";
import { BN254_BASE_MODULUS as FQ } from "../protocol.js";
import type { SnarkjsProof } from "./libs.js";


function coord(v: string | undefined, what: string): bigint {
  if (v === undefined) throw new ZkError("BAD_ARGUMENT", `proof is missing ${what}`);
  let x: bigint;
  try {
    x = BigInt(v);
  } catch {
    throw new ZkError("BAD_ARGUMENT", `proof ${what} is not an integer: ${v}`);
  }
  if (x < 0n || x >= FQ) throw new ZkError("BAD_ARGUMENT", `proof ${what} is out of the base field`);
  return x;
}

function expectAffine(z: string | undefined, what: string, one: string | string[] | undefined): void {
  // snarkjs returns projective coordinates normalised to z = 1; anything else is not a proof it made.
  const ok = Array.isArray(one) ? one[0] === "1" && one[1] === "0" : one === "1";
  if (z !== undefined && !ok) throw new ZkError("BAD_ARGUMENT", `proof ${what} is not normalised (z != 1)`);
}

/** snarkjs proof -> the contracts' uint256[8]. */
export function toContractProof(p: SnarkjsProof): bigint[] {
  if (!p || !Array.isArray(p.pi_a) || !Array.isArray(p.pi_b) || !Array.isArray(p.pi_c)) {
    throw new ZkError("BAD_ARGUMENT", "not a snarkjs Groth16 proof (pi_a, pi_b, pi_c)");
  }
  expectAffine(p.pi_a[2], "A", p.pi_a[2]);
  expectAffine(p.pi_c[2], "C", p.pi_c[2]);
  if (p.pi_b[2] !== undefined) expectAffine("", "B", p.pi_b[2]);
  return [
    coord(p.pi_a[0], "A.x"),
    coord(p.pi_a[1], "A.y"),
    coord(p.pi_b[0]?.[1], "B.x.c1"),
    coord(p.pi_b[0]?.[0], "B.x.c0"),
    coord(p.pi_b[1]?.[1], "B.y.c1"),
    coord(p.pi_b[1]?.[0], "B.y.c0"),
    coord(p.pi_c[0], "C.x"),
    coord(p.pi_c[1], "C.y"),
  ];
}

/** The contracts' uint256[8] -> a snarkjs proof (for groth16.verify). */
export function fromContractProof(c: readonly (bigint | string | number)[]): SnarkjsProof {
  if (!Array.isArray(c) || c.length !== 8) throw new ZkError("BAD_ARGUMENT", `a contract proof has 8 words, got ${Array.isArray(c) ? c.length : typeof c}`);
  const w = c.map((x, i) => coord(String(x), `word ${i}`).toString());
  return {
    pi_a: [w[0], w[1], "1"],
    pi_b: [
      [w[3], w[2]],
      [w[5], w[4]],
      ["1", "0"],
    ],
    pi_c: [w[6], w[7], "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}
