/**
 * A prover that commits (its EIP-712 consent pulls the deposit from it) and then withholds the proof: after the
 * late window the sequencer triggers the reorg, the deposit is slashed, the lost block's transactions go back to
 * the mempool, the sequencer's reputation book moves it to the honest prover, and the transactions are finalized
 * in a later height.
 */
import { expect } from "chai";
import { Contract } from "ethers";
import { finalizedCount } from "../../src/agents/index.js";
import { startNet, statuses, waitFor, path, type Net } from "./helpers.js";

describe("integration: withholding prover (slash, reorg, recovery)", function () {
  this.timeout(900_000);
  let net: Net;

  before(async () => {
    net = await startNet({
      sequencers: 1,
      provers: 2,
      // The withholder is the cheaper one, so the market picks it first.
      proverFaults: ["withhold", "none"],
      proverPrices: [5n * 10n ** 17n, 6n * 10n ** 17n],
      overrides: { provingWindow: 20n, lateWindow: 4n },
    });
  });
  after(async () => {
    await net?.stop();
  });

  it("slashes the deposit, reorgs, re-includes the lost transactions and recovers", async () => {
    const token = new Contract(net.deployment.token, ["function balanceOf(address) view returns (uint256)"], net.provider);
    const bad = net.provers[0]!.address;
    // Wallet plus its balance in the Rollup (the devnet funds that balance at setup: deposits are drawn from it).
    const before = ((await token.getFunction("balanceOf")(bad)) as bigint) + (await net.client.claimable(bad));
    const ids = [(await net.txGenerator.sendOne(1))!, (await net.txGenerator.sendOne(2))!];
    const c = net.client.contract;

    await waitFor("a reorg of the withheld height", 400_000, async () => (await c.queryFilter(c.filters.ChainReorged(), net.deployment.deployBlock)).length > 0);
    const [reorg] = await c.queryFilter(c.filters.ChainReorged(), net.deployment.deployBlock);
    const missed = reorg!.args.missedHeight;
    const info = await net.client.getHeight(missed);
    const p = await net.client.getProposal(missed, info.winner);
    expect(p.prover.toLowerCase()).to.equal(bad.toLowerCase());
    expect(p.depositor.toLowerCase(), "the prover funded the deposit").to.equal(bad.toLowerCase());
    expect(reorg!.args.slashed).to.equal(net.deployment.config.proverDeposit);

    await waitFor("the transfers finalized after the reorg, and a height proven by the honest prover", 500_000, async () => {
      const st = await statuses(net.sequencerUrls[0]!, ids);
      return st.every((s) => s?.status === "finalized") && (await finalizedCount(net.provider, net.deployment)) >= 1;
    });
    // At least one transfer was in a lost block: it went reorged -> in_mempool and was re-included later.
    const recs = await statuses(net.sequencerUrls[0]!, ids);
    const lost = recs.filter((r) => path(r).includes("reorged"));
    expect(lost.length, "a transfer of a reorged block").to.be.greaterThan(0);
    for (const r of lost) {
      const h = path(r!);
      expect(h.indexOf("in_mempool", h.indexOf("reorged"))).to.be.greaterThan(h.indexOf("reorged"));
      expect(r!.height).to.be.greaterThan(Number(missed));
    }
    const finals = await c.queryFilter(c.filters.HeightFinalized(), net.deployment.deployBlock);
    expect(finals.every((f) => f.args.prover.toLowerCase() !== bad.toLowerCase()), "the withholder is never paid").to.equal(true);

    // The withholder lost at least the slashed deposit (refunds of reorged descendants go to claimable).
    const after = ((await token.getFunction("balanceOf")(bad)) as bigint) + (await net.client.claimable(bad));
    expect(before - after).to.be.at.least(net.deployment.config.proverDeposit);
  });
});
