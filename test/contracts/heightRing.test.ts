/**
 * The height ring (issue 13): a height's record lives in slot `height % HEIGHT_RING` tagged with its height, and the
 * chain's entries in a ring of CHAIN_RING, so that the leading commit of a long-lived deployment rewrites words
 * (5k) instead of writing fresh ones (22.1k). What the ring must never do, each tried here against the real
 * contracts (MockBlockVerifier stand-in for the proofs): take over the record of a pending height or of the last
 * finalized one (the next proof's parent root), show an older height's record as another height's, or keep a
 * proposal's escrow locked because its height's record was taken over.
 */
import { expect } from "chai";
import { deployFixture, ethers, networkHelpers, runHeight, proposeAll, revealAll, endCommit, proofFor, proveAsOutsider, nextTxAt, booksBalance, best, ensureSeed, type Deployment, type Proposed, type Sequencer } from "./helpers.js";
import { HeightStatus, ProposalStatus } from "../../src/client/index.js";

/** ChainLib.HEIGHT_RING */
const HEIGHT_RING = 64n;

async function ringFixture(): Promise<Deployment> {
  // A long proving window lets height 1 stay pending through a whole turn of the ring.
  return deployFixture({ provingWindow: 3_000n });
}

const prove = proveAsOutsider;

/** `seq` alone proposes, reveals and commits `height`; returns the commit's transaction hash. */
async function soloCommit(d: Deployment, height: bigint, seq: Sequencer): Promise<{ p: Proposed; hash: string }> {
  const [p] = await proposeAll(d, height, [seq]);
  await revealAll(d, height, [p!]);
  await nextTxAt((await d.client.timeline(height)).commitStart);
  const r = await d.client.connect(seq.signer).commitProver({ height, prover: seq.address, vrfProof: p!.vrfProof });
  return { p: p!, hash: r.hash };
}

/** Storage writes of a transaction that turn a zero word nonzero (20,000 gas each, EIP-2200). */
async function freshWrites(hash: string): Promise<number> {
  const t = (await ethers.provider.send("debug_traceTransaction", [hash, { disableStack: true, disableMemory: true, disableStorage: true }])) as { structLogs: { op: string; gasCost: number }[] };
  return t.structLogs.filter((l) => l.op === "SSTORE" && l.gasCost >= 20_000).length;
}

describe("height ring (issue 13): height records reused HEIGHT_RING heights later, never while they are needed", function () {
  this.timeout(600_000);

  it("once the ring has turned, a leading commit writes no fresh storage; an old height reads as none in getHeight, its history stays in the logs", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    const s = d.seqs[0]!;
    const first = await soloCommit(d, 1n, s);
    await endCommit(d, 1n);
    await prove(d, 1n, first.p);
    const early = await soloCommit(d, 2n, s);
    await endCommit(d, 2n);
    await prove(d, 2n, early.p);
    for (let h = 3n; h <= HEIGHT_RING + 1n; h++) {
      const { winner } = await runHeight(d, h, [s]);
      await endCommit(d, h);
      await prove(d, h, winner);
    }
    const late = await soloCommit(d, HEIGHT_RING + 2n, s);
    const [freshEarly, freshLate] = [await freshWrites(early.hash), await freshWrites(late.hash)];
    const [gasEarly, gasLate] = [(await ethers.provider.getTransactionReceipt(early.hash))!.gasUsed, (await ethers.provider.getTransactionReceipt(late.hash))!.gasUsed];
    console.log(`      leading commit: height 2 ${gasEarly} gas (${freshEarly} fresh words), height ${HEIGHT_RING + 2n} ${gasLate} gas (${freshLate} fresh words)`);
    expect(freshEarly).to.be.greaterThan(0); // its Sidecar terms (these sequencers never warm their proposal slots)
    expect(freshLate).to.equal(0); // every word it writes was written before: height 66's record takes over height 2's
    // Height 2's slot holds height 66 now: getHeight(2) reads all zero, height 66's record is its own.
    const old = await d.client.getHeight(2n);
    expect([old.status, old.winner, old.parent]).to.deep.equal([HeightStatus.None, ethers.ZeroAddress, 0n]);
    const now = await d.client.getHeight(HEIGHT_RING + 2n);
    expect([now.status, now.winner, now.parent]).to.deep.equal([HeightStatus.Pending, s.address, HEIGHT_RING + 1n]);
    await expect(d.rollup.statementOf(2n, early.p.block.pubdata, d.outsider.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__StatementForgotten").withArgs(2n);
    // The logs keep what the record held (the agents' L2 state rebuild reads them: L2Chain.blockAt).
    expect(await d.client.finalizedFromLogs(2n)).to.deep.equal({ winner: s.address, parent: 1n });
    expect(await d.client.finalizedFromLogs(HEIGHT_RING + 2n)).to.equal(undefined);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("attack: a pending height's record and the last finalized one's are never taken over (HeightSlotBusy); the proposals of the refused height are released", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    const [a, b] = d.seqs as [Sequencer, Sequencer];
    // Height 1 is decided and left unproven: it stays pending, and genesis (height 0, slot 0) stays the last
    // finalized height. Nothing happens for 62 heights (empty heights write no record).
    const { winner: w1 } = await runHeight(d, 1n, [a]);
    await endCommit(d, 1n);
    expect(await d.rollup.pendingHeights()).to.deep.equal([1n]);
    // Height 64 maps to genesis's slot (the next proof's parent root), height 65 to height 1's (pending).
    // (At 65 only b proposes: a's proposal slot of height 1 is held too, ProposalLib's ring.)
    for (const [h, held, who] of [[HEIGHT_RING, 0n, [a, b]], [HEIGHT_RING + 1n, 1n, [b]]] as const) {
      const props = await proposeAll(d, h, [...who]);
      await revealAll(d, h, props);
      const lead = best(props);
      await nextTxAt((await d.client.timeline(h)).commitStart);
      await expect(d.rollup.connect(lead.seq.signer).commitProver(h, lead.seq.address, "0x", lead.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__HeightSlotBusy").withArgs(h, held);
      await ensureSeed(d, h + 1n); // no commit recorded the next seed: anyone does, in its window
      await endCommit(d, h);
      // Nothing was taken over: the held record reads as before, the refused height has no winner.
      expect((await d.client.getHeight(held)).status).to.equal(held === 0n ? HeightStatus.Finalized : HeightStatus.Pending);
      expect((await d.client.getHeight(h)).winner).to.equal(ethers.ZeroAddress);
      // Its proposals hold no height: their escrow comes back.
      for (const p of props) {
        await d.client.connect(d.outsider).release(h, p.seq.address);
        expect((await d.client.getProposal(h, p.seq.address)).status).to.equal(ProposalStatus.Settled);
      }
    }
    // Height 1 proven and final: the chain goes on, and the proof of height 1 still found genesis's root.
    await prove(d, 1n, w1);
    expect(await d.client.lastFinalized()).to.equal(1n);
    const { winner: w66 } = await runHeight(d, HEIGHT_RING + 2n, [a]);
    await endCommit(d, HEIGHT_RING + 2n);
    await prove(d, HEIGHT_RING + 2n, w66);
    expect(await d.client.lastFinalized()).to.equal(HEIGHT_RING + 2n);
    expect((await d.client.getHeight(HEIGHT_RING + 2n)).parent).to.equal(1n);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });
});
