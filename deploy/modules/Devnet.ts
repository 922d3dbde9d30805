/**
 * Ignition module of the local devnet for a circuit (T, D): the generated verifier adapter `BlockVerifier_T{T}_D{D}`
 * (it deploys its own Groth16 verifier in its constructor; with `verifierContract`, an adapter that takes the
 * verifier's address instead), then DevToken, Staking and the Rollup over that adapter (the shared body of
 * deploy/modules/Rollup.ts: same parameters, `slots` and `genesisRoot` required), and with `aggregator` also the
 * batch verifier `BatchVerifier_T{T}_D{D}`, the ProofAggregator and `rollup.setAggregator`.
 *
 * Used by `deployDevnet` (src/agents/devnet.ts); the module id is `Devnet_T{T}_D{D}` (`..._Agg` with the
 * aggregator), which is also the key of its parameters. Aggregator parameters: postBond, verifyWindow, batchReward,
 * batchRewardPerHeight (defaults: AGGREGATOR_DEFAULTS of src/defaults.ts).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { AGGREGATOR_DEFAULTS as A } from "../../src/defaults.js";
import { buildRollup } from "./Rollup.js";

export interface DevnetModuleOptions {
  T: number;
  D: number;
  /** Also deploy BatchVerifier_T{T}_D{D} + ProofAggregator and set it on the Rollup. */
  aggregator?: boolean;
  /** The Groth16 verifier contract to deploy first and pass to the adapter's constructor (older adapters only). */
  verifierContract?: string;
  /**
   * The circuit the Rollup verifies: a whole block (default; adapter BlockVerifier_T{T}_D{D}) or, for the Cooperative
   * design, one unit of T slots (adapter UnitVerifier_U{T}_D{D}; T is then S = slots / units).
   */
  kind?: "block" | "unit";
}

const cache = new Map<string, ReturnType<typeof build>>();

function build(id: string, o: DevnetModuleOptions) {
  return buildModule(id, (m) => {
    const adapterName = o.kind === "unit" ? `UnitVerifier_U${o.T}_D${o.D}` : `BlockVerifier_T${o.T}_D${o.D}`;
    const adapter = o.verifierContract !== undefined
      ? m.contract(adapterName, [m.contract(o.verifierContract)])
      : m.contract(adapterName);
    const core = buildRollup(m, adapter);
    if (!o.aggregator) return { ...core, verifier: adapter };
    const batchVerifier = m.contract(`BatchVerifier_T${o.T}_D${o.D}`);
    const aggregator = m.contract("ProofAggregator", [core.rollup, batchVerifier, {
      postBond: m.getParameter("postBond", A.postBond),
      verifyWindow: m.getParameter("verifyWindow", A.verifyWindow),
      batchReward: m.getParameter("batchReward", A.batchReward),
      batchRewardPerHeight: m.getParameter("batchRewardPerHeight", A.batchRewardPerHeight),
    }]);
    m.call(core.rollup, "setAggregator", [aggregator]);
    return { ...core, verifier: adapter, batchVerifier, aggregator };
  });
}

/** The devnet module for (T, D) (one instance per option set, so repeated deployments reuse it). */
export function devnetModule(o: DevnetModuleOptions) {
  const tag = o.kind === "unit" ? `U${o.T}_D${o.D}` : `T${o.T}_D${o.D}`;
  const id = `Devnet_${tag}${o.aggregator ? "_Agg" : ""}${o.verifierContract !== undefined ? "_Ext" : ""}`;
  let mod = cache.get(id);
  if (mod === undefined) {
    mod = build(id, o);
    cache.set(id, mod);
  }
  return mod;
}

export default devnetModule;
