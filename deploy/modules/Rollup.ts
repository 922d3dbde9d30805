/**
 * Ignition module: DevToken, Staking, and the Rollup over a given block verifier (deploy the generated
 * `BlockVerifier_T{T}_D{D}` first and pass its address; `slots` must be its T, `genesisRoot` the genesis file's root).
 *
 *   npx hardhat ignition deploy deploy/modules/Rollup.ts --network localhost \
 *     --parameters '{"RollupModule":{"verifier":"0x...","slots":"2","genesisRoot":"123"}}'
 *
 * The other RollupConfig and Staking values are the documented defaults (ROLLUP_DEFAULTS, STAKING_DEFAULTS of
 * src/defaults.ts); override any of them with the parameter of the same name. genesisBlock 0 means "the deployment block".
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, IgnitionModuleBuilder, ModuleParameterRuntimeValue } from "@nomicfoundation/ignition-core";
import { ROLLUP_DEFAULTS as R, STAKING_DEFAULTS as S } from "../../src/defaults.js";

/**
 * DevToken, Staking and the Rollup over `verifier` (a parameter or a contract future of the same module), with the
 * RollupConfig values read from the module's parameters, and `staking.setRollup`. Shared with deploy/modules/Devnet.ts.
 */
export function buildRollup(m: IgnitionModuleBuilder, verifier: ContractFuture<string> | ModuleParameterRuntimeValue<string>) {
  const deployer = m.getAccount(0);

  const token = m.contract("DevToken", [m.getParameter("tokenName", "Fernet Dev"), m.getParameter("tokenSymbol", "FDEV"), deployer]);
  const staking = m.contract("Staking", [
    token,
    m.getParameter("minSequencerStake", S.minSequencerStake),
    m.getParameter("minProverStake", S.minProverStake),
    m.getParameter("exitDelay", S.exitDelay),
    deployer,
  ]);

  const config = {
    genesisBlock: m.getParameter("genesisBlock", R.genesisBlock),
    proposalBlocks: m.getParameter("proposalBlocks", R.proposalBlocks),
    revealBlocks: m.getParameter("revealBlocks", R.revealBlocks),
    commitBlocks: m.getParameter("commitBlocks", R.commitBlocks),
    provingWindow: m.getParameter("provingWindow", R.provingWindow),
    lateWindow: m.getParameter("lateWindow", R.lateWindow),
    slots: m.getParameter<bigint>("slots"),
    minFeeSplitBps: m.getParameter("minFeeSplitBps", R.minFeeSplitBps),
    maxFeeSplitBps: m.getParameter("maxFeeSplitBps", R.maxFeeSplitBps),
    maxProverRewardShareBps: m.getParameter("maxProverRewardShareBps", R.maxProverRewardShareBps),
    lateProverShareBps: m.getParameter("lateProverShareBps", R.lateProverShareBps),
    reorgBountyBps: m.getParameter("reorgBountyBps", R.reorgBountyBps),
    feeSplitScore: m.getParameter("feeSplitScore", R.feeSplitScore),
    proverDeposit: m.getParameter("proverDeposit", R.proverDeposit),
    blockReward: m.getParameter("blockReward", R.blockReward),
    submissionReward: m.getParameter("submissionReward", R.submissionReward),
    genesisRoot: m.getParameter<bigint>("genesisRoot"),
    maxPendingHeights: m.getParameter("maxPendingHeights", R.maxPendingHeights),
    vrfClaimSlash: m.getParameter("vrfClaimSlash", R.vrfClaimSlash),
    keyActivationDelay: m.getParameter("keyActivationDelay", R.keyActivationDelay),
    provingDesign: m.getParameter("provingDesign", R.provingDesign),
    units: m.getParameter("units", R.units),
    unitSoftCloseBlocks: m.getParameter("unitSoftCloseBlocks", R.unitSoftCloseBlocks),
  };
  // The Rollup's flows live in linked libraries (src/client/deploy.ts has the same link graph).
  const SidecarLib = m.library("SidecarLib");
  const CooperativeLib = m.library("CooperativeLib");
  const ProposalLib = m.library("ProposalLib");
  const FinalityLib = m.library("FinalityLib", { libraries: { SidecarLib, CooperativeLib } });
  const ProofLib = m.library("ProofLib");
  const rollup = m.contract("Rollup", [config, staking, verifier], {
    libraries: { SidecarLib, CooperativeLib, ProposalLib, FinalityLib, ProofLib },
  });
  m.call(staking, "setRollup", [rollup]);

  return { token, staking, rollup };
}

export default buildModule("RollupModule", (m) => buildRollup(m, m.getParameter<string>("verifier")));
