/**
 * Cross-prover batches with real proofs (src/agents/proving.ts): two provers, batch size 2. A prover whose next
 * height is the other's hands its finished proof over (POST /proofs, checked off chain), and the other sends both in
 * one ProofAggregator.submitBatch: each height's submitter (payee) is its own prover, whoever sent the batch.
 */
import { expect } from "chai";
import { HeightStatus } from "../../src/client/index.js";
import { startNet, waitFor, type Net } from "./helpers.js";

describe("integration: provers hand proofs to the next height's prover, which batches them (submitBatch)", function () {
  this.timeout(900_000);
  let net: Net;

  before(async () => {
    // The cheaper prover would take every height (a T=2 proof is quick): each quotes only every other height.
    net = await startNet({
      sequencers: 2, provers: 2, proofBatchSize: 2,
      proverOptions: [{ declineAt: (h) => h % 2n === 0n }, { declineAt: (h) => h % 2n === 1n }],
    });
    net.txGenerator.start(2);
  });
  after(async () => {
    await net?.stop();
  });

  it("a batch carries proofs of both provers, each paid as its height's submitter, and the heights finalize", async () => {
    const agg = (await net.client.aggregator()).contract;
    const provers = net.provers.map((p) => p.address.toLowerCase());
    let mixed: { sender: string; heights: bigint[] } | undefined;
    await waitFor("a submitBatch holding proofs of both provers", 800_000, async () => {
      for (const e of await agg.queryFilter(agg.filters.BatchSubmitted(), net.deployment.deployBlock)) {
        const heights: bigint[] = [];
        for (let h = e.args.firstHeight; h <= e.args.lastHeight; h++) {
          const info = await net.client.getHeight(h);
          if (info.status === HeightStatus.Proven || info.status === HeightStatus.Finalized) heights.push(h);
        }
        // A height finalized in its proof's call keeps no submitter on chain: its ProofSubmitted event names it.
        const submitters = new Set(await Promise.all(heights.map(async (h) => (await net.client.proofOf(h))?.submitter.toLowerCase())));
        if (provers.every((p) => submitters.has(p))) {
          mixed = { sender: e.args.submitter.toLowerCase(), heights };
          return true;
        }
      }
      return false;
    });
    expect(provers).to.include(mixed!.sender);
    await waitFor("the batch's heights finalized", 300_000, async () =>
      (await Promise.all(mixed!.heights.map((h) => net.client.getHeight(h)))).every((i) => i.status === HeightStatus.Finalized));
    // Both provers were paid as submitters of their own heights: the sender's batch paid the other author too.
    for (const h of mixed!.heights) expect(provers).to.include((await net.client.proofOf(h))?.submitter.toLowerCase());
    // Proofs are checked before they are sent: no batch reverted.
    expect(net.txRecords.filter((r) => r.method === "submitBatch" && !r.ok)).to.have.length(0);
  });
});
