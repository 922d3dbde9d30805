/**
 * Shared VRF test vectors (TypeScript and Solidity check the same file, test/vrf/vectors.json).
 * Deterministic: fixed seeds, fixed contexts. `src/vrf/makeVectors.ts` writes them; the test rebuilds and compares.
 */
import { getCreateAddress, hexlify, keccak256, toUtf8Bytes } from "ethers";
import { hashToG1WithTries, popProve, vrfKeyFromSeed, vrfMessage, popMessage, vrfProve, hashToG1 } from "./index.js";

/** Hardhat's default account #0; the harness is its first deployment (nonce 0) on a fresh network. */
export const VECTOR_DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
export const VECTOR_CHAIN_ID = 31337n;
export const VECTOR_VERIFIER = getCreateAddress({ from: VECTOR_DEPLOYER, nonce: 0 });

const SEEDS = ["fernet-vrf-vector-seed-0", "fernet-vrf-vector-seed-1", "fernet-vrf-vector-seed-2"];
const OWNERS = [
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
];
const U256_MAX = (1n << 256n) - 1n;
const CONTEXTS: Array<{ randomness: bigint; height: bigint }> = [
  { randomness: 0n, height: 0n },
  { randomness: BigInt(keccak256(toUtf8Bytes("prevrandao-1"))), height: 1n },
  { randomness: BigInt(keccak256(toUtf8Bytes("prevrandao-2"))), height: 12345n },
  { randomness: U256_MAX, height: U256_MAX },
];
const HASH_MESSAGES: Uint8Array[] = [
  new Uint8Array(0),
  toUtf8Bytes("abc"),
  ...Array.from({ length: 8 }, (_, i) => toUtf8Bytes(`fernet-rollup/h2c-vector-${i}`)),
];

export interface VrfVectors {
  description: string;
  chainId: string;
  deployer: string;
  verifier: string;
  hashToG1: Array<{ message: string; x: string; y: string; tries: number }>;
  keys: Array<{ seed: string; sk: string; pk: [string, string, string, string]; pkG1: [string, string]; owner: string; popMessage: string; pop: [string, string] }>;
  proofs: Array<{ key: number; randomness: string; height: string; message: string; h: [string, string]; proof: [string, string, string, string]; output: string }>;
}

const s = (v: bigint): string => v.toString();

/** Builds the vectors (deterministic). */
export function buildVectors(): VrfVectors {
  const keys = SEEDS.map((seed, i) => {
    const { sk, pk, pkG1 } = vrfKeyFromSeed(seed);
    const owner = OWNERS[i]!;
    const ctx = { chainId: VECTOR_CHAIN_ID, verifier: VECTOR_VERIFIER, owner };
    const pop = popProve(sk, ctx);
    return {
      seed,
      sk: s(sk),
      pk: pk.map(s) as [string, string, string, string],
      pkG1: pkG1.map(s) as [string, string],
      owner,
      popMessage: hexlify(popMessage(ctx)),
      pop: pop.map(s) as [string, string],
    };
  });
  const proofs = keys.flatMap((k, key) =>
    CONTEXTS.map(({ randomness, height }) => {
      const ctx = { chainId: VECTOR_CHAIN_ID, verifier: VECTOR_VERIFIER, randomness, height };
      const msg = vrfMessage(ctx);
      const { proof, output } = vrfProve(BigInt(k.sk), ctx);
      return {
        key,
        randomness: s(randomness),
        height: s(height),
        message: hexlify(msg),
        h: hashToG1(msg).map(s) as [string, string],
        proof: proof.map(s) as [string, string, string, string],
        output: s(output),
      };
    }),
  );
  const hashes = HASH_MESSAGES.map((m) => {
    const { point, tries } = hashToG1WithTries(m);
    return { message: hexlify(m), x: s(point[0]), y: s(point[1]), tries };
  });
  return {
    description:
      "BLS-on-BN254 VRF vectors (Gamma, DLEQ c, s) for fernet-rollup (src/vrf, contracts/libraries/VrfLib.sol). Numbers are decimal " +
      "strings. Messages bind chainId and verifier (the first contract deployed by `deployer` on a fresh Hardhat network).",
    chainId: s(VECTOR_CHAIN_ID),
    deployer: VECTOR_DEPLOYER,
    verifier: VECTOR_VERIFIER,
    hashToG1: hashes,
    keys,
    proofs,
  };
}
