/**
 * The Cooperative design's rules (seed 002, docs/cooperative.md), twin of contracts/coordination/CooperativeLib.sol:
 * the unit VRF input, the score, the paid set's ranking and the reward per paid proof. Agents, the scenario ledger
 * and the tests use these; the contract's test (test/contracts/cooperative.test.ts) holds the two together.
 */
import { AbiCoder, encodeBytes32String, keccak256, solidityPacked } from "ethers";
import { BPS, fernetScore } from "./protocol.js";

/** PROOFS_PER_NODE of seed 002: paid proofs per unit. */
export const PROOFS_PER_UNIT = 3n;

/** Domain of a unit's VRF input (CooperativeLib.UNIT_VRF_DOMAIN). */
export const UNIT_VRF_DOMAIN = "fernet-rollup/prover-unit";

/**
 * The VRF input of (height, unit): the height's randomness mixed with its winner's VRF output (so the sequencer
 * cannot steer who is elected) and the unit index. A prover signs it as the `randomness` of its VRF message.
 */
export function unitVrfInput(randomness: bigint, winnerOutput: bigint, unit: bigint): bigint {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint256", "uint256", "uint256"],
    [encodeBytes32String(UNIT_VRF_DOMAIN), randomness, winnerOutput, unit],
  );
  return BigInt(keccak256(encoded));
}

/** A prover's score for a unit: its VRF output's top 224 bits times (1 + FEE_BURN). */
export function unitScore(vrfOutput: bigint, feeBurnBps: bigint): bigint {
  return fernetScore(vrfOutput, feeBurnBps, true);
}

/** keccak256 of the packed intermediate roots, as the commit stores it. */
export function unitRootsHash(roots: readonly bigint[]): string {
  return keccak256(solidityPacked(roots.map(() => "uint256"), roots));
}

/** PROVER_NETWORK_REWARD: FEE_SPLIT of the pot (block reward + fees, capped by the pool). */
export function networkReward(pot: bigint, feeSplitBps: bigint): bigint {
  return (pot * (feeSplitBps < BPS ? feeSplitBps : BPS)) / BPS;
}

/** PROVER_REWARD(i) = reward x (1 - FEE_BURN(i)) / (K x PROOFS_PER_UNIT), rounded down as on chain. */
export function proverReward(network: bigint, units: bigint, feeBurnBps: bigint): bigint {
  const perProof = network / (units * PROOFS_PER_UNIT);
  return (perProof * (BPS - feeBurnBps)) / BPS;
}

/** One paid slot of a unit. */
export interface UnitEntry {
  payee: string;
  feeBurnBps: bigint;
  score: bigint;
}

/**
 * The paid set after a submission, as CooperativeLib._place decides it: a free slot first, else the lowest-ranked
 * entry (lowest score; equal scores rank by slot index, lower first) is displaced by a strictly higher score.
 * Returns the new set (same slot order), or the reason the submission is refused.
 */
export function placeInUnit(
  set: readonly (UnitEntry | undefined)[],
  entry: UnitEntry,
): { set: (UnitEntry | undefined)[]; displaced?: string } | { refused: "AlreadyInUnit" | "UnitScoreTooLow" } {
  const slots = [0, 1, 2].map((i) => set[i]);
  let free = -1;
  let lowest = -1;
  for (let i = 0; i < 3; i++) {
    const e = slots[i];
    if (e === undefined) {
      if (free < 0) free = i;
      continue;
    }
    if (e.payee.toLowerCase() === entry.payee.toLowerCase()) return { refused: "AlreadyInUnit" };
    if (lowest < 0 || e.score <= slots[lowest]!.score) lowest = i;
  }
  const next = [...slots];
  if (free >= 0) {
    next[free] = entry;
    return { set: next };
  }
  if (entry.score <= slots[lowest]!.score) return { refused: "UnitScoreTooLow" };
  const displaced = slots[lowest]!.payee;
  next[lowest] = entry;
  return { set: next, displaced };
}

/**
 * A unit proof's public inputs [rootIn, rootOut, unitFees, payee, domain, words of the unit, feeBurnBps]
 * (circuits/unit.circom), from the revealed pubdata and the roots around the unit: what the contract hands the
 * verifier. src/l2/units.ts builds the same from an executed block; this needs only L1 data (the unit tests and the
 * comparison's simulation, whose blocks are synthetic, use it).
 */
export function unitStatement(a: {
  pubdata: string; units: number; unit: number; parentRoot: bigint; newRoot: bigint; intermediateRoots: readonly bigint[];
  payee: string; domain: bigint; feeBurnBps: bigint;
}): bigint[] {
  const bytes = Buffer.from(a.pubdata.slice(2), "hex");
  const S = bytes.length / 20 / a.units;
  const words: bigint[] = [];
  let fees = 0n;
  for (let i = a.unit * S; i < (a.unit + 1) * S; i++) {
    const w = BigInt("0x" + bytes.subarray(i * 20, i * 20 + 20).toString("hex"));
    words.push(w);
    fees += w & 0xffffffffn; // the fee: the low 32 bits of a slot (src/l2/pubdata.ts)
  }
  const rootIn = a.unit === 0 ? a.parentRoot : a.intermediateRoots[a.unit - 1]!;
  const rootOut = a.unit === a.units - 1 ? a.newRoot : a.intermediateRoots[a.unit]!;
  return [rootIn, rootOut, fees, BigInt(a.payee), a.domain, ...words, a.feeBurnBps];
}
