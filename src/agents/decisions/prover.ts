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

// ------------------------------------------------------------------ batching proofs (submitBatch), across provers

/** A finished proof waiting in a prover's batch: its own, or one a peer handed over (ProofDuty.receive). */
export interface QueuedProof {
  height: bigint;
  /** The height's proving deadline: sent at or after it, the proof is late. */
  provingDeadline: bigint;
}

/**
 * The next height after the held ones, the proof that could still join the batch: who proves it and when its proof
 * should be ready (its commit phase end + the proving lag this agent measured on its own proofs).
 */
export interface BatchSuccessor {
  height: bigint;
  /** "me": this agent proves it; "peer": a prover that takes hand-overs (url known); "other": anyone else (a sequencer
   *  proving its own block, a prover outside the peer list); "undecided": its commit phase is not over yet. */
  prover: "me" | "peer" | "other" | "undecided";
  /** The peer's hand-over URL (prover "peer"). */
  url?: string;
  /** L1 block at which its proof is expected. */
  expectedReady: bigint;
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
  /** The next proof that could join (undefined: none is coming, e.g. nothing proposed after the held heights). */
  successor?: BatchSuccessor;
}

export type BatchFlushAction =
  | { kind: "wait"; reason: "empty" | "paused" | "filling" }
  | { kind: "send"; heights: bigint[]; reason: "full" | "deadline" | "nothing-joins" | "too-late-to-join" }
  | { kind: "forward"; heights: bigint[]; url: string };

/**
 * When queued proofs go out, and who sends them. The lowest heights go first (their deadlines are the earliest), at
 * most `batchSize`:
 *  - `batchSize` queued: send ("full");
 *  - the oldest one's proving deadline within `marginBlocks` of the next block: send what is queued, so that no
 *    proof turns late while it waits ("deadline");
 *  - the next height's proof cannot be ready before that point: waiting fills nothing, send now
 *    ("too-late-to-join"; this sizes the batch from the proving window: at most 1 + (window - margin - lag) / period);
 *  - no next proof is coming, or it is made by someone outside the peers (a sequencer proving its own block):
 *    send now ("nothing-joins");
 *  - the next proof is a peer's: hand everything queued to that peer, which becomes the batch's sender (the prover
 *    of the highest height sends: its own reward depends on every height below it being proven, and the sending
 *    rotates with the heights). The author keeps its proof and sends it itself if it is still unproven near its
 *    deadline (forwardFallbackDecision): a peer that withholds costs latency, never the deadline;
 *  - the next proof is this agent's own or not decided yet: wait ("filling").
 * No idle rule: a lone proof waits for the next height's (measured on the T=8 devnet: with an idle flush no batch
 * ever formed, every height paid a single submitProof).
 */
export function batchFlushDecision(v: BatchFlushView): BatchFlushAction {
  if (v.queued.length === 0) return { kind: "wait", reason: "empty" };
  if (v.paused) return { kind: "wait", reason: "paused" };
  const size = Math.max(1, Math.floor(v.batchSize));
  const sorted = [...v.queued].sort((a, b) => (a.height < b.height ? -1 : a.height > b.height ? 1 : 0));
  const oldestDeadline = sorted.reduce((m, q) => (q.provingDeadline < m ? q.provingDeadline : m), sorted[0]!.provingDeadline);
  const heights = sorted.slice(0, size).map((q) => q.height);
  if (sorted.length >= size) return { kind: "send", heights, reason: "full" };
  const sendBy = oldestDeadline - BigInt(v.marginBlocks);
  if (v.next >= sendBy) return { kind: "send", heights, reason: "deadline" };
  const s = v.successor;
  if (s === undefined || s.prover === "other") return { kind: "send", heights, reason: "nothing-joins" };
  if (s.expectedReady > sendBy) return { kind: "send", heights, reason: "too-late-to-join" };
  if (s.prover === "peer" && s.url !== undefined) return { kind: "forward", heights: sorted.map((q) => q.height), url: s.url };
  return { kind: "wait", reason: "filling" };
}

/** An own proof handed to a peer for its batch, not yet seen proven. */
export interface ForwardedProof {
  height: bigint;
  provingDeadline: bigint;
}

/**
 * Which own proofs handed to a peer to take back and send ourselves: those whose deadline is within
 * `fallbackMarginBlocks` of the next block (fewer than the sender's `batchDeadlineMarginBlocks`, so that an honest
 * sender's batch has landed by then and the height reads proven: the fallback then sends nothing). A peer that
 * withholds, crashes or reverts thus cannot make the author late.
 */
export function forwardFallbackDecision(next: bigint, forwarded: readonly ForwardedProof[], fallbackMarginBlocks: number): bigint[] {
  return forwarded.filter((f) => f.provingDeadline - next <= BigInt(fallbackMarginBlocks)).map((f) => f.height).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A proof a peer hands over, as checked before it is queued (ProofDuty.receive). */
export interface HandoverView {
  /** The height on L1 now. */
  status: HeightStatus;
  winner: string;
  /** The sequencer whose block the proof claims to prove. */
  sequencer: string;
  /** This agent already queues a proof of the height (its own or another hand-over). */
  queued: boolean;
  /** This agent is the height's named prover and is making its own proof (its store slot is in use). */
  provingItself: boolean;
  /** Proofs queued now and the most this agent queues (a bound against floods). */
  queuedCount: number;
  maxQueued: number;
}

export type HandoverAction = { kind: "verify" } | { kind: "refuse"; reason: "not-pending" | "other-winner" | "already-queued" | "proving-itself" | "queue-full" };

/**
 * Whether to check (then queue) a proof a peer hands over. Only a pending height whose winner is the proven block, at
 * most one proof per height, a bounded queue; the proof itself is then verified off chain against the public inputs
 * the Rollup rebuilds (publicInputsOf with its payee) before it is queued: a junk proof would make the whole batch
 * revert (InvalidProofBatch) and cost the sender the gas.
 */
export function handoverDecision(v: HandoverView): HandoverAction {
  if (v.status !== HeightStatus.Pending) return { kind: "refuse", reason: "not-pending" };
  if (v.winner.toLowerCase() !== v.sequencer.toLowerCase()) return { kind: "refuse", reason: "other-winner" };
  if (v.queued) return { kind: "refuse", reason: "already-queued" };
  if (v.provingItself) return { kind: "refuse", reason: "proving-itself" };
  if (v.queuedCount >= v.maxQueued) return { kind: "refuse", reason: "queue-full" };
  return { kind: "verify" };
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
