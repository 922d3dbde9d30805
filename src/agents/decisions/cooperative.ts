/**
 * The cooperative prover's decisions (src/agents/cooperativeProver.ts, the Cooperative design of seed 002), as pure
 * synchronous functions over what the agent read from L1: which FEE_BURN to bind into a unit proof, whether to prove
 * a unit (a paid slot, or a rescue after the proving deadline), and, once the proof is made, whether to send it or
 * count it as wasted (other provers posted meanwhile: a prover knows only its own score until theirs are on chain).
 * The rules they follow are CooperativeLib's (src/cooperative.ts is their TypeScript twin: `placeInUnit`, `unitScore`).
 *
 * Timing: `next` is the L1 block the agent's next transaction lands in (head + 1); a proof started now is expected to
 * land in `next + provingTimeL1Blocks`. The unit's paid slots close at `close` (the proving deadline, later after a
 * soft close: `unitsOf(h).closeAt`); a transaction lands in time iff its block is below `close`.
 */
import { BPS } from "../../protocol.js";
import { placeInUnit, unitScore, type UnitEntry } from "../../cooperative.js";
import { HeightStatus } from "../../client/index.js";

/** How the agent picks the FEE_BURN bound into its proofs. */
export type FeeBurnStrategy = "fixed" | "min-to-displace";

export const FEE_BURN_STRATEGIES: readonly FeeBurnStrategy[] = ["fixed", "min-to-displace"];

export interface FeeBurnView {
  strategy: FeeBurnStrategy;
  /** The configured FEE_BURN in basis points (0..10000): what "fixed" binds. */
  feeBurnBps: bigint;
  /** This prover's VRF output for the unit (its score is `unitScore(vrfOutput, FEE_BURN)`). */
  vrfOutput: bigint;
  /** The unit's filled paid slots as read from L1 (at most 3). */
  entries: readonly UnitEntry[];
}

export type FeeBurnChoice = { feeBurnBps: bigint } | { none: "cannot-outscore" };

/**
 * The FEE_BURN of the next proof.
 *
 * - "fixed": the configured `feeBurnBps` (default 0: the whole reward share is kept, the score is the plain VRF).
 *   A higher FEE_BURN raises the score (x (1 + FEE_BURN)) and lowers the pay (x (1 - FEE_BURN)): seed 002's knob to
 *   trade income for a better chance at a slot.
 * - "min-to-displace" (a "sniper"): 0 while a slot is free; otherwise the smallest FEE_BURN whose score strictly
 *   beats the lowest paid entry, `none` when even 100 % cannot (or the VRF output's top bits are 0). It is only as
 *   good as the entries it read: an entry posted while it proves makes its proof useless (`unitSubmitDecision`).
 *
 * unitScore = (vrfOutput >> 32) * (10000 + FEE_BURN): the least FEE_BURN with base * (10000 + f) > lowest is
 * f = floor(lowest / base) + 1 - 10000 (clamped at 0), accepted only if f <= 10000.
 */
export function chooseFeeBurn(v: FeeBurnView): FeeBurnChoice {
  if (v.strategy === "fixed") return { feeBurnBps: v.feeBurnBps };
  if (v.entries.length < 3) return { feeBurnBps: 0n };
  const lowest = v.entries.reduce((m, e) => (e.score < m ? e.score : m), v.entries[0]!.score);
  const base = v.vrfOutput >> 32n;
  if (base === 0n) return { none: "cannot-outscore" };
  let f = lowest / base + 1n - BPS;
  if (f < 0n) f = 0n;
  if (f > BPS) return { none: "cannot-outscore" };
  return { feeBurnBps: f };
}

/** What a unit decision looks at. */
export interface UnitView {
  me: string;
  /** The L1 block the next transaction lands in (head + 1). */
  next: bigint;
  provingDeadline: bigint;
  lateDeadline: bigint;
  /** Close of the paid slots: `unitsOf(h).closeAt`, or the proving deadline when that is 0. */
  close: bigint;
  /** The height's status (Pending until its last unit has a proof). */
  status: HeightStatus;
  /** Whether the unit has a proof already (bit `unit` of `unitsOf(h).provenUnits`). */
  unitProven: boolean;
  /** The unit's filled paid slots as read from L1. */
  entries: readonly UnitEntry[];
  /** Whether this prover holds one of the unit's paid slots (from `entries`, or known to the agent). */
  holdsSlot: boolean;
  /** This prover's score for the unit at the FEE_BURN it would bind; undefined: no FEE_BURN can place it. */
  myScore: bigint | undefined;
  /** Expected L1 blocks from the decision to the proof landing on chain (proving time plus inclusion). */
  provingTimeL1Blocks: bigint;
  /** Prove an unproven unit after the proving deadline anyway (unpaid but for part of the sequencer's bond). */
  rescue: boolean;
  /**
   * While a paid slot is free, prove only if the chance of ending among the unit's three paid proofs is at least this
   * (`placeChance`, from the VRF output and the number of eligible provers); 0 or absent: prove whenever a slot is free
   * (the agent's default: every prover that sees a free slot proves, and at N provers N proofs race for 3 slots).
   */
  minPlaceChance?: number;
  /** The chance `placeChance(vrfOutput, provers)` (needed only with minPlaceChance > 0). */
  placeChance?: number;
}

export type ProveReason = "slot-free" | "outscores-lowest" | "rescue";
export type SkipReason = "already-paid" | "cannot-outscore" | "unlikely-to-place" | "too-late" | "closed" | "unit-proven" | "rescue-off" | "not-pending" | "height-gone";

export type UnitAction = { kind: "prove"; reason: ProveReason } | { kind: "skip"; reason: SkipReason };

/** Whether the unit would be a rescue for a transaction landing in block `at`: no proof yet, deadline passed. */
function rescueAt(v: Pick<UnitView, "unitProven" | "provingDeadline">, at: bigint): boolean {
  return !v.unitProven && at >= v.provingDeadline;
}

/**
 * The rescue path: a unit nobody proved by the proving deadline of a height still Pending may be proven by anyone
 * until the late deadline (its proof takes no paid slot; the payee completing the height gets lateProverShare of the
 * sequencer's bond, and the height is not reorged for lack of it).
 */
export function rescueDecision(v: Pick<UnitView, "status" | "unitProven" | "next" | "lateDeadline" | "provingTimeL1Blocks" | "rescue">): UnitAction {
  if (v.unitProven) return { kind: "skip", reason: "unit-proven" };
  if (v.status !== HeightStatus.Pending) return { kind: "skip", reason: "not-pending" };
  if (!v.rescue) return { kind: "skip", reason: "rescue-off" };
  if (v.next + v.provingTimeL1Blocks >= v.lateDeadline) return { kind: "skip", reason: "too-late" };
  return { kind: "prove", reason: "rescue" };
}

/**
 * Whether to prove the unit now.
 *
 * 1. A height reorged or won by nobody is skipped ("height-gone").
 * 2. A unit with no proof whose proof would land at or after the proving deadline is a rescue (rescueDecision).
 * 3. Paid path: "already-paid" if this prover holds a slot (one slot per payee and unit); "cannot-outscore" if the
 *    three slots are filled and its score does not strictly beat the lowest (or no FEE_BURN can place it);
 *    "too-late" if the proof would land at or after the close; else prove ("slot-free" or "outscores-lowest").
 */
export function unitProveDecision(v: UnitView): UnitAction {
  if (v.status === HeightStatus.None || v.status === HeightStatus.Reorged) return { kind: "skip", reason: "height-gone" };
  const lands = v.next + v.provingTimeL1Blocks;
  if (rescueAt(v, lands)) return rescueDecision(v);
  if (v.holdsSlot) return { kind: "skip", reason: "already-paid" };
  const place = placement(v);
  if (place === undefined) return { kind: "skip", reason: "cannot-outscore" };
  if (place === "slot-free" && (v.minPlaceChance ?? 0) > 0 && (v.placeChance ?? 0) < v.minPlaceChance!) return { kind: "skip", reason: "unlikely-to-place" };
  if (lands >= v.close) return { kind: "skip", reason: v.next >= v.close ? "closed" : "too-late" };
  return { kind: "prove", reason: place };
}

/** Where my score goes in the paid set: "slot-free", "outscores-lowest", or undefined (refused). */
function placement(v: Pick<UnitView, "me" | "entries" | "myScore">): "slot-free" | "outscores-lowest" | undefined {
  if (v.myScore === undefined) return undefined;
  const placed = placeInUnit([...v.entries], { payee: v.me, feeBurnBps: 0n, score: v.myScore });
  if ("refused" in placed) return undefined;
  return placed.displaced === undefined ? "slot-free" : "outscores-lowest";
}

export type WasteReason = "already-paid" | "cannot-outscore" | "unlikely-to-place" | "closed" | "unit-proven" | "rescue-off" | "not-pending" | "height-gone";

export type SubmitUnitAction = { kind: "submit"; reason: ProveReason } | { kind: "wasted"; reason: WasteReason };

/**
 * After proving, before sending: the same rules on fresh entries, for a transaction landing in `next` (the proof is
 * ready: no proving time left). A proof that would be refused is "wasted" (counted, not sent): the slots filled with
 * higher scores, the close passed, or the height left Pending and the unit was proven meanwhile (rescue). A rescue
 * proof whose unit got a proof meanwhile is wasted as "unit-proven".
 */
export function unitSubmitDecision(v: Omit<UnitView, "provingTimeL1Blocks">): SubmitUnitAction {
  const d = unitProveDecision({ ...v, provingTimeL1Blocks: 0n });
  if (d.kind === "prove") return { kind: "submit", reason: d.reason };
  if (d.reason === "too-late") return { kind: "wasted", reason: "closed" }; // cannot happen with no proving time left
  return { kind: "wasted", reason: d.reason };
}

/** What an on-chain refusal of a unit proof means for the agent: a lost race (not a crash), or an error to retry. */
export function unitRefusal(revertName: string | undefined): "refused" | "retry" {
  switch (revertName) {
    case "Rollup__UnitScoreTooLow":
    case "Rollup__AlreadyInUnit":
    case "Rollup__UnitClosed":
    case "Rollup__HeightReorged":
    case "Rollup__InvalidProof":
    case "Rollup__NotEligibleProver":
    case "Rollup__InvalidVrfProof":
      return "refused";
    default:
      return "retry";
  }
}

export interface UnitSettleView {
  /** This prover holds a paid slot of some unit of the height. */
  holdsSlot: boolean;
  finalized: boolean;
  settled: boolean;
  next: bigint;
  close: bigint;
  /**
   * This prover's place among the height's payees (sorted by address; 0 when unknown): the first settles at the
   * close, the next SETTLE_TURN_BLOCKS later if nobody did, and so on, so that the payees do not all send the same
   * `settleUnits` in one block (all but one would revert and pay for it).
   */
  turn?: number;
}

/** L1 blocks between one payee's settlement turn and the next's. */
export const SETTLE_TURN_BLOCKS = 2n;

/** Whether to call `settleUnits(h)`: it holds a paid slot, the height is finalized, not settled, closed, and its turn came. */
export function unitSettleDecision(v: UnitSettleView): { kind: "settle" } | { kind: "wait"; reason: "not-finalized" | "before-close" | "not-my-turn" } | { kind: "none"; reason: "no-slot" | "settled" } {
  if (v.settled) return { kind: "none", reason: "settled" };
  if (!v.holdsSlot) return { kind: "none", reason: "no-slot" };
  if (!v.finalized) return { kind: "wait", reason: "not-finalized" };
  if (v.next < v.close) return { kind: "wait", reason: "before-close" };
  if (v.next < v.close + BigInt(v.turn ?? 0) * SETTLE_TURN_BLOCKS) return { kind: "wait", reason: "not-my-turn" };
  return { kind: "settle" };
}

export interface HeightRetireView {
  status: HeightStatus;
  next: bigint;
  close: bigint;
  lateDeadline: bigint;
  /** Every unit has a proof. */
  allProven: boolean;
  holdsSlot: boolean;
  settled: boolean;
  rescue: boolean;
}

/**
 * Whether the agent is done with a height: reorged or won by nobody; otherwise once its slots closed, with no
 * rescue left to do (all units proven, rescue off, or the late deadline passed) and nothing left to collect (no
 * paid slot held, or settled).
 */
export function heightRetireDecision(v: HeightRetireView): boolean {
  if (v.status === HeightStatus.Reorged || v.status === HeightStatus.None) return true;
  if (v.next < v.close) return false;
  const rescuable = !v.allProven && v.rescue && v.status === HeightStatus.Pending && v.next < v.lateDeadline;
  if (rescuable) return false;
  if (v.holdsSlot && !v.settled) {
    // A height left Pending past its late deadline is reorged by someone: its slots are never paid.
    return v.status === HeightStatus.Pending && v.next >= v.lateDeadline;
  }
  return true;
}

/** The score `chooseFeeBurn` leads to (undefined: no FEE_BURN places it). */
export function scoreFor(choice: FeeBurnChoice, vrfOutput: bigint): bigint | undefined {
  return "feeBurnBps" in choice ? unitScore(vrfOutput, choice.feeBurnBps) : undefined;
}

/**
 * The chance that a unit VRF output places among the unit's PROOFS_PER_UNIT (3) highest of `provers` eligible
 * provers, the others' outputs unknown (uniform): at most two of the n - 1 others above it,
 * sum over k = 0..2 of C(n - 1, k) (1 - u)^k u^(n - 1 - k), with u the output as a fraction of 2^256. With a
 * fixed FEE_BURN shared by all, the score ranks as the output does.
 */
export function placeChance(vrfOutput: bigint, provers: number): number {
  const u = Number(vrfOutput >> 200n) / 2 ** 56;
  const n = Math.max(1, provers) - 1;
  let p = 0;
  let c = 1;
  for (let k = 0; k <= 2 && k <= n; k++) {
    if (k > 0) c = (c * (n - k + 1)) / k;
    p += c * (1 - u) ** k * u ** (n - k);
  }
  return Math.min(1, p);
}
