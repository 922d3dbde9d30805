/**
 * The sequencer's decisions, as pure synchronous functions of what it sees on L1 (a view), what it persisted (its
 * record of a height) and its config. No I/O: the agent (src/agents/sequencer.ts) reads the chain, calls one of
 * these, and performs the action it gets back; a simulator can call the same functions on an in-process chain.
 *
 * A decision that needs a value the caller did not read yet (reading it costs an L1 call that is usually not
 * needed) answers `need-...`; the caller reads it, puts it in the view and asks again.
 *
 * The proving-design parts (which prover to name, reputation) are behind ProvingDesignStrategy
 * (src/agents/designs/strategy.ts).
 */
import { HeightStatus, Phase, ProposalStatus, type Timeline } from "../../client/index.js";
import { buildBlock, transferToJSON, type L2State, type Transfer, type TransferJSON } from "../../l2/index.js";
import { txIdOf, type TxId, type TxStatus } from "../../node/index.js";
import { vrfOutput, vrfProve, vrfVerify, type VrfProof, type VrfPublicKey } from "../../vrf/index.js";
import { blockCommitment, fernetScore, outranks as protocolOutranks } from "../../protocol.js";
import { AGENT_DEFAULTS } from "../../defaults.js";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const hexOf = (b: Uint8Array): string => "0x" + Buffer.from(b).toString("hex");
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** What the sequencer persists per height it proposed at. */
export interface SequencerRecord {
  height: bigint;
  parent: bigint;
  newRoot: bigint;
  pubdata: string;
  salt: string;
  vrfProof: VrfProof;
  vrfOutput: bigint;
  feeSplitBps: bigint;
  proverTip: bigint;
  proverRewardShareBps: bigint;
  txs: TransferJSON[];
  txIds: TxId[];
  /** The prover named at commit (this sequencer when self-proving). */
  prover?: string;
  /** Terminal once set to lost / finalized / reorged / abandoned. */
  outcome?: "won" | "lost" | "finalized" | "reorged" | "abandoned";
  /** Set once the escrow is released, or when nothing was escrowed (nothing to release). */
  released?: boolean;
}

export const TERMINAL_OUTCOMES: ReadonlySet<string> = new Set(["lost", "finalized", "reorged", "abandoned"]);

/** The terms a sequencer proposes with (defaults: 10% fee split, 1 token tip, 20% prover reward share). */
export interface ProposalTerms {
  feeSplitBps: bigint;
  proverTip: bigint;
  proverRewardShareBps: bigint;
}

export function proposalTerms(o: { feeSplitBps?: bigint; proverTip?: bigint; proverRewardShareBps?: bigint }): ProposalTerms {
  return { feeSplitBps: o.feeSplitBps ?? 1_000n, proverTip: o.proverTip ?? 10n ** 18n, proverRewardShareBps: o.proverRewardShareBps ?? 2_000n };
}

/** The Rollup's clock parameters the seed rule needs. */
export interface SeedTiming {
  genesisBlock: bigint;
  proposalBlocks: bigint;
  revealBlocks: bigint;
  commitBlocks: bigint;
}

// ---------------------------------------------------------------- ranking

/** A proposal as the ranking sees it. */
export interface RankedProposal {
  sequencer: string;
  vrfOutput: bigint;
  feeSplitBps: bigint;
}

/** ProposeLib.outranks on proposals as the agents hold them (the rule itself is src/protocol.ts `outranks`). */
export function outranks(a: RankedProposal, b: RankedProposal, feeSplitScore: boolean): boolean {
  const ranked = (p: RankedProposal) => ({ score: fernetScore(p.vrfOutput, p.feeSplitBps, feeSplitScore), output: p.vrfOutput, addr: p.sequencer });
  return protocolOutranks(ranked(a), ranked(b));
}

// ---------------------------------------------------------------- the phase of the round

export interface PhaseView {
  /** The height whose phase the next L1 block is in (0 before the first height). */
  height: bigint;
  phase: Phase;
  /** This sequencer's open (non-terminal) record of the height, if any. */
  record?: SequencerRecord;
  /** Whether anything was ever persisted for the height (a terminal record too: never propose twice). */
  persisted: boolean;
}

export type PhaseAction =
  | { kind: "propose"; height: bigint }
  | { kind: "reveal"; record: SequencerRecord }
  | { kind: "consider-commit"; record: SequencerRecord }
  | { kind: "wait"; reason: "no-height" | "already-proposed" | "not-proposed" | "settled" | "other-phase" };

/** Which step of its own height the sequencer takes in this round. */
export function phaseDecision(v: PhaseView): PhaseAction {
  if (v.height <= 0n) return { kind: "wait", reason: "no-height" };
  const r = v.record;
  if (v.phase === Phase.Proposal) return !r && !v.persisted ? { kind: "propose", height: v.height } : { kind: "wait", reason: "already-proposed" };
  if (v.phase !== Phase.Reveal && v.phase !== Phase.Commit) return { kind: "wait", reason: "other-phase" };
  if (!r) return { kind: "wait", reason: "not-proposed" };
  if (r.outcome) return { kind: "wait", reason: "settled" };
  return v.phase === Phase.Reveal ? { kind: "reveal", record: r } : { kind: "consider-commit", record: r };
}

/**
 * Housekeeping that may queue transactions: only in the reveal phase, and not in its last block (when the phase has
 * more than one), where an outranked sequencer may still send its reveal (revealDecision): one wallet has one nonce
 * queue, and a chore ahead of that reveal could push it out of the phase.
 */
export function choresDue(phase: Phase, lastBlockOfLongerPhase = false): ("release-lost" | "reorg-duty")[] {
  return phase === Phase.Reveal && !lastBlockOfLongerPhase ? ["release-lost", "reorg-duty"] : [];
}

// ---------------------------------------------------------------- propose

export type ProposeAction = { kind: "propose"; height: bigint; randomness: bigint } | { kind: "wait"; reason: "no-randomness" };

/** A height can be proposed only once its randomness seed is recorded (the contract refuses: RandomnessNotRecorded). */
export function proposeDecision(v: { height: bigint; randomness: bigint }): ProposeAction {
  return v.randomness === 0n ? { kind: "wait", reason: "no-randomness" } : { kind: "propose", height: v.height, randomness: v.randomness };
}

/** The largest VRF output: an output is a keccak256 hash, uniform on [0, 2^256). */
export const MAX_VRF_OUTPUT = (1n << 256n) - 1n;

/**
 * The default `proposeThreshold` with `activeSequencers` eligible sequencers (this one included): the fraction u of
 * the top score at which the chance that one of the n - 1 others beats it is `beatenChance` (one half by default):
 * with uniform outputs, 1 - u^(n-1) = beatenChance, u = (1 - beatenChance)^(1/(n-1)). 0 (always at once) alone.
 */
export function defaultProposeThreshold(activeSequencers: number, beatenChance: number = AGENT_DEFAULTS.proposeBeatenChance): number {
  if (activeSequencers <= 1) return 0;
  return (1 - beatenChance) ** (1 / (activeSequencers - 1));
}

/**
 * The default `middleThreshold` under a `threshold` u with `activeSequencers` n: the level m = u * n^(-1/(n-1)) that
 * minimises the expected number of proposals when the sequencers in [m, u) propose in the phase's second block (if
 * no verified better claim landed in the first) and those below m late (if none landed by then). With uniform outputs
 * the expected count is n(1 - u) + n(u - m)u^(n-1) + n m^n; its derivative in m vanishes at m^(n-1) = u^(n-1) / n.
 * n = 3, u = 0.707: m = 0.408, 1.531 proposals per height instead of 1.94 with one late tier (issue 13). The highest
 * score still always proposes (it is in the highest tier anyone is in), so the winner is the same. 0 alone.
 */
export function defaultMiddleThreshold(activeSequencers: number, threshold: number): number {
  if (activeSequencers <= 1 || threshold <= 0) return 0;
  return threshold * activeSequencers ** (-1 / (activeSequencers - 1));
}

/**
 * The score at the fraction `threshold` (0..1) of the top score a proposal with this fee split can reach. The
 * others' fee splits are unknown before they propose: they are assumed equal to this one's (the devnet's agents all
 * offer the same), so the threshold is a level of the VRF output, boosted like the score.
 */
export function thresholdScore(threshold: number, feeSplitBps: bigint, feeSplitScore: boolean): bigint {
  const perBillion = BigInt(Math.round(Math.min(1, Math.max(0, threshold)) * 1e9));
  return (fernetScore(MAX_VRF_OUTPUT, feeSplitBps, feeSplitScore) * perBillion) / 1_000_000_000n;
}

/** Another proposal of the height (a claim read from its `Proposed` log), with the verdict once checked. */
export interface RivalClaim extends RankedProposal {
  claim?: ClaimVerdict;
}

export interface ProposeTimingView {
  me: string;
  /** This sequencer's VRF output at the height and the fee split it would offer. */
  vrfOutput: bigint;
  feeSplitBps: bigint;
  feeSplitScore: boolean;
  /** Fraction of the top score at or above which it proposes at once; 0 = always at once (today's behaviour). */
  threshold: number;
  /**
   * Fraction of the top score (below `threshold`) at or above which a proposal aims at the phase's second block
   * instead of the late one, if that is earlier: a middle tier that the lowest scores see before they decide
   * (defaultMiddleThreshold). 0 or absent: one late tier.
   */
  middleThreshold?: number;
  /** The next L1 block, the first block of the proposal phase, and the first block after it (the reveal start). */
  next: bigint;
  proposalStart: bigint;
  proposalEnd: bigint;
  /**
   * Blocks of the proposal phase left after the one a below-threshold proposal aims at (AGENT_DEFAULTS
   * .proposeSlackBlocks): room for it to land late, or to be made again after an L1 reorg dropped it. Never aimed at
   * the phase's first block (where the at-once proposals it waits to see land), so shorter in a short phase.
   */
  slackBlocks: bigint;
  /**
   * An L1 reorg dropped our proposal of the height (or its randomness changed under it): the deadline is now, not the
   * aimed block, which may already be past or too close.
   */
  redo?: boolean;
  /** The other proposals of the height in the `Proposed` logs so far; undefined = not read yet. */
  claims?: RivalClaim[];
  /**
   * Claims the other sequencers served before proposing (`l2_getVrfClaim`, issue 13), each checked like a logged one
   * (its proof verified under the key at the cutoff, eligibility); undefined = no peers asked. A verified better one
   * sends this sequencer to the late block whatever its score; none better and `peersComplete` = it is the best: it
   * proposes at once whatever the threshold says.
   */
  peerClaims?: RivalClaim[];
  /** Every other eligible sequencer's claim is among `peerClaims` (verified): nobody unknown can outrank it. */
  peersComplete?: boolean;
}

export type ProposeTimingAction =
  | { kind: "propose"; reason: "best-known-claim" | "above-threshold" | "no-better-claim-middle" | "no-better-claim" | "redo-after-l1-reorg" }
  | { kind: "wait"; reason: "below-threshold" | "outranked-off-chain" | "outranked" }
  | { kind: "need-proposals" }
  | { kind: "need-claims"; sequencers: string[] };

/**
 * Proposes only when it might win: a score at or above the threshold proposes at once; a lower one waits until
 * `slackBlocks` before the last block of the proposal phase (the agent sends when the next block is that one) and
 * proposes only if no verified, eligible claim outranks it by then. A false claim (its logged proof does not verify)
 * or one of an ineligible sequencer does not count: it cannot lead, and it is challenged at the reveal
 * (revealDecision). After an L1 reorg dropped its proposal (`redo`), it does not wait: it checks the claims L1 has
 * now and proposes again at once if none outranks it. Claims peers served off chain (`peerClaims`, verified) come
 * first: outranked by one, it waits for the late block whatever its score; the best of a complete set, it proposes at
 * once whatever its score.
 */
export function proposeTimingDecision(v: ProposeTimingView): ProposeTimingAction {
  const mine: RankedProposal = { sequencer: v.me, vrfOutput: v.vrfOutput, feeSplitBps: v.feeSplitBps };
  // Claims served by peers before the phase (verified): a better one means this proposal can only win if that peer
  // never proposes, which the late block's look at L1 tells; being the best of all eligible claims means nobody can
  // beat it. Either way one proposal per height when every sequencer serves its claim in time.
  const peerBetter = !v.redo && (v.peerClaims ?? []).some((q) => !same(q.sequencer, v.me) && q.claim?.leads === true && outranks(q, mine, v.feeSplitScore));
  if (!v.redo && !peerBetter && v.peersComplete) return { kind: "propose", reason: "best-known-claim" };
  if (!peerBetter && fernetScore(v.vrfOutput, v.feeSplitBps, v.feeSplitScore) >= thresholdScore(v.threshold, v.feeSplitBps, v.feeSplitScore)) {
    return { kind: "propose", reason: "above-threshold" };
  }
  // Aimed at the last block itself (slack 0), a proposal that lands a block late is refused (WrongPhase), and an L1
  // reorg that drops it leaves no block to make it again: when every sequencer is below the threshold, either one
  // empties the height. Aimed at the first block, waiting would see nothing: the second at the earliest.
  const last = v.proposalEnd - 1n;
  const slacked = last - (v.slackBlocks > 0n ? v.slackBlocks : 0n);
  const late = slacked > v.proposalStart ? slacked : v.proposalStart + 1n < last ? v.proposalStart + 1n : last;
  // The middle tier lands in the second block, where the lowest scores (aiming later) still see it; only when that
  // block comes before the late one (a phase of 4 blocks with slack 1 or longer).
  const middle = !peerBetter && (v.middleThreshold ?? 0) > 0 && v.proposalStart + 1n < late
    && fernetScore(v.vrfOutput, v.feeSplitBps, v.feeSplitScore) >= thresholdScore(v.middleThreshold!, v.feeSplitBps, v.feeSplitScore);
  // Outranked by a peer's verified claim, it waits for the phase's last block itself: that claim was sent in the
  // first block and may land a block or two late under load; this proposal is needed only if it never does (the
  // peer withheld), so the slack is given to the better claim, not kept for a redo of this one.
  const aimed = peerBetter ? (last > v.proposalStart ? last : v.proposalStart) : middle ? v.proposalStart + 1n : late;
  if (!v.redo && v.next < aimed) return { kind: "wait", reason: peerBetter ? "outranked-off-chain" : "below-threshold" };
  if (!v.claims) return { kind: "need-proposals" };
  const above = v.claims.filter((q) => !same(q.sequencer, v.me) && outranks(q, mine, v.feeSplitScore));
  const unchecked = above.filter((q) => !q.claim).map((q) => q.sequencer);
  if (unchecked.length) return { kind: "need-claims", sequencers: unchecked };
  if (above.some((q) => q.claim!.leads)) return { kind: "wait", reason: "outranked" };
  return { kind: "propose", reason: v.redo ? "redo-after-l1-reorg" : middle ? "no-better-claim-middle" : "no-better-claim" };
}

/**
 * The best verified, eligible claim served by peers at a height, if it outranks ours (`mine`, undefined = we had no
 * claim there): the claim everyone waited for. If its maker then did not reveal, the height was emptied by waiting
 * for it (the agent ignores that peer's served claims for a while: `servedClaimIgnored`).
 */
export function bestServedClaimAbove(served: readonly RivalClaim[], mine: RankedProposal | undefined, feeSplitScore: boolean): RivalClaim | undefined {
  let best: RivalClaim | undefined;
  for (const q of served) if (q.claim?.leads === true && (!best || outranks(q, best, feeSplitScore))) best = q;
  if (!best || (mine && (same(best.sequencer, mine.sequencer) || outranks(mine, best, feeSplitScore)))) return undefined;
  return best;
}

/** Whether a peer whose best served claim came to nothing at `withheldAt` is still not waited for at `height`. */
export function servedClaimIgnored(withheldAt: bigint | undefined, height: bigint, memoryHeights: number): boolean {
  return withheldAt !== undefined && height > withheldAt && height - withheldAt <= BigInt(memoryHeights);
}

export interface ProposalInput {
  me: string;
  height: bigint;
  /** The chain tip the block builds on, and its state. */
  parent: bigint;
  tipState: L2State;
  /** Mempool candidates, best first. */
  candidates: Transfer[];
  T: number;
  domain: bigint;
  vrfSk: bigint;
  chainId: bigint;
  rollup: string;
  randomness: bigint;
  /** 32 random bytes, 0x-hex: hides the block until the reveal. */
  salt: string;
  terms: ProposalTerms;
}

/** The block, VRF proof and commitment of a proposal (pure: the salt is an input). */
export function buildProposal(p: ProposalInput): { record: SequencerRecord; commitment: string; included: Transfer[]; rejected: ReturnType<typeof buildBlock>["rejected"] } {
  const { block, included, rejected } = buildBlock(p.tipState, p.candidates, p.T, p.domain);
  const vrf = vrfProve(p.vrfSk, { chainId: p.chainId, verifier: p.rollup, randomness: p.randomness, height: p.height });
  const pubdata = hexOf(block.pubdata);
  const record: SequencerRecord = {
    height: p.height, parent: p.parent, newRoot: block.newRoot, pubdata, salt: p.salt, vrfProof: vrf.proof, vrfOutput: vrf.output,
    ...p.terms, txs: included.map(transferToJSON), txIds: included.map(txIdOf),
  };
  const commitment = blockCommitment({ proposer: p.me, height: p.height, parent: p.parent, newRoot: block.newRoot, pubdata, salt: p.salt });
  return { record, commitment, included, rejected };
}

// ---------------------------------------------------------------- reveal

export interface RevealView {
  me: string;
  record: SequencerRecord;
  /** This sequencer's proposal status on L1. */
  status: ProposalStatus;
  tip: bigint;
  /** Fault injection: never reveal this height. */
  withholdReveal: boolean;
  /** The next L1 block, and the first block after the reveal phase (the commit start). */
  next: bigint;
  revealEnd: bigint;
  feeSplitScore: boolean;
  /**
   * Reveal in the commit phase, with the commit (Sidecar's revealAndCommitProver: one transaction instead of two):
   * the reveal phase then only checks the better claims (and challenges the false ones).
   */
  revealAtCommit?: boolean;
  /** The other proposals of the height with their status on L1 (and claim verdicts once checked); undefined = not read yet. */
  rivals?: RivalProposal[];
}

export type RevealAction =
  | { kind: "reveal"; record: SequencerRecord; reason: "best" | "better-did-not-reveal"; challenge: string[] }
  | { kind: "wait"; reason: "not-proposed" | "fault-injection" | "parent-not-tip" | "better-may-reveal" | "outranked" | "reveal-at-commit"; challenge: string[] }
  | { kind: "need-rivals" }
  | { kind: "need-claims"; sequencers: string[] };

/**
 * Reveals only when it might lead: at once if no verified, eligible claim outranks its own; otherwise in the last
 * block of the phase (the agent sends when the next block is that one), and only if none of the better-ranked
 * claimants revealed by then (the commit step's "better-did-not-commit", one phase earlier). A better claim that is
 * false does not count and is challenged (`challenge`).
 */
export function revealDecision(v: RevealView): RevealAction {
  if (v.status !== ProposalStatus.Proposed) return { kind: "wait", reason: "not-proposed", challenge: [] };
  if (v.withholdReveal) return { kind: "wait", reason: "fault-injection", challenge: [] };
  // The contract refuses a block whose parent is no longer the tip (ParentNotTip).
  if (v.tip !== v.record.parent) return { kind: "wait", reason: "parent-not-tip", challenge: [] };
  if (!v.rivals) return { kind: "need-rivals" };
  const mine: RankedProposal = { sequencer: v.me, vrfOutput: v.record.vrfOutput, feeSplitBps: v.record.feeSplitBps };
  // A voided (challenged) or released proposal is Settled: it no longer counts.
  const above = v.rivals.filter(
    (q) => !same(q.sequencer, v.me) && (q.status === ProposalStatus.Proposed || q.status === ProposalStatus.Revealed) && outranks(q, mine, v.feeSplitScore),
  );
  const unchecked = above.filter((q) => !q.claim).map((q) => q.sequencer);
  if (unchecked.length) return { kind: "need-claims", sequencers: unchecked };
  const challenge = above.filter((q) => q.claim!.falseProof).map((q) => q.sequencer);
  // Revealing at the commit: nothing to send now whatever the ranking (commitDecision decides then).
  if (v.revealAtCommit) return { kind: "wait", reason: "reveal-at-commit", challenge };
  const better = above.filter((q) => q.claim!.leads);
  if (!better.length) return { kind: "reveal", record: v.record, reason: "best", challenge };
  if (v.next < v.revealEnd - 1n) return { kind: "wait", reason: "better-may-reveal", challenge };
  if (better.some((q) => q.status === ProposalStatus.Revealed)) return { kind: "wait", reason: "outranked", challenge };
  return { kind: "reveal", record: v.record, reason: "better-did-not-reveal", challenge };
}

// ---------------------------------------------------------------- commit

/** Off-chain verdict on another proposal's claimed VRF output (finding 8). */
export interface ClaimVerdict {
  /** Whether the proposal can lead (its claim verifies and its stake and key were active at the cutoff). */
  leads: boolean;
  /** A logged proof whose output is the claimed one but that does not verify: challengeable with `pk`. */
  falseProof?: VrfProof;
  pk?: VrfPublicKey;
  reason: "verified" | "no-proof-or-key" | "false-claim";
}

export interface ClaimInput {
  height: bigint;
  claimed: bigint;
  /** Stake and VRF key active before the height's activation cutoff. */
  eligible: boolean;
  /** The proof of the claimer's proposal (its `propose` calldata, RollupClient.proposedClaim), and the key it had at the cutoff. */
  loggedProof?: VrfProof;
  pk?: VrfPublicKey;
  /** The height's randomness (needed only with a proof and a key). */
  randomness?: bigint;
  chainId: bigint;
  rollup: string;
}

/**
 * A claimed output is deferred to only once its logged proof verifies off chain under the claimer's key at the
 * cutoff and the height's randomness. A proof that gives the claimed output but does not verify is a false claim,
 * kept with the key to challenge it (also when the claimer rotated its key or exits).
 */
export function claimVerdict(c: ClaimInput): ClaimVerdict {
  if (!c.loggedProof || !c.pk || c.randomness === undefined) return { leads: false, reason: "no-proof-or-key" };
  const proof = c.loggedProof;
  let ok = false;
  try {
    ok = vrfOutput(proof) === c.claimed && vrfVerify(c.pk, { chainId: c.chainId, verifier: c.rollup, randomness: c.randomness, height: c.height }, proof);
  } catch {
    ok = false; // not a curve point: no valid proof
  }
  if (ok) return { leads: c.eligible, reason: "verified" };
  return { leads: false, falseProof: vrfOutput(proof) === c.claimed ? proof : undefined, pk: c.pk, reason: "false-claim" };
}

/** Another revealed (or committed) proposal of the height, with the verdict on its claim once checked. */
export interface RivalProposal extends RankedProposal {
  status: ProposalStatus;
  claim?: ClaimVerdict;
}

export interface CommitView {
  me: string;
  record: SequencerRecord;
  status: ProposalStatus;
  tip: bigint;
  /** The next L1 block, and the end of the height's commit phase. */
  next: bigint;
  commitEnd: bigint;
  feeSplitScore: boolean;
  /** This sequencer reveals with its commit (revealAndCommitProver): a Proposed proposal may commit. */
  revealAtCommit?: boolean;
  /**
   * The design lets any proposal reveal with its commit (Sidecar's revealAndCommitProver): an unrevealed rival may
   * still take the height. Without it (Cooperative) only revealed rivals may.
   */
  rivalsMayRevealAtCommit?: boolean;
  /** The other proposals of the height (all of them, with their status; `mayHold` picks those that may still hold it). */
  rivals: RivalProposal[];
  /** The height's current winner: undefined = not read yet, null = none. */
  winner?: RankedProposal | null;
}

export type CommitAction =
  /** `reveal`: the proposal is not revealed yet: reveal and commit in one transaction. */
  | { kind: "commit"; reason: "best" | "better-did-not-commit"; challenge: string[]; reveal: boolean }
  | { kind: "wait"; reason: "not-revealed" | "parent-not-tip" | "better-may-commit" | "outranked"; challenge: string[] }
  | { kind: "need-claims"; sequencers: string[] }
  | { kind: "need-winner" };

/**
 * Commits only when it matters: at once if this proposal is the best revealed one; otherwise in the last block of
 * the phase, if the better ones did not commit and this one would lead (spec step 3). Saves losers' deposits and
 * gas. False VRF claims of better-ranked rivals are challenged along the way.
 */
export function commitDecision(v: CommitView): CommitAction {
  const reveal = v.status === ProposalStatus.Proposed && v.revealAtCommit === true;
  if (v.status !== ProposalStatus.Revealed && !reveal) return { kind: "wait", reason: "not-revealed", challenge: [] };
  // A reorg during the phase took the parent away: the contract would refuse (ParentNotTip); settle will see it lost.
  if (v.tip !== v.record.parent) return { kind: "wait", reason: "parent-not-tip", challenge: [] };
  const mine: RankedProposal = { sequencer: v.me, vrfOutput: v.record.vrfOutput, feeSplitBps: v.record.feeSplitBps };
  // With revealAndCommitProver a Proposed rival may still reveal and commit in this phase: it counts like a revealed one.
  const mayHold = (st: ProposalStatus) =>
    (st === ProposalStatus.Proposed && v.rivalsMayRevealAtCommit === true) || st === ProposalStatus.Revealed || st === ProposalStatus.Committed;
  const above = v.rivals.filter((q) => !same(q.sequencer, v.me) && mayHold(q.status) && outranks(q, mine, v.feeSplitScore));
  const unchecked = above.filter((q) => !q.claim).map((q) => q.sequencer);
  if (unchecked.length) return { kind: "need-claims", sequencers: unchecked };
  const challenge = above.filter((q) => q.claim!.falseProof).map((q) => q.sequencer);
  if (!above.some((q) => q.claim!.leads)) return { kind: "commit", reason: "best", challenge, reveal };
  if (v.next < v.commitEnd - 1n) return { kind: "wait", reason: "better-may-commit", challenge };
  if (v.winner === undefined) return { kind: "need-winner" };
  if (v.winner && v.winner.sequencer !== ZERO_ADDRESS && outranks(v.winner, mine, v.feeSplitScore)) return { kind: "wait", reason: "outranked", challenge: [] };
  return { kind: "commit", reason: "better-did-not-commit", challenge, reveal };
}

// ---------------------------------------------------------------- settle

export interface SettleView {
  me: string;
  record: SequencerRecord;
  next: bigint;
  timeline: Pick<Timeline, "revealStart" | "commitEnd">;
  /** This sequencer's proposal status on L1. */
  status: ProposalStatus;
  /** The height on L1 (winner, status, proven late): read once the commit phase is over. */
  height?: { winner: string; status: HeightStatus; late: boolean };
  /**
   * What `propose` escrowed: the tokens its transaction moved from this sequencer to the Rollup (escrowedBy; the
   * contracts that escrow the tip at `propose` pull it there, once the tip moves to the commit nothing moves). Read
   * only for a lost proposal that never committed.
   */
  proposeEscrow?: bigint;
}

export type SettleAction =
  | { kind: "track"; marks: TxStatus[] }
  | { kind: "abandon" }
  | { kind: "need-height" }
  | { kind: "need-propose-escrow" }
  | { kind: "lost"; why: string; released: boolean; marks: TxStatus[] }
  | { kind: "won"; newlyWon: boolean; marks: TxStatus[]; end?: "finalized" | "reorged"; late: boolean };

/**
 * The ladder steps a proposal's transactions reached, from its status on L1: in a proposed block once proposed, and
 * revealed once revealed (Revealed, Committed). A Settled proposal was proposed, but may have been voided or released
 * before any reveal: in a proposed block only.
 */
function stepsReached(status: ProposalStatus): TxStatus[] {
  if (status === ProposalStatus.None) return [];
  if (status === ProposalStatus.Revealed || status === ProposalStatus.Committed) return ["in_proposed_block", "revealed"];
  return ["in_proposed_block"];
}

/** Where a height this sequencer proposed at stands: the tx status ladder, won / lost, finalized / reorged. */
export function settleDecision(v: SettleView): SettleAction {
  const r = v.record;
  if (v.next < v.timeline.commitEnd) {
    if (v.status === ProposalStatus.None && v.next >= v.timeline.revealStart) return { kind: "abandon" }; // the propose never landed
    return { kind: "track", marks: stepsReached(v.status) };
  }
  const info = v.height;
  if (!info) return { kind: "need-height" };
  const won = same(info.winner, v.me) && info.status !== HeightStatus.None;
  if (!won) {
    // Outranked first: with reveals at the commit, an outranked proposal stays unrevealed.
    const why =
      info.winner !== ZERO_ADDRESS ? `outranked by ${info.winner}`
      : v.status === ProposalStatus.Proposed ? "not revealed"
      : v.status === ProposalStatus.Revealed ? "not committed"
      : "height skipped";
    // Escrow comes back through release(), which costs gas: released only what was escrowed. A commit escrows (the
    // deposit; the tip too once it moves there); `propose` escrows what its transaction pulled (escrowedBy);
    // nothing is escrowed without a proposal, and nothing is left once settled (released, or voided by a challenge).
    const uncommitted = v.status === ProposalStatus.Proposed || v.status === ProposalStatus.Revealed;
    if (r.released === undefined && uncommitted && v.proposeEscrow === undefined) return { kind: "need-propose-escrow" };
    const nothingEscrowed = v.status === ProposalStatus.None || v.status === ProposalStatus.Settled || (uncommitted && v.proposeEscrow === 0n);
    const released = r.released ?? nothingEscrowed;
    // The steps L1 shows the proposal reached come first: the tracker may lag L1 (a crash after `propose` was sent
    // but before the node was saved leaves its transactions in_mempool on disk), and `reorged` needs a block status
    // before it, so without them a restarted agent could not mark the lost block's transactions reorged.
    return { kind: "lost", why, released, marks: stepsReached(v.status) };
  }
  const marks: TxStatus[] = [];
  if (info.status === HeightStatus.Proven || info.status === HeightStatus.Finalized) marks.push("verified_on_l1");
  if (info.status === HeightStatus.Finalized) marks.push("finalized");
  const end = info.status === HeightStatus.Finalized ? "finalized" : info.status === HeightStatus.Reorged ? "reorged" : undefined;
  return { kind: "won", newlyWon: !r.outcome, marks, end, late: info.late };
}

/** keccak256("Transfer(address,address,uint256)"): the ERC-20 transfer log. */
export const ERC20_TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

/**
 * The tokens a transaction moved from `from` to `to` (its logs: the token's `Transfer` events). settleDecision's
 * `proposeEscrow` is this over the logs of the `propose` transaction: what it escrowed, whatever its event says.
 */
export function escrowedBy(logs: readonly { address: string; topics: readonly string[]; data: string }[], token: string, from: string, to: string): bigint {
  const topicOf = (a: string) => "0x" + a.toLowerCase().replace(/^0x/, "").padStart(64, "0");
  let sum = 0n;
  for (const l of logs) {
    if (!same(l.address, token) || l.topics.length !== 3 || l.topics[0] !== ERC20_TRANSFER_TOPIC) continue;
    if (l.topics[1]!.toLowerCase() !== topicOf(from) || l.topics[2]!.toLowerCase() !== topicOf(to)) continue;
    sum += BigInt(l.data);
  }
  return sum;
}

/**
 * A lost height's escrow is released once (the Rollup credits it to `claimable`); `released` is also set when
 * nothing was escrowed (settleDecision), so a proposal that never committed and escrowed nothing costs no release.
 */
export function releaseDecision(r: SequencerRecord): { kind: "release"; height: bigint } | { kind: "wait" } {
  return r.outcome === "lost" && !r.released ? { kind: "release", height: r.height } : { kind: "wait" };
}

// ---------------------------------------------------------------- randomness and reorgs

export type SeedAction =
  | { kind: "record-randomness"; height: bigint }
  | { kind: "wait"; reason: "outside-window" | "commit-may-record" | "commit-will-record" }
  | { kind: "need-reveals"; height: bigint };

/**
 * The seed of the upcoming height is recorded by the first `commitProver` of the height before it; when nobody
 * committed (or before height 1), a sequencer records it with `recordRandomness` while its window (the commit
 * phase before the height) is open, else the height could not be proposed at all. The caller skips it when the
 * seed is already set (a second call is a no-op on chain, but costs gas).
 */
export function seedDecision(next: bigint, c: SeedTiming, revealedBefore?: boolean): SeedAction {
  const period = c.proposalBlocks + c.revealBlocks + c.commitBlocks;
  const g = c.genesisBlock;
  if (next + c.commitBlocks < g) return { kind: "wait", reason: "outside-window" };
  const h = (next + c.commitBlocks - g) / period + 1n;
  const start = g + (h - 1n) * period;
  if (next < start - c.commitBlocks || next >= start) return { kind: "wait", reason: "outside-window" };
  // One block into the window first: a commit of the height before (which records the seed) usually lands there.
  if (h > 1n && next === start - c.commitBlocks && c.commitBlocks > 1n) return { kind: "wait", reason: "commit-may-record" };
  // A proposal of the height before was revealed (`revealedBefore`): its commit records the seed, at once or as the
  // fallback in the window's last block, so a recordRandomness would be gas in vain; only that last block is left
  // to a recorder, in case no commit comes.
  if (h > 1n && next < start - 1n) {
    if (revealedBefore === undefined) return { kind: "need-reveals", height: h - 1n };
    if (revealedBefore) return { kind: "wait", reason: "commit-will-record" };
  }
  return { kind: "record-randomness", height: h };
}

export interface ReorgView {
  next: bigint;
  /** The first pending height, its late deadline and status. */
  first?: { height: bigint; lateDeadline: bigint; status: HeightStatus };
}

/** Anyone may reorg a height whose late window passed without a proof; the caller earns the bounty. */
export function reorgDecision(v: ReorgView): { kind: "trigger-reorg"; height: bigint } | { kind: "wait"; reason: "none-pending" | "in-window" | "not-pending" } {
  if (!v.first) return { kind: "wait", reason: "none-pending" };
  if (v.next < v.first.lateDeadline) return { kind: "wait", reason: "in-window" };
  if (v.first.status !== HeightStatus.Pending) return { kind: "wait", reason: "not-pending" };
  return { kind: "trigger-reorg", height: v.first.height };
}
