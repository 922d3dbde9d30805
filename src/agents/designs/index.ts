/** The agents' proving-design strategies, by the Rollup's `provingDesign` (read from its config at start). */
import { ProvingDesign } from "../../client/index.js";
import { AgentError } from "../common.js";
import { cooperative } from "./cooperative.js";
import { sidecar } from "./sidecar.js";
import type { ProvingDesignStrategy } from "./strategy.js";

export { cooperative, sidecar };
export type { ProvingDesignStrategy };

/** The strategy of the design a Rollup was deployed with. */
export function designStrategy(design: bigint | number): ProvingDesignStrategy {
  switch (Number(design)) {
    case ProvingDesign.Sidecar:
      return sidecar;
    case ProvingDesign.Cooperative:
      return cooperative;
    default:
      throw new AgentError("BAD_CONFIG", `the rollup runs proving design ${design}, which these agents do not know`);
  }
}
