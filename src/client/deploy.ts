/**
 * Deploys the Rollup with its linked libraries: the one place that knows the link graph (contracts/README in
 * docs/architecture.md). The Rollup is a facade whose flows live in external libraries (each deployed once and
 * linked by address), which keeps every contract under the EIP-170 size limit.
 *
 *   SidecarLib, CooperativeLib, ProposalLib, ProofLib  (no links: ProofLib and CooperativeLib run finalization's
 *                                                     internal code themselves)
 *   FinalityLib -> SidecarLib, CooperativeLib
 *   Rollup      -> SidecarLib, CooperativeLib, ProposalLib, FinalityLib, ProofLib
 */
import type { Signer } from "ethers";
import {
  CooperativeLib__factory,
  FinalityLib__factory,
  ProofLib__factory,
  ProposalLib__factory,
  Rollup__factory,
  SidecarLib__factory,
} from "../../types/ethers-contracts/index.js";
import type { Rollup } from "../../types/ethers-contracts/index.js";
import type { RollupLibraryAddresses } from "../../types/ethers-contracts/factories/Rollup__factory.js";
import type { RollupConfig } from "./index.js";

/** Addresses of the Rollup's linked libraries. */
export interface RollupLibraries {
  sidecarLib: string;
  cooperativeLib: string;
  proposalLib: string;
  finalityLib: string;
  proofLib: string;
}

/** Fully qualified names as solc's link references spell them (for Ignition and hardhat-ethers' `libraries`). */
export const ROLLUP_LIBRARY_NAMES = {
  sidecarLib: "project/contracts/coordination/SidecarLib.sol:SidecarLib",
  cooperativeLib: "project/contracts/coordination/CooperativeLib.sol:CooperativeLib",
  proposalLib: "project/contracts/libraries/ProposalLib.sol:ProposalLib",
  finalityLib: "project/contracts/libraries/FinalityLib.sol:FinalityLib",
  proofLib: "project/contracts/libraries/ProofLib.sol:ProofLib",
} as const;

/** Deploys the five libraries in link order (5 transactions, each awaited). */
export async function deployRollupLibraries(signer: Signer): Promise<RollupLibraries> {
  const sidecar = await (await new SidecarLib__factory(signer).deploy()).waitForDeployment();
  const cooperative = await (await new CooperativeLib__factory(signer).deploy()).waitForDeployment();
  const proposal = await (await new ProposalLib__factory(signer).deploy()).waitForDeployment();
  const sidecarLib = await sidecar.getAddress();
  const cooperativeLib = await cooperative.getAddress();
  const finality = await (
    await new FinalityLib__factory(
      { [ROLLUP_LIBRARY_NAMES.sidecarLib]: sidecarLib, [ROLLUP_LIBRARY_NAMES.cooperativeLib]: cooperativeLib },
      signer,
    ).deploy()
  ).waitForDeployment();
  const finalityLib = await finality.getAddress();
  const proof = await (await new ProofLib__factory(signer).deploy()).waitForDeployment();
  return {
    sidecarLib, cooperativeLib, proposalLib: await proposal.getAddress(), finalityLib, proofLib: await proof.getAddress(),
  };
}

/** The `linkLibraryAddresses` map of the Rollup's factory. */
export function rollupLinks(libs: RollupLibraries): RollupLibraryAddresses {
  return {
    [ROLLUP_LIBRARY_NAMES.sidecarLib]: libs.sidecarLib,
    [ROLLUP_LIBRARY_NAMES.cooperativeLib]: libs.cooperativeLib,
    [ROLLUP_LIBRARY_NAMES.proposalLib]: libs.proposalLib,
    [ROLLUP_LIBRARY_NAMES.finalityLib]: libs.finalityLib,
    [ROLLUP_LIBRARY_NAMES.proofLib]: libs.proofLib,
  };
}

/**
 * Deploys a Rollup over `staking` and `verifier` (libraries deployed first unless given: they are stateless and
 * may be shared by any number of Rollups). Rejects with the constructor's revert (e.g. `Rollup__InvalidConfig`).
 */
export async function deployRollup(
  signer: Signer,
  config: RollupConfig,
  staking: string,
  verifier: string,
  libs?: RollupLibraries,
): Promise<Rollup> {
  const links = rollupLinks(libs ?? (await deployRollupLibraries(signer)));
  const factory = new Rollup__factory(links, signer);
  const rollup = await factory.deploy(config, staking, verifier);
  await rollup.waitForDeployment();
  return rollup as unknown as Rollup;
}
