/**
 * Agents that stop: a sequencer that dies right after proposing (it loses the height; once restarted from its store
 * it settles the lost height, releases its tip if `propose` escrowed it, and gets its transfers finalized later), and
 * a prover killed in the middle of proving a committed height (restarted from its store, it proves and submits on
 * time: no slash).
 */
import { expect } from "chai";
import { ProposalStatus } from "../../src/client/index.js";
import type { ProofEvent } from "../../src/agents/index.js";
import { escrowedBy } from "../../src/agents/decisions/sequencer.js";
import { startNet, statuses, waitFor, path, type Net } from "./helpers.js";

describe("integration: agents that stop and restart", function () {
  this.timeout(900_000);
  let net: Net;

  before(async () => {
    net = await startNet({ sequencers: 2, provers: 1 });
  });
  after(async () => {
    await net?.stop();
  });

  it("a sequencer that stops after proposing loses the height; restarted, it recovers its transactions", async () => {
    const seq1 = net.sequencers[0]!;
    // Account 1 is served by seq-1.
    const id = (await net.txGenerator.sendOne(1))!;
    const crashedAt = await new Promise<bigint>((resolve) => {
      const onProposed = (h: bigint) => {
        void statuses(net.sequencerUrls[0]!, [id]).then(([r]) => {
          if (r?.status !== "in_proposed_block") return;
          seq1.off("proposed", onProposed);
          void seq1.crash();
          resolve(h);
        });
      };
      seq1.on("proposed", onProposed);
    });
    const t = await net.client.timeline(crashedAt);
    await waitFor("the height of the crash decided", 120_000, async () => BigInt(await net.provider.getBlockNumber()) >= t.commitEnd);
    const info = await net.client.getHeight(crashedAt);
    expect(info.winner.toLowerCase()).to.not.equal(seq1.address.toLowerCase());
    expect((await net.client.getProposal(crashedAt, seq1.address)).status).to.equal(ProposalStatus.Proposed);

    const seq1b = await net.restartSequencer(0);
    await waitFor("the transfer finalized after the restart", 400_000, async () => (await statuses(net.sequencerUrls[0]!, [id]))[0]?.status === "finalized");
    const [rec] = await statuses(net.sequencerUrls[0]!, [id]);
    const h = path(rec);
    expect(h, JSON.stringify(rec!.history.map((s) => [s.status, s.reason]))).to.include("reorged");
    expect(rec!.history.find((s) => s.status === "reorged")!.reason).to.match(/not revealed/);
    expect(rec!.height).to.be.greaterThan(Number(crashedAt));
    // The unrevealed proposal's escrow: released by the restarted agent if `propose` escrowed the tip (contracts that
    // escrow it there); with the tip escrowed at the commit nothing was escrowed, and no release is sent (gas).
    const c = net.client.contract;
    const [ev] = await c.queryFilter(c.filters.Proposed(crashedAt, seq1b.address), Number(t.proposalStart));
    const receipt = await net.provider.getTransactionReceipt(ev!.transactionHash);
    const escrowed = escrowedBy(receipt!.logs, net.deployment.token, seq1b.address, net.deployment.rollup);
    if (escrowed > 0n) {
      await waitFor("the escrow of the dead proposal released", 120_000, async () => (await net.client.getProposal(crashedAt, seq1b.address)).status === ProposalStatus.Settled);
    } else {
      expect((await net.client.getProposal(crashedAt, seq1b.address)).status).to.equal(ProposalStatus.Proposed);
      expect(net.txRecords.filter((r) => r.method === "release" && r.height === crashedAt)).to.deep.equal([]);
    }
  });

  it("a prover killed mid-proof resumes from its store and proves on time", async () => {
    const prover = net.provers[0]!;
    const killedAt = await new Promise<bigint>((resolve) => {
      const onProof = (e: ProofEvent) => {
        if (e.kind !== "proving") return;
        prover.off("proof", onProof);
        void prover.crash();
        resolve(e.height);
      };
      prover.on("proof", onProof);
    });
    const restarted = await net.restartProver(0);
    const c = net.client.contract;
    await waitFor("the height proven after the restart", 400_000, async () => (await c.queryFilter(c.filters.ProofSubmitted(killedAt), net.deployment.deployBlock)).length > 0);
    const [sub] = await c.queryFilter(c.filters.ProofSubmitted(killedAt), net.deployment.deployBlock);
    expect(sub!.args.submitter.toLowerCase()).to.equal(restarted.address.toLowerCase());
    expect(sub!.args.late, "proved within the window").to.equal(false);
    // Its deposit was not slashed: the height was not the missed one of any reorg.
    const reorgs = await c.queryFilter(c.filters.ChainReorged(), net.deployment.deployBlock);
    expect(reorgs.map((r) => r.args.missedHeight)).to.not.include(killedAt);
  });
});
