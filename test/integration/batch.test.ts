/**
 * The batch path with real proofs: the prover posts its proofs unverified to the ProofAggregator, the aggregator
 * agent checks them off chain and verifies several in one `verifyBatch`, which proves and finalizes the heights.
 */
import { expect } from "chai";
import { HeightStatus } from "../../src/client/index.js";
import { startNet, statuses, waitFor, type Net } from "./helpers.js";

describe("integration: posted proofs verified in batches (aggregator agent)", function () {
  this.timeout(900_000);
  let net: Net;

  before(async () => {
    net = await startNet({ sequencers: 1, provers: 1, aggregator: true });
  });
  after(async () => {
    await net?.stop();
  });

  it("finalizes heights through verifyBatch, with the transfers", async () => {
    const id = (await net.txGenerator.sendOne(1))!;
    const agg = await net.client.aggregator();
    const c = agg.contract;
    await waitFor("a batch of >= 2 posted proofs verified and the transfer finalized", 600_000, async () => {
      const batches = await c.queryFilter(c.filters.BatchVerified(), net.deployment.deployBlock);
      return batches.some((b) => b.args.count >= 2n) && (await statuses(net.sequencerUrls[0]!, [id]))[0]?.status === "finalized";
    });
    const batches = await c.queryFilter(c.filters.BatchVerified(), net.deployment.deployBlock);
    const verified = await c.queryFilter(c.filters.PostedProofVerified(), net.deployment.deployBlock);
    expect(verified.length).to.be.at.least(2);
    // Posters: the prover, or the sequencer when the prover was busy and it proved its own block (fallback).
    const actors = [net.provers[0]!.address, net.sequencers[0]!.address].map((a) => a.toLowerCase());
    for (const v of verified) {
      expect(actors).to.include(v.args.poster.toLowerCase());
      expect([HeightStatus.Proven, HeightStatus.Finalized]).to.include((await net.client.getHeight(v.args.height)).status);
    }
    expect(batches.every((b) => b.args.aggregator.toLowerCase() === net.aggregator!.address.toLowerCase())).to.equal(true);
    // No proof went the single-verification way; posts are cheaper than verified submissions.
    expect(net.txRecords.filter((r) => r.method === "submitProof")).to.have.length(0);
    expect(net.txRecords.filter((r) => r.method === "postProof").every((r) => r.gasUsed < 200_000n)).to.equal(true);
    // The posting bonds came back (claimable on the aggregator) and the aggregator was paid.
    for (const v of verified) expect(await agg.claimable(v.args.poster)).to.be.greaterThan(0n);
    expect(await net.client.claimable(net.aggregator!.address)).to.be.greaterThan(0n);
  });
});
