/**
 * TypeScript twins of the contracts' rules, in one place: what an off-chain agent must compute exactly as the
 * Rollup does (Fernet score and ranking, block commitment, randomness, the prover's EIP-712 consent), and the
 * constants both sides share (field moduli, token unit, basis points, burn address).
 *
 * Each function names its Solidity original; a change there must be made here too (test/protocol.test.ts and the
 * contract tests check them against a deployed Rollup).
 */
import { AbiCoder, keccak256, type BytesLike, type TypedDataDomain, type TypedDataField } from "ethers";
import { bn254 } from "@noble/curves/bn254.js";

// ------------------------------------------------------------------------------------------ constants

/** One protocol token in wei (the token has 18 decimals). */
export const E18 = 10n ** 18n;

/** Basis-point denominator: 10 000 bps = 100 % (ProposeLib.BPS). */
export const BPS = 10_000n;

/** Where burnt tokens go (Rollup.BURN_ADDRESS). */
export const BURN_ADDRESS = "0x000000000000000000000000000000000000dEaD";

/** BN254 scalar field order r: the circuit's field, every public input is below it. */
export const BN254_SCALAR_MODULUS: bigint = bn254.fields.Fr.ORDER;

/** BN254 base field order p: every curve-point coordinate is below it. */
export const BN254_BASE_MODULUS: bigint = bn254.fields.Fp.ORDER;

// ------------------------------------------------------------------------------------------ proposals

/**
 * The block commitment a proposal posts: keccak256(abi.encode(proposer, height, parent, newRoot,
 * keccak256(pubdata), salt)), the twin of ProposeLib.commitment.
 */
export function blockCommitment(args: { proposer: string; height: bigint; parent: bigint; newRoot: bigint; pubdata: BytesLike; salt: BytesLike }): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["address", "uint256", "uint256", "uint256", "bytes32", "bytes32"],
      [args.proposer, args.height, args.parent, args.newRoot, keccak256(args.pubdata), args.salt],
    ),
  );
}

/**
 * The Fernet score, twin of ProposeLib.score: the VRF output's top 224 bits times (1 + FEE_SPLIT) in bps when the
 * Rollup's `feeSplitScore` boost is on, times 1 otherwise.
 */
export function fernetScore(vrfOutput: bigint, feeSplitBps: bigint, boost = true): bigint {
  return (vrfOutput >> 32n) * (boost ? BPS + feeSplitBps : BPS);
}

/** A proposal as the ranking sees it: its score, VRF output and sequencer address. */
export interface RankedProposal {
  score: bigint;
  output: bigint;
  addr: string;
}

/** ProposeLib.outranks: `a` ranks strictly above `b` (higher score, then higher VRF output, then lower address). */
export function outranks(a: RankedProposal, b: RankedProposal): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.output !== b.output) return a.output > b.output;
  return BigInt(a.addr) < BigInt(b.addr);
}

// ------------------------------------------------------------------------------------------ proposal ring

/**
 * ProposalLib.RING: heights per sequencer the proposal ring keeps. A sequencer's record of height h - RING must be
 * settled (or never committed) before it proposes at h, else `Rollup__ProposalSlotBusy`.
 */
export const PROPOSAL_RING = 32n;

// ------------------------------------------------------------------------------------------ config limits

/** ConfigLib.Hot's widths: phase lengths, T and keyActivationDelay below 2^16 (genesisBlock below 2^40). */
export const MAX_PHASE_BLOCKS = 0xffff;

/**
 * ConfigLib.Hot's rule for proverDeposit: below 2^88 (Sidecar's deposit field) and m x 10^e with m < 2^56, i.e. at
 * most 16 significant digits; `Rollup__InvalidConfig("proverDeposit")` otherwise.
 */
export function proverDepositFits(deposit: bigint): boolean {
  if (deposit < 0n || deposit >= 1n << 88n) return false;
  let m = deposit;
  while (m >= 1n << 56n && m % 10n === 0n) m /= 10n;
  return m < 1n << 56n;
}

// ------------------------------------------------------------------------------------------ randomness

/** Domain tag of a height's randomness (Rollup.randomnessOf). */
export const RANDOMNESS_TAG = "fernet-rollup/randomness";

/**
 * The seed RandomnessLib records for a block's prevrandao: its top 224 bits (the low 32 bits of the stored word hold
 * the height), and 2^32 for a prevrandao below 2^32, so that a recorded seed is never 0 ("not recorded").
 */
export function recordedSeed(prevrandao: bigint): bigint {
  const seed = prevrandao & ~0xffffffffn;
  return seed === 0n ? 1n << 32n : seed;
}

/**
 * A height's randomness, twin of RandomnessLib.mix (Rollup.randomnessOf): the top 224 bits of
 * keccak256(abi.encode("fernet-rollup/randomness", height, seed, VRF output of height - 2's winner, or 0)), 2^32 if
 * those are all 0 (the low 32 bits of RandomnessLib's word hold the height). `seed` is the recorded seed
 * (`RandomnessRecorded`, `recordedSeed`).
 */
export function heightRandomness(height: bigint, seed: bigint, prevWinnerOutput: bigint): bigint {
  const r = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256", "uint256", "uint256"], [RANDOMNESS_TAG, height, seed, prevWinnerOutput]))) & ~0xffffffffn;
  return r === 0n ? 1n << 32n : r;
}

// ------------------------------------------------------------------------------------------ prover consent

/** ProverCommitLib's EIP-712 type: the prover lets `sequencer` pull `deposit` from it when committing it at `height`. */
export const PROVER_COMMITMENT_TYPES: Record<string, TypedDataField[]> = {
  ProverCommitment: [
    { name: "height", type: "uint256" },
    { name: "sequencer", type: "address" },
    { name: "prover", type: "address" },
    { name: "deposit", type: "uint256" },
  ],
};

/** The Rollup's EIP-712 domain (Rollup.sol's EIP712("fernet-rollup", "1")). */
export function rollupDomain(chainId: bigint, rollup: string): TypedDataDomain {
  return { name: "fernet-rollup", version: "1", chainId, verifyingContract: rollup };
}
