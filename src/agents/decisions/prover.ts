/**
 * The proving duty's decisions (src/agents/proving.ts, run by the prover agent and by a self-proving sequencer), as
 * pure synchronous functions: whether to take a height, whether to withhold (fault injection), when a finished proof
 * may go out and whether it is posted to the ProofAggregator or submitted verified, and what a refused submission
 * means. Who is assigned a height is the proving design's call (ProvingDesignStrategy.provesHeight).
 */
import { HeightStatus } from "../../client/index.js";
import type { ProvingDesignStrategy } from "../designs/strategy.js";
import type { ContractErrorName } from "../../client/index.js";

export interface TakeHeightView {
  me: string;
  height: bigint;
  /** A job for the height is running, or the height was handled already. */
  busy: boolean;
  done: boolean;
  status: HeightStatus;
  /** The prover named by the height's winning proposal. */
  namedProver: string;
}

export type TakeHeightAction = { kind: "prove"; height: bigint } | { kind: "skip"; reason: "in-progress" | "done" | "not-pending" | "not-assigned" };

/** Whether to start proving a pending height (idempotent: a height is taken once). */
export function takeHeightDecision(v: TakeHeightView, design: ProvingDesignStrategy): TakeHeightAction {
  if (v.busy) return { kind: "skip", reason: "in-progress" };
  if (v.done) return { kind: "skip", reason: "done" };
  if (v.status !== HeightStatus.Pending) return { kind: "skip", reason: "not-pending" };
  if (!design.provesHeight({ me: v.me, namedProver: v.namedProver })) return { kind: "skip", reason: "not-assigned" };
  return { kind: "prove", height: v.height };
}

/** Fault injection: a prover set to withhold takes the height (its deposit is at stake) and never proves it. */
export function withholdDecision(height: bigint, withhold: boolean | ((height: bigint) => boolean) | undefined): boolean {
  return withhold === true || (typeof withhold === "function" && withhold(height));
}

export interface SubmitView {
  next: bigint;
  /** End of the height's commit phase: the winner is final from there, proofs are accepted from there. */
  commitEnd: bigint;
  /** The agent is offline (finished proofs wait). */
  paused: boolean;
  /** The height on L1, read once the wait is over (undefined before). */
  height?: { status: HeightStatus; winner: string };
  /** The sequencer whose block was proven. */
  sequencer: string;
  /** Batch path: post to the ProofAggregator instead of submitting verified. */
  post: boolean;
  /** Fault injection: send a proof that fails verification. */
  corrupt: boolean;
}

export type SubmitAction =
  | { kind: "wait"; reason: "commit-phase" | "paused" }
  | { kind: "need-height" }
  | { kind: "drop"; reason: "no-longer-needed" }
  | { kind: "post" | "submit"; corrupt: boolean };

/** When and how a finished proof goes out. */
export function submitDecision(v: SubmitView): SubmitAction {
  if (v.next < v.commitEnd) return { kind: "wait", reason: "commit-phase" };
  if (v.paused) return { kind: "wait", reason: "paused" };
  if (!v.height) return { kind: "need-height" };
  // Reorged, proven by someone else, or another proposal won after all: the proof pays nothing.
  if (v.height.status !== HeightStatus.Pending || v.height.winner.toLowerCase() !== v.sequencer.toLowerCase()) return { kind: "drop", reason: "no-longer-needed" };
  return { kind: v.post ? "post" : "submit", corrupt: v.corrupt };
}

/** A submission that reverted: someone was first (fine), an injected invalid proof was refused (expected), or retry. */
export function submitRefusal(revertName: ContractErrorName | undefined, corrupt: boolean): "proved-by-other" | "invalid-refused" | "retry" {
  if (revertName === "Rollup__AlreadyProven" || revertName === "ProofAggregator__ProofAlreadyPosted") return "proved-by-other";
  if (corrupt) return "invalid-refused";
  return "retry";
}

/** A proof sent at or after the height's proving deadline is late (paid less, the prover's reputation suffers). */
export function isLate(next: bigint, provingDeadline: bigint): boolean {
  return next >= provingDeadline;
}
