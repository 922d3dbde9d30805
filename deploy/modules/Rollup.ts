/**
 * Ignition module: DevToken, Staking, and the Rollup over a given block verifier (deploy the generated
 * `BlockVerifier_T{T}_D{D}` first and pass its address; `slots` must be its T, `genesisRoot` the genesis file's root).
 *
 *   npx hardhat ignition deploy deploy/modules/Rollup.ts --network localhost \
 *     --parameters '{"RollupModule":{"verifier":"0x...","slots":"2","genesisRoot":"123"}}'
 *
 * The other RollupConfig values are the documented defaults (docs/lifecycle.md); override any of them with the
 * parameter of the same name. genesisBlock 0 means "the deployment block".
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, IgnitionModuleBuilder, ModuleParameterRuntimeValue } from "@nomicfoundation/ignition-core";

const E18 = 10n ** 18n;

/**
 * DevToken, Staking and the Rollup over `verifier` (a parameter or a contract future of the same module), with the
 * RollupConfig values read from the module's parameters, and `staking.setRollup`. Shared with deploy/modules/Devnet.ts.
 */
export function buildRollup(m: IgnitionModuleBuilder, verifier: ContractFuture<string> | ModuleParameterRuntimeValue<string>) {
  const deployer = m.getAccount(0);

  const token = m.contract("DevToken", [m.getParameter("tokenName", "Fernet Dev"), m.getParameter("tokenSymbol", "FDEV"), deployer]);
  const staking = m.contract("Staking", [
    token,
    m.getParameter("minSequencerStake", 1_000n * E18),
    m.getParameter("minProverStake", 1_000n * E18),
    m.getParameter("exitDelay", 50n),
    deployer,
  ]);

  const config = {
    genesisBlock: m.getParameter("genesisBlock", 0n),
    proposalBlocks: m.getParameter("proposalBlocks", 3n),
    revealBlocks: m.getParameter("revealBlocks", 3n),
    commitBlocks: m.getParameter("commitBlocks", 3n),
    provingWindow: m.getParameter("provingWindow", 20n),
    lateWindow: m.getParameter("lateWindow", 10n),
    slots: m.getParameter<bigint>("slots"),
    minFeeSplitBps: m.getParameter("minFeeSplitBps", 0n),
    maxFeeSplitBps: m.getParameter("maxFeeSplitBps", 10_000n),
    maxProverRewardShareBps: m.getParameter("maxProverRewardShareBps", 10_000n),
    lateProverShareBps: m.getParameter("lateProverShareBps", 5_000n),
    reorgBountyBps: m.getParameter("reorgBountyBps", 500n),
    feeSplitScore: m.getParameter("feeSplitScore", true),
    proverDeposit: m.getParameter("proverDeposit", 100n * E18),
    blockReward: m.getParameter("blockReward", 10n * E18),
    submissionReward: m.getParameter("submissionReward", 1n * E18),
    genesisRoot: m.getParameter<bigint>("genesisRoot"),
    maxPendingHeights: m.getParameter("maxPendingHeights", 32n),
    vrfClaimSlash: m.getParameter("vrfClaimSlash", 10n * E18),
    keyActivationDelay: m.getParameter("keyActivationDelay", 4n),
    provingDesign: m.getParameter("provingDesign", 0n),
  };
  // The Rollup's flows live in linked libraries (src/client/deploy.ts has the same link graph).
  const SidecarLib = m.library("SidecarLib");
  const ProposalLib = m.library("ProposalLib");
  const FinalityLib = m.library("FinalityLib", { libraries: { SidecarLib } });
  const ProofLib = m.library("ProofLib", { libraries: { FinalityLib } });
  const rollup = m.contract("Rollup", [config, staking, verifier], {
    libraries: { SidecarLib, ProposalLib, FinalityLib, ProofLib },
  });
  m.call(staking, "setRollup", [rollup]);

  return { token, staking, rollup };
}

export default buildModule("RollupModule", (m) => buildRollup(m, m.getParameter<string>("verifier")));
