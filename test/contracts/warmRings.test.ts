/**
 * Warmed rings (issue 13): the Rollup's constructor writes every word of the height, seed and chain rings once, and
 * a sequencer writes its proposal ring slots (and their Sidecar terms) once with `warmProposalSlots`, so that the
 * first heights of a deployment overwrite words (5k gas) instead of writing fresh ones (22.1k), as every later
 * height does. What warming must never do, each tried against the real contracts (MockBlockVerifier stand-in for
 * the proofs): make a height, a seed, a proposal or its terms read as anything but none, or touch a live record.
 */
import { PROPOSAL_RING } from "../../src/protocol.js";
import { expect } from "chai";
import { deployFixture, ethers, networkHelpers, proposeAll, revealAll, commitAll, endCommit, proveAsOutsider, booksBalance, best, type Deployment, type Sequencer } from "./helpers.js";
import { HeightStatus, ProposalStatus } from "../../src/client/index.js";
import type { TransactionReceipt } from "ethers";

/** ProposalLib.RING: proposal slots per sequencer. */
const RING = PROPOSAL_RING; // ProposalLib.RING

async function warmFixture(): Promise<Deployment> {
  return deployFixture();
}

/** Storage writes of a transaction that turn a zero word nonzero (20,000 gas each, EIP-2200). */
async function freshWrites(hash: string): Promise<number> {
  const t = (await ethers.provider.send("debug_traceTransaction", [hash, { disableStack: true, disableMemory: true, disableStorage: true }])) as { structLogs: { op: string; gasCost: number }[] };
  return t.structLogs.filter((l) => l.op === "SSTORE" && l.gasCost >= 20_000).length;
}

/** The hash of the first transaction `from` sent to the Rollup in blocks [fromBlock, head]. */
async function txOf(d: Deployment, fromBlock: bigint, from: string): Promise<string> {
  const head = await ethers.provider.getBlockNumber();
  for (let b = Number(fromBlock); b <= head; b++) {
    const block = await ethers.provider.getBlock(b, true);
    for (const tx of block?.prefetchedTransactions ?? []) if (tx.from === from && tx.to === d.client.address) return tx.hash;
  }
  throw new Error(`no transaction of ${from} from block ${fromBlock}`);
}

/** The `slots` of the ProposalSlotsWarmed event in a receipt. */
function warmedSlots(d: Deployment, r: TransactionReceipt): bigint {
  for (const l of r.logs) {
    const e = d.rollup.interface.parseLog(l);
    if (e?.name === "ProposalSlotsWarmed") return e.args.slots as bigint;
  }
  throw new Error("no ProposalSlotsWarmed event");
}

describe("warmed rings (issue 13): every ring word written once, before the first height, and read as none", function () {
  this.timeout(300_000);

  it("after the deployment every height reads as undecided, unseeded and out of the chain", async function () {
    const d = await networkHelpers.loadFixture(warmFixture);
    for (const h of [1n, 2n, 31n, 32n, 63n, 64n, 65n, 127n, 128n, 1000n]) {
      const v = await d.client.getHeight(h);
      expect([v.status, v.winner, v.parent, v.seedSet], `height ${h}`).to.deep.equal([HeightStatus.None, ethers.ZeroAddress, 0n, false]);
      expect(await d.client.randomnessOf(h), `randomness of ${h}`).to.equal(0n);
    }
    expect((await d.client.getHeight(0n)).status).to.equal(HeightStatus.Finalized);
    expect(await d.client.chainTip()).to.equal(0n);
    expect(await d.client.lastFinalized()).to.equal(0n);
    expect(await d.rollup.pendingHeights()).to.deep.equal([]);
  });

  it("a sequencer that warmed its slots writes no fresh word at its first height (propose, reveal, leading commit); one that did not writes its record fresh; the height finalizes and the books balance", async function () {
    const d = await networkHelpers.loadFixture(warmFixture);
    const [warm, cold] = [d.seqs[0]!, d.seqs[1]!];
    const r = await d.client.connect(warm.signer).warmProposalSlots();
    expect(warmedSlots(d, r)).to.equal(RING);
    // Idempotent: a second call finds every slot written and writes nothing.
    const again = await d.client.connect(warm.signer).warmProposalSlots();
    expect(warmedSlots(d, again)).to.equal(0n);
    expect(await freshWrites(again.hash)).to.equal(0);
    // Warmed slots read as no proposal, with no terms.
    for (const h of [1n, 2n, RING, RING + 1n]) {
      const p = await d.client.getProposal(h, warm.address);
      expect([p.status, p.vrfOutput, p.newRoot, p.parent, p.prover, p.deposit], `slot of height ${h}`).to.deep.equal([ProposalStatus.None, 0n, 0n, 0n, ethers.ZeroAddress, 0n]);
      expect(await d.client.scoreOf(h, warm.address)).to.equal(0n);
    }

    // The ledger's totals word (totalClaimable | escrow) is global: the first balance anyone funds writes it (the
    // devnet's agents fund theirs at setup), and no height writes it fresh after that.
    await d.rollup.connect(d.outsider).fundBalance(1n);
    // Height 1's seed window has passed during the warming transactions: height 2 is the first one decided.
    const h = 2n;
    const t = await d.client.timeline(h);
    const props = await proposeAll(d, h, [warm, cold]);
    await revealAll(d, h, props);
    // The warmed sequencer commits first, so it leads at its commit (the leading commit's words: record, seed, chain).
    const byWarm = props.find((p) => p.seq === warm)!;
    await commitAll(d, h, [byWarm, props.find((p) => p.seq === cold)!]);
    const fresh = async (s: Sequencer, from: bigint): Promise<number> => freshWrites(await txOf(d, from, s.address));
    const warmFresh = [await fresh(warm, t.proposalStart), await fresh(warm, t.revealStart), await fresh(warm, t.commitStart)];
    const coldFresh = [await fresh(cold, t.proposalStart), await fresh(cold, t.revealStart), await fresh(cold, t.commitStart)];
    console.log(`      fresh words at height ${h}: warmed ${warmFresh.join(" / ")}, not warmed ${coldFresh.join(" / ")} (propose / reveal / commit)`);
    expect(warmFresh).to.deep.equal([0, 0, 0]);
    expect(coldFresh[0]).to.be.at.least(3); // commitment, output, status word
    expect(coldFresh[1]).to.be.at.least(1); // the new root
    expect(coldFresh[2]).to.be.at.least(1); // the Sidecar terms

    await endCommit(d, h);
    const winner = best(props);
    expect((await d.client.getHeight(h)).winner).to.equal(winner.seq.address);
    await proveAsOutsider(d, h, winner);
    expect((await d.client.getHeight(h)).status).to.equal(HeightStatus.Finalized);
    const loser = props.find((p) => p !== winner)!;
    await d.client.connect(d.outsider).release(h, loser.seq.address);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("warming never touches a live record: a sequencer that warms after proposing keeps its proposal, which wins and is finalized", async function () {
    const d = await networkHelpers.loadFixture(warmFixture);
    const s = d.seqs[2]!;
    const [p] = await proposeAll(d, 1n, [s]);
    const before = await d.client.getProposal(1n, s.address);
    expect(before.status).to.equal(ProposalStatus.Proposed);
    const r = await d.client.connect(s.signer).warmProposalSlots();
    expect(warmedSlots(d, r)).to.equal(RING - 1n); // every slot but height 1's
    expect(await d.client.getProposal(1n, s.address)).to.deep.equal(before);
    await revealAll(d, 1n, [p!]);
    await commitAll(d, 1n, [p!]);
    await endCommit(d, 1n);
    await proveAsOutsider(d, 1n, p!);
    const h = await d.client.getHeight(1n);
    expect([h.status, h.winner]).to.deep.equal([HeightStatus.Finalized, s.address]);
    expect(await d.client.rootOf(1n)).to.equal(p!.block.newRoot);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });
});
