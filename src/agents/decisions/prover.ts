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

// ------------------------------------------------------------------ batching a prover's own proofs (submitBatch)

/** A finished proof waiting in the prover's batch. */
export interface QueuedProof {
  height: bigint;
  /** The height's proving deadline: sent at or after it, the proof is late. */
  provingDeadline: bigint;
}

export interface BatchFlushView {
  /** The L1 block the next transaction lands in at the earliest. */
  next: bigint;
  queued: readonly QueuedProof[];
  /** Proofs per batch (AGENT_DEFAULTS.proofBatchSize). */
  batchSize: number;
  /** Send whatever is queued once the oldest proof's deadline is this close (AGENT_DEFAULTS.batchDeadlineMarginBlocks). */
  marginBlocks: number;
  /** The agent is offline (finished proofs wait). */
  paused: boolean;
  /** Proofs of this agent still being made (or waiting for their height to be decided): what could join the batch. */
  proving: number;
}

export type BatchFlushAction =
  | { kind: "wait"; reason: "empty" | "paused" | "filling" }
  | { kind: "send"; heights: bigint[]; reason: "full" | "deadline" | "idle" };

/**
 * When queued proofs go out: as soon as `batchSize` are queued, or when the oldest one's proving deadline is within
 * `marginBlocks` of the next block (then whatever is queued goes, so that no proof turns late while it waits),
 * whichever comes first; and at once when no other proof of the agent is being made ("idle"): nothing could join the
 * batch soon, and a held proof holds back the finality of every height after it (measured on the T=8 devnet: holding
 * lone proofs until the margin doubled the latency and formed no batch). The lowest heights go first (their deadlines
 * are the earliest), at most `batchSize`.
 */
export function batchFlushDecision(v: BatchFlushView): BatchFlushAction {
  if (v.queued.length === 0) return { kind: "wait", reason: "empty" };
  if (v.paused) return { kind: "wait", reason: "paused" };
  const size = Math.max(1, Math.floor(v.batchSize));
  const sorted = [...v.queued].sort((a, b) => (a.height < b.height ? -1 : a.height > b.height ? 1 : 0));
  const oldestDeadline = sorted.reduce((m, q) => (q.provingDeadline < m ? q.provingDeadline : m), sorted[0]!.provingDeadline);
  const heights = sorted.slice(0, size).map((q) => q.height);
  if (sorted.length >= size) return { kind: "send", heights, reason: "full" };
  if (oldestDeadline - v.next <= BigInt(v.marginBlocks)) return { kind: "send", heights, reason: "deadline" };
  if (v.proving === 0) return { kind: "send", heights, reason: "idle" };
  return { kind: "wait", reason: "filling" };
}

/** A queued proof's height as read from L1 just before the batch is sent. */
export interface BatchMemberView {
  height: bigint;
  status: HeightStatus;
  winner: string;
  /** The sequencer whose block the proof proves. */
  sequencer: string;
}

/**
 * Which queued proofs go into the batch: those whose height is still pending with the proven block as winner, in
 * strictly increasing order (a repeated height is sent once). The others (proven by someone else, reorged, another
 * winner) are dropped from the batch and the queue, so that they cannot make the whole batch revert.
 */
export function batchMembers(v: readonly BatchMemberView[]): { send: bigint[]; drop: bigint[] } {
  const send: bigint[] = [];
  const drop: bigint[] = [];
  const sorted = [...v].sort((a, b) => (a.height < b.height ? -1 : a.height > b.height ? 1 : 0));
  for (const m of sorted) {
    if (send.length !== 0 && send[send.length - 1] === m.height) continue;
    const live = m.status === HeightStatus.Pending && m.winner.toLowerCase() === m.sequencer.toLowerCase();
    (live ? send : drop).push(m.height);
  }
  return { send, drop };
}

/**
 * A batch that reverted. The chain moved between the read and the transaction (a height proven or reorged meanwhile,
 * a late proof held off by an on-time post): read the heights again at the next head ("recheck", the moved ones are
 * then dropped). A failing pairing check: send the proofs one by one (`submitProof`) so that one bad proof cannot
 * hold the others back ("split"). Anything else: try again ("retry").
 */
export function batchRefusal(revertName: ContractErrorName | undefined): "recheck" | "split" | "retry" {
  switch (revertName) {
    case "Rollup__AlreadyProven":
    case "Rollup__HeightReorged":
    case "Rollup__HeightNotDecided":
    case "Rollup__PubdataMismatch":
    case "ProofAggregator__EarlierPostPending":
      return "recheck";
    case "ProofAggregator__InvalidProofBatch":
      return "split";
    default:
      return "retry";
  }
}
