/**
 * The proving designs a comparison can run: each name maps to the contracts' `provingDesign` (RollupConfig) and to
 * the Rollup parameters it needs by default. The simulation's actors per design live in src/compare/sim/actors.ts;
 * adding a design (sequencer-prover separation, say) adds an entry here and its actors there, nothing else.
 */
import { ProvingDesign } from "../client/index.js";

export const DESIGN_NAMES = ["sidecar", "cooperative"] as const;
export type DesignName = (typeof DESIGN_NAMES)[number];

export interface DesignInfo {
  provingDesign: ProvingDesign;
  /** Rollup parameters the design needs unless the variant sets them. */
  defaults: Record<string, string | number | boolean>;
  /** Proof work per block the provers model: "block" (one proof of T transfers) or "unit" (K proofs of T / K). */
  work: "block" | "unit";
}

export const DESIGNS: Record<DesignName, DesignInfo> = {
  sidecar: { provingDesign: ProvingDesign.Sidecar, defaults: { units: 1 }, work: "block" },
  cooperative: { provingDesign: ProvingDesign.Cooperative, defaults: { units: 2 }, work: "unit" },
};
