/**
 * The Cooperative design (seed 002) over a real Hardhat node with real Groth16 unit proofs: two sequencers and two
 * staked provers at T = 2 split into K = 2 units (the committed Unit(1, 8) circuit and its generated verifier).
 * Heights are finalized with unit proofs from both provers, paid per proof after the close, and no token is lost.
 */
import { expect } from "chai";
import { HeightStatus } from "../../src/client/index.js";
import { L2Chain, finalizedCount } from "../../src/agents/index.js";
import { proverReward } from "../../src/cooperative.js";
import { startNet, waitFor, type Net } from "./helpers.js";

describe("integration: cooperative design (real node, real unit proofs)", function () {
  this.timeout(900_000);
  let net: Net;

  before(async () => {
    net = await startNet({
      sequencers: 2, provers: 2, design: "cooperative", units: 2,
      // prover-2 burns 20 % of its shares: its score is boosted, its pay cut, the difference burnt.
      cooperativeOptions: [{ feeBurnBps: 0n }, { feeBurnBps: 2_000n }],
    });
  });
  after(async () => {
    await net?.stop();
  });

  it("finalizes 3 heights with real unit proofs of both provers and pays them per proof", async () => {
    for (const from of [1, 2, 3, 4]) await net.txGenerator.sendOne(from);
    const c = net.client.contract;
    const from = net.deployment.deployBlock;
    await waitFor("3 finalized heights, settled", 600_000, async () => {
      if ((await finalizedCount(net.provider, net.deployment)) < 3) return false;
      return (await c.queryFilter(c.filters.UnitsSettled(), from)).length >= 2;
    });
    const cfg = await net.client.config();
    expect(cfg.provingDesign).to.equal(1n);
    expect(cfg.units).to.equal(2n);
    // The Rollup verifies the unit circuit (7 public inputs: S = 1).
    const verifier = new (await import("ethers")).Contract(net.deployment.verifier, ["function N_PUBLIC() view returns (uint256)"], net.provider);
    expect(await verifier.getFunction("N_PUBLIC")()).to.equal(7n);

    // Both provers' unit proofs were accepted, for both units.
    const accepted = await c.queryFilter(c.filters.UnitProofAccepted(), from);
    const payees = new Set(accepted.map((e) => e.args.payee.toLowerCase()));
    expect(payees.size, "two different provers").to.equal(2);
    expect(new Set(accepted.map((e) => Number(e.args.unit)))).to.deep.equal(new Set([0, 1]));
    expect(accepted.every((e) => !e.args.late)).to.equal(true);

    // Paid per proof: reward x (1 - FEE_BURN) / (K x 3), the rest burnt; the sums add up per height.
    for (const s of await c.queryFilter(c.filters.UnitsSettled(), from)) {
      expect(s.args.paid + s.args.burnt).to.equal(s.args.networkReward);
      const paid = await c.queryFilter(c.filters.UnitProofPaid(s.args.height), s.blockNumber, s.blockNumber);
      const entries = accepted.filter((e) => e.args.height === s.args.height);
      expect(paid.length).to.equal(entries.length);
      for (const p of paid) {
        const e = entries.find((x) => x.args.payee === p.args.payee && x.args.unit === p.args.unit)!;
        expect(p.args.amount).to.equal(proverReward(s.args.networkReward, 2n, e.args.feeBurnBps));
      }
      expect((await net.client.getHeight(s.args.height)).status).to.equal(HeightStatus.Finalized);
    }
    const agentStats = net.cooperativeProvers.map((p) => p.stats());
    expect(agentStats.every((s) => s.accepted > 0)).to.equal(true);

    // Nothing lost: the Rollup holds exactly what it owes (escrow, claimable, pool).
    const token = new (await import("ethers")).Contract(net.deployment.token, ["function balanceOf(address) view returns (uint256)"], net.provider);
    const held = (await token.getFunction("balanceOf")(net.deployment.rollup)) as bigint;
    expect(held).to.equal((await c.totalEscrowed()) + (await c.totalClaimable()) + (await c.rewardPool()));

    // The L2 state rebuilt from L1 alone matches the finalized root.
    const fin = await net.client.lastFinalized();
    const rebuilt = await new L2Chain(net.client, net.deployment.genesisState).stateAt(fin);
    expect(rebuilt.root).to.equal(await net.client.rootOf(fin));
  });
});
