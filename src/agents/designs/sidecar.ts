/**
 * The Sidecar proving design (docs/lifecycle.md): a prover market beside the sequencer. The leading sequencer asks
 * provers for quotes in its commit phase, takes the best one by price and reputation (nil-style matching,
 * src/market/match.ts), and names it in `commitProver` with the prover's consent (its deposit is pulled); with no
 * usable quote it names itself. A prover backs only a block it could rebuild (a quote is a promise to prove it):
 * revealed, or sent with the request and opening the proposal's commitment (the sequencer then reveals and commits
 * in one transaction, revealAndCommitProver); it proves the heights whose winning proposal names it. A late or missed proof costs the prover its
 * reputation with that sequencer.
 */
import { matchQuotes, type QuoteRequest, type QuoteRequestBlock } from "../../market/index.js";
import { ProposalStatus } from "../../client/index.js";
import type {
  AssignmentView, BackingDecision, BackingView, ProverChoice, ProverMarketView, ProverOutcomeView, ProverVerdict, ProvingDesignStrategy,
} from "./strategy.js";

/** The quote request of a sequencer for its height: the tip it offers is the most it pays. */
export function sidecarQuoteRequest(v: {
  height: bigint; maxPrice: bigint; provingWindow: bigint; proverDeposit: bigint; chainId: bigint; rollup: string; sequencer: string;
  /** The block, when it is revealed with the commit (the prover checks it against the proposal's commitment). */
  block?: QuoteRequestBlock;
}): QuoteRequest {
  return {
    height: v.height, maxPrice: v.maxPrice, maxProvingTime: Number(v.provingWindow), minDeposit: v.proverDeposit,
    chainId: v.chainId, rollup: v.rollup, sequencer: v.sequencer, ...(v.block ? { block: v.block } : {}),
  };
}

export const sidecar: ProvingDesignStrategy = {
  name: "sidecar",
  commit: "named-prover",
  revealsWithCommit: true,

  chooseProver(v: ProverMarketView): ProverChoice {
    if (v.answers.length === 0) return { kind: "self-prove", reason: "no-provers", quotes: 0 };
    // Only answers carrying the prover's consent can name it: commitProver pulls the deposit with that signature.
    const ok = v.answers.filter((a) => a.ok && a.commitment !== undefined) as Extract<ProverMarketView["answers"][number], { ok: true }>[];
    const match = matchQuotes({ ...v.request, chainId: v.request.chainId!, rollup: v.request.rollup!, currentL1Block: v.currentL1Block }, ok.map((a) => a.quote), v.reputation);
    if (!match) return { kind: "self-prove", reason: "no-usable-quote", quotes: ok.length };
    const a = ok.find((x) => x.quote === match)!;
    return { kind: "commit-prover", prover: match.quote.prover, signature: a.commitment!, price: match.quote.price };
  },

  backSequencer(v: BackingView): BackingDecision {
    if (!v.sequencer) return { kind: "decline", reason: "the request must name the sequencer" };
    if (v.offline) return { kind: "decline", reason: "offline" };
    if (v.inFlight >= v.maxInFlight) return { kind: "decline", reason: "busy" };
    if (!v.block) return { kind: "check-block" };
    const { status, bodyError, opened } = v.block;
    // Committing is vouching: only a block whose body rebuilt the revealed one is backed; one not revealed yet only
    // once the block sent with the request opened its commitment (the sequencer reveals and commits in one
    // transaction: the commitment binds that reveal to this block).
    if (status === undefined || bodyError !== undefined) return { kind: "decline", reason: `cannot check the block: ${bodyError ?? "no proposal read"}` };
    if (status === ProposalStatus.Revealed || (status === ProposalStatus.Proposed && opened === true)) return { kind: "offer", offer: v.terms };
    return { kind: "decline", reason: `proposal is ${ProposalStatus[status]}, not revealed${status === ProposalStatus.Proposed ? " (and no block opening its commitment was sent)" : ""}` };
  },

  provesHeight(v: AssignmentView): boolean {
    return v.namedProver.toLowerCase() === v.me.toLowerCase();
  },

  proverVerdict(v: ProverOutcomeView): ProverVerdict | undefined {
    // A sequencer that proved its own block keeps no reputation on itself.
    if (!v.prover || v.prover.toLowerCase() === v.me.toLowerCase()) return undefined;
    return { prover: v.prover, verdict: v.outcome === "on-time" ? "delivered" : "failed" };
  },
};
