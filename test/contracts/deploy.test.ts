/** The Ignition module deploys a wired system (Staking knows its Rollup; the Rollup has the given verifier). */
import { expect } from "chai";
import { connection, ethers } from "./helpers.js";
import RollupModule from "../../deploy/modules/Rollup.js";

describe("Ignition module deploy/modules/Rollup.ts", function () {
  it("deploys DevToken, Staking and Rollup over the given verifier", async function () {
    const verifier = await ethers.deployContract("MockBlockVerifier");
    const { token, staking, rollup } = await connection.ignition.deploy(RollupModule, {
      parameters: { RollupModule: { verifier: await verifier.getAddress(), slots: 2n, genesisRoot: 42n } },
    });
    expect(await staking.getFunction("rollup")()).to.equal(await rollup.getAddress());
    expect(await rollup.getFunction("verifier")()).to.equal(await verifier.getAddress());
    expect(await rollup.getFunction("token")()).to.equal(await token.getAddress());
    const config = await rollup.getFunction("config")();
    expect(config.slots).to.equal(2n);
    expect(config.genesisRoot).to.equal(42n);
    expect(config.proposalBlocks).to.equal(3n);
    expect(config.maxPendingHeights).to.equal(32n);
    expect(config.vrfClaimSlash).to.equal(10n * 10n ** 18n);
    expect(config.keyActivationDelay).to.equal(4n);
    expect(await rollup.getFunction("rootOf")(0n)).to.equal(42n);
  });
});
