/**
 * The Cooperative proving design (seed 002, docs/cooperative.md) on the sequencer's side: the winning sequencer
 * commits its block's K - 1 intermediate roots and its bond (`commitUnits`, or `revealAndCommitUnits` with the
 * block's reveal in the same transaction) and names no prover; the contract elects
 * provers per unit (VRF x (1 + FEE_BURN), three paid per unit), who run their own agent
 * (src/agents/cooperativeProver.ts). So no quotes are asked or answered, and no reputation is kept on provers.
 */
import type { BackingDecision, ProverChoice, ProverVerdict, ProvingDesignStrategy } from "./strategy.js";

export const cooperative: ProvingDesignStrategy = {
  name: "cooperative",
  commit: "units",
  revealsWithCommit: true, // revealAndCommitUnits

  chooseProver(): ProverChoice {
    // Never asked: the sequencer commits units (the loop branches on `commit`). Answer as "nobody to name".
    return { kind: "self-prove", reason: "no-provers", quotes: 0 };
  },

  backSequencer(): BackingDecision {
    return { kind: "decline", reason: "cooperative: provers are elected per unit on chain, not named by quotes" };
  },

  provesHeight(): boolean {
    return false;
  },

  proverVerdict(): ProverVerdict | undefined {
    return undefined;
  },
};
