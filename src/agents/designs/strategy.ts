/**
 * The seam between the agents' loops and the proving design they run (Sidecar today).
 *
 * The Fernet part of a height (propose, reveal, rank, commit, randomness, settle, reorg) is the same for every design
 * and lives in src/agents/decisions/. What differs between designs is who proves a block and how that is agreed:
 *
 *   - Sidecar (src/agents/designs/sidecar.ts): in its commit phase the leading sequencer asks provers for quotes,
 *     picks one (price, reputation) and names it in `commitProver` with the prover's EIP-712 consent, which pulls
 *     the prover's deposit; the named prover proves the height; a miss costs it the deposit and its reputation.
 *   - Cooperative (src/agents/designs/cooperative.ts): the sequencer commits its block's intermediate roots and a
 *     bond (`commitUnits`), names no prover and asks no quotes; staked provers are elected per unit by the contract
 *     and run the cooperative prover agent (src/agents/cooperativeProver.ts), not the Sidecar prover.
 *   - Sequencer-prover separation would answer `chooseProver` with "prove it yourself" and decline every quote.
 *
 * Each design implements this interface in its own module; adding one does not edit Sidecar or the loops. Every
 * method is pure and synchronous: the loop reads the chain, asks, and performs what it is told. A method that needs
 * data the loop did not read yet says so (`check-block`) rather than reading it.
 */
import type { ProposalStatus } from "../../client/index.js";
import type { QuoteAnswer, QuoteOffer, QuoteRequest, ReputationView } from "../../market/index.js";

/** Sequencer, commit phase: the market's answers for its height (empty when it asks no prover). */
export interface ProverMarketView {
  request: QuoteRequest;
  answers: QuoteAnswer[];
  currentL1Block: number;
  reputation: ReputationView;
}

/** Whom the sequencer names as prover of its height. */
export type ProverChoice =
  | { kind: "commit-prover"; prover: string; signature: string; price: bigint }
  | { kind: "self-prove"; reason: "no-provers" | "no-usable-quote"; quotes: number };

/** Prover, asked to vouch for a sequencer's block (a quote is a promise to prove it). */
export interface BackingView {
  /** The sequencer the request names, if any. */
  sequencer?: string;
  offline: boolean;
  inFlight: number;
  maxInFlight: number;
  /**
   * Filled by the loop after a `check-block` answer: the proposal's status (undefined if it could not be read) and,
   * for a revealed one, why its body could not be rebuilt (undefined when it was); for one not revealed yet,
   * `opened` when the block the request carried opens its commitment and rebuilds (revealAndCommitProver).
   */
  block?: { status?: ProposalStatus; bodyError?: string; opened?: boolean };
  terms: QuoteOffer;
}

export type BackingDecision = { kind: "offer"; offer: QuoteOffer } | { kind: "decline"; reason: string } | { kind: "check-block" };

/** Prover: a pending height and what the chain says about who proves it. */
export interface AssignmentView {
  me: string;
  /** The prover named by the height's winning proposal (the zero address when none was named). */
  namedProver: string;
}

/** Sequencer: how a height it won ended for the prover it named. */
export interface ProverOutcomeView {
  me: string;
  prover?: string;
  outcome: "on-time" | "late" | "missed";
}

export type ProverVerdict = { prover: string; verdict: "delivered" | "failed" };

export interface ProvingDesignStrategy {
  readonly name: string;
  /**
   * How the winning sequencer commits: `named-prover` (Sidecar's `commitProver`, with a prover's quote and deposit)
   * or `units` (Cooperative's `commitUnits`: the block's intermediate roots and the sequencer's bond; provers are
   * elected per unit on chain and run their own agent, src/agents/cooperativeProver.ts).
   */
  readonly commit: "named-prover" | "units";
  /**
   * Whether the commit may carry the block's reveal (`revealAndCommitProver`, `revealAndCommitUnits`): then a sequencer may reveal
   * with its commit, and a rival still Proposed in the commit phase may yet take the height.
   */
  readonly revealsWithCommit: boolean;
  /** Sequencer: which prover to name at commit, from the market's answers. */
  chooseProver(v: ProverMarketView): ProverChoice;
  /** Prover: whether to back a sequencer's block (offer terms), decline, or first check the block. */
  backSequencer(v: BackingView): BackingDecision;
  /** Prover: whether a pending height is this agent's to prove. */
  provesHeight(v: AssignmentView): boolean;
  /** Sequencer, once its height settled: the reputation entry for the prover it named (none for itself). */
  proverVerdict(v: ProverOutcomeView): ProverVerdict | undefined;
}
