/**
 * The aggregator's decisions (batch path, docs/batch-verification.md), as pure synchronous functions: which posted
 * proofs to batch and when, and what to do with the ones the off-chain check found invalid.
 */
import { HeightStatus, proofHash, type PostedProofInfo } from "../../client/index.js";

export interface AggregatorDecisionConfig {
  /** The ProofAggregator's verify window (L1 blocks a post stays verifiable). */
  verifyWindow: bigint;
  /** Send as soon as this many heights are posted (default 2)... */
  minBatch: number;
  /** ...with at most this many per transaction (default 16)... */
  maxBatch: number;
  /** ...or when the oldest post is within this many blocks of the end of its window (default 5). */
  marginBlocks: bigint;
}

export function aggregatorDecisionConfig(o: { verifyWindow: bigint; minBatch?: number; maxBatch?: number; marginBlocks?: number }): AggregatorDecisionConfig {
  return { verifyWindow: o.verifyWindow, minBatch: o.minBatch ?? 2, maxBatch: o.maxBatch ?? 16, marginBlocks: BigInt(o.marginBlocks ?? 5) };
}

/** Whether a post is still worth batching: not expired, not known invalid. (Its height must also be pending.) */
export function isLivePost(p: PostedProofInfo, next: bigint, verifyWindow: bigint, invalid: ReadonlySet<string>): boolean {
  return p.postedAt + verifyWindow > next && !invalid.has(proofHash(p.proof, p.payee));
}

export interface BatchView {
  next: bigint;
  /** The posts, in posting order, each with its height's status (read by the caller for live posts only). */
  posts: { post: PostedProofInfo; heightStatus?: HeightStatus }[];
  /** Proof hashes shown invalid off chain: never batched again. */
  invalid: ReadonlySet<string>;
}

export type BatchAction = { kind: "batch"; items: PostedProofInfo[]; urgent: boolean } | { kind: "wait"; reason: "nothing-posted" | "too-few" };

/** One live post per pending height (the first posted), lowest heights first; sent when enough or urgent. */
export function batchDecision(v: BatchView, c: AggregatorDecisionConfig): BatchAction {
  const byHeight = new Map<bigint, PostedProofInfo>();
  for (const { post: p, heightStatus } of v.posts) {
    if (byHeight.has(p.height) || !isLivePost(p, v.next, c.verifyWindow, v.invalid)) continue;
    if (heightStatus !== HeightStatus.Pending) continue;
    byHeight.set(p.height, p);
  }
  if (byHeight.size === 0) return { kind: "wait", reason: "nothing-posted" };
  const items = [...byHeight.values()].sort((a, b) => (a.height < b.height ? -1 : 1)).slice(0, c.maxBatch);
  const oldest = items.reduce((m, p) => (p.postedAt < m ? p.postedAt : m), items[0]!.postedAt);
  // A post that expires unverified is worth nothing: send before its window closes even if the batch is small.
  const urgent = oldest + c.verifyWindow - c.marginBlocks <= v.next;
  if (items.length < c.minBatch && !urgent) return { kind: "wait", reason: "too-few" };
  return { kind: "batch", items, urgent };
}

/** After the off-chain check: the invalid posts are challenged (their bond pays the aggregator), the rest verified. */
export function splitChecked<T>(items: readonly T[], invalidIndexes: Iterable<number>): { challenge: T[]; verify: T[] } {
  const bad = new Set(invalidIndexes);
  return { challenge: items.filter((_, i) => bad.has(i)), verify: items.filter((_, i) => !bad.has(i)) };
}
