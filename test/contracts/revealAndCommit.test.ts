/**
 * The reveal and the commit in one transaction (issue 13): Sidecar's `revealAndCommitProver` opens a proposal's
 * commitment in the commit phase and commits its prover at once, one transaction instead of two; Cooperative's
 * `revealAndCommitUnits` opens it and commits the block's intermediate roots and bond. What it must never do, each
 * tried against the real contracts (MockBlockVerifier stand-in for the proofs): open a commitment with another
 * block, reveal for someone else, run outside the commit phase or twice, keep a reveal whose commit failed, or let a
 * worse proposal keep the height; and it must cost less than the two calls it replaces, on the same proposal.
 */
import { expect } from "chai";
import { hexlify, keccak256 } from "ethers";
import { deployFixture, ethers, networkHelpers, proposeAll, revealAll, nextTxAt, endCommit, proveAsOutsider, booksBalance, best, dummySignatures, makeBlock, type Deployment, type Proposed } from "./helpers.js";
import { HeightStatus, ProposalStatus } from "../../src/client/index.js";

async function mergeFixture(): Promise<Deployment> {
  return deployFixture();
}

/** `p`'s block revealed and its prover (itself, or `prover` with its signature) committed in one call. */
async function merged(d: Deployment, height: bigint, p: Proposed, o: { salt?: string; newRoot?: bigint; parent?: bigint; prover?: string; proverSignature?: string; from?: Proposed["seq"] } = {}) {
  return d.client.connect((o.from ?? p.seq).signer).revealAndCommitProver({
    height, parent: o.parent ?? p.parent, newRoot: o.newRoot ?? p.block.newRoot, pubdata: p.block.pubdata, salt: o.salt ?? p.block.salt,
    signatures: dummySignatures(p.block.pubdata), prover: o.prover ?? p.seq.address, proverSignature: o.proverSignature, vrfProof: p.vrfProof,
  });
}

/** The same call on the contract itself (for the revert matchers, which read the contract's custom errors). */
function mergedRaw(d: Deployment, height: bigint, p: Proposed, o: { salt?: string; newRoot?: bigint; parent?: bigint; prover?: string; proverSignature?: string; from?: Proposed["seq"] } = {}) {
  const b = { parent: o.parent ?? p.parent, newRoot: o.newRoot ?? p.block.newRoot, salt: o.salt ?? p.block.salt, pubdata: p.block.pubdata, signatures: dummySignatures(p.block.pubdata) };
  return d.rollup.connect((o.from ?? p.seq).signer).revealAndCommitProver(height, b, o.prover ?? p.seq.address, o.proverSignature ?? "0x", p.vrfProof);
}

describe("revealAndCommitProver (issue 13): the reveal and the prover commitment in one transaction", function () {
  this.timeout(300_000);

  it("on the same proposal it costs at least 20k less than reveal + commitProver, and leaves the same height behind: revealed, committed, leading, then finalized", async function () {
    const d = await networkHelpers.loadFixture(mergeFixture);
    const s = d.seqs[0]!;
    const [p] = await proposeAll(d, 1n, [s]);
    const t = await d.client.timeline(1n);
    const snap = await networkHelpers.takeSnapshot();
    // Two transactions: reveal (reveal phase), commitProver (commit phase).
    await revealAll(d, 1n, [p!]);
    await nextTxAt(t.commitStart);
    const c = await d.client.connect(s.signer).commitProver({ height: 1n, prover: s.address, vrfProof: p!.vrfProof });
    const revealTx = (await d.client.contract.queryFilter(d.client.contract.filters.Revealed(1n, s.address)))[0]!;
    const twoCalls = (await ethers.provider.getTransactionReceipt(revealTx.transactionHash))!.gasUsed + c.gasUsed;
    const afterTwo = await d.client.getProposal(1n, s.address);
    await snap.restore();
    // One transaction, in the commit phase.
    await nextTxAt(t.commitStart);
    const m = await merged(d, 1n, p!);
    console.log(`      reveal + commitProver ${twoCalls} gas, revealAndCommitProver ${m.gasUsed} gas (${twoCalls - m.gasUsed} less)`);
    expect(twoCalls - m.gasUsed).to.be.greaterThan(20_000n);
    const logs = await d.client.contract.queryFilter(d.client.contract.filters.Revealed(1n, s.address));
    expect(logs.map((l) => [l.args.parent, l.args.newRoot, l.args.pubdataHash])).to.deep.equal([[0n, p!.block.newRoot, keccak256(p!.block.pubdata)]]);
    // The pubdata and signatures are read back from the transaction's calldata.
    const rb = await d.client.revealedBlock(1n, p!.seq.address);
    expect([rb.pubdata, rb.signatures]).to.deep.equal([hexlify(p!.block.pubdata), hexlify(dummySignatures(p!.block.pubdata))]);
    const afterOne = await d.client.getProposal(1n, s.address);
    expect(afterOne).to.deep.equal(afterTwo);
    expect(afterOne.status).to.equal(ProposalStatus.Committed);
    expect((await d.client.getHeight(1n)).winner).to.equal(s.address);
    expect(await d.client.revealedBlock(1n, s.address)).to.include({ newRoot: p!.block.newRoot, pubdata: p!.block.pubdata });
    await endCommit(d, 1n);
    await proveAsOutsider(d, 1n, p!);
    expect((await d.client.getHeight(1n)).status).to.equal(HeightStatus.Finalized);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("refused outside the commit phase, for a block other than the committed one, by anyone but the proposer, after a reveal, and twice: nothing changes", async function () {
    const d = await networkHelpers.loadFixture(mergeFixture);
    const [s, other] = [d.seqs[0]!, d.seqs[1]!];
    const [p] = await proposeAll(d, 1n, [s]);
    const t = await d.client.timeline(1n);
    await nextTxAt(t.revealStart);
    await expect(mergedRaw(d, 1n, p!)).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongPhase");
    await nextTxAt(t.commitStart);
    await expect(mergedRaw(d, 1n, p!, { salt: ethers.hexlify(ethers.randomBytes(32)) })).to.be.revertedWithCustomError(d.rollup, "Rollup__CommitmentMismatch");
    await expect(mergedRaw(d, 1n, p!, { newRoot: makeBlock(999).newRoot })).to.be.revertedWithCustomError(d.rollup, "Rollup__CommitmentMismatch");
    await expect(mergedRaw(d, 1n, p!, { parent: 5n })).to.be.revertedWithCustomError(d.rollup, "Rollup__ParentNotTip");
    // Copying: another sequencer cannot open (or win with) s's commitment: it has no proposal of its own.
    await expect(mergedRaw(d, 1n, p!, { from: other })).to.be.revertedWithCustomError(d.rollup, "Rollup__NoProposal").withArgs(1n, other.address);
    await expect(mergedRaw(d, 1n, p!, { prover: ethers.ZeroAddress })).to.be.revertedWithCustomError(d.rollup, "Rollup__ZeroAddress");
    // A prover consent for another sequencer (or forged) reverts the whole call: the reveal does not stay behind.
    const forged = await d.client.signProverCommitment(d.outsider, 1n, s.address);
    await expect(mergedRaw(d, 1n, p!, { prover: d.prover.address, proverSignature: forged })).to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProverSignature");
    expect((await d.client.getProposal(1n, s.address)).status).to.equal(ProposalStatus.Proposed);
    expect(await d.client.contract.queryFilter(d.client.contract.filters.Revealed(1n))).to.have.length(0);
    expect((await d.client.getHeight(1n)).winner).to.equal(ethers.ZeroAddress);
    // With the prover's consent, its deposit is pulled.
    const sig = await d.client.signProverCommitment(d.prover, 1n, s.address);
    await merged(d, 1n, p!, { prover: d.prover.address, proverSignature: sig });
    expect((await d.client.getProposal(1n, s.address)).prover).to.equal(d.prover.address);
    await expect(mergedRaw(d, 1n, p!)).to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyRevealed");
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("a proposal revealed in the reveal phase cannot use it (AlreadyRevealed) and commits with commitProver", async function () {
    const d = await networkHelpers.loadFixture(mergeFixture);
    const s = d.seqs[0]!;
    const [p] = await proposeAll(d, 1n, [s]);
    await revealAll(d, 1n, [p!]);
    await nextTxAt((await d.client.timeline(1n)).commitStart);
    await expect(mergedRaw(d, 1n, p!)).to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyRevealed").withArgs(1n, s.address);
    await d.client.connect(s.signer).commitProver({ height: 1n, prover: s.address, vrfProof: p!.vrfProof });
    expect((await d.client.getHeight(1n)).winner).to.equal(s.address);
  });

  it("the ranking decides as before: a worse proposal that revealed and committed first loses the height to a better one that merges later in the phase; its escrow is refunded", async function () {
    const d = await networkHelpers.loadFixture(mergeFixture);
    const props = await proposeAll(d, 1n, [d.seqs[0]!, d.seqs[1]!]);
    const better = best(props);
    const worse = props.find((q) => q !== better)!;
    await revealAll(d, 1n, [worse]);
    await nextTxAt((await d.client.timeline(1n)).commitStart);
    await d.client.connect(worse.seq.signer).commitProver({ height: 1n, prover: worse.seq.address, vrfProof: worse.vrfProof });
    expect((await d.client.getHeight(1n)).winner).to.equal(worse.seq.address);
    await merged(d, 1n, better);
    expect((await d.client.getHeight(1n)).winner).to.equal(better.seq.address);
    // The worse one, merging now, would not lead: and it already revealed.
    await endCommit(d, 1n);
    await proveAsOutsider(d, 1n, better);
    const before = await d.client.claimable(worse.seq.address);
    await d.client.connect(d.outsider).release(1n, worse.seq.address);
    expect(await d.client.claimable(worse.seq.address)).to.equal(before + worse.proverTip + d.config.proverDeposit);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("refused on a Cooperative deployment (WrongDesign): its blocks open with revealAndCommitUnits", async function () {
    const d = await deployFixture({ provingDesign: 1n, units: 1n });
    const [p] = await proposeAll(d, 1n, [d.seqs[0]!], { proverTip: 0n, proverRewardShareBps: 0n });
    await nextTxAt((await d.client.timeline(1n)).commitStart);
    await expect(mergedRaw(d, 1n, p!)).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongDesign");
  });
});

/** Cooperative's merged call: `p`'s block revealed and `roots` (K - 1 intermediate roots) committed with the bond. */
function mergedUnits(d: Deployment, height: bigint, p: Proposed, roots: bigint[], o: { salt?: string; parent?: bigint; from?: Proposed["seq"] } = {}) {
  const b = { parent: o.parent ?? p.parent, newRoot: p.block.newRoot, salt: o.salt ?? p.block.salt, pubdata: p.block.pubdata, signatures: dummySignatures(p.block.pubdata) };
  return d.rollup.connect((o.from ?? p.seq).signer).revealAndCommitUnits(height, b, roots, p.vrfProof);
}

describe("revealAndCommitUnits: Cooperative's reveal and commit in one transaction", function () {
  this.timeout(300_000);
  const K = 2n;
  const roots = [0x1234n];

  async function coopFixture(): Promise<Deployment> {
    return deployFixture({ provingDesign: 1n, units: K });
  }

  it("on the same proposal it costs at least 20k less than reveal + commitUnits, and leaves the same height behind: revealed, committed with its roots and bond, leading", async function () {
    const d = await networkHelpers.loadFixture(coopFixture);
    const s = d.seqs[0]!;
    const [p] = await proposeAll(d, 1n, [s], { proverTip: 0n, proverRewardShareBps: 0n });
    const t = await d.client.timeline(1n);
    const snap = await networkHelpers.takeSnapshot();
    await revealAll(d, 1n, [p!]);
    await nextTxAt(t.commitStart);
    const c = await d.client.connect(s.signer).commitUnits({ height: 1n, intermediateRoots: roots, vrfProof: p!.vrfProof });
    const revealTx = (await d.client.contract.queryFilter(d.client.contract.filters.Revealed(1n, s.address)))[0]!;
    const twoCalls = (await ethers.provider.getTransactionReceipt(revealTx.transactionHash))!.gasUsed + c.gasUsed;
    const afterTwo = [await d.client.getProposal(1n, s.address), await d.client.contract.blockBondOf(1n, s.address), await d.client.getHeight(1n)];
    await snap.restore();
    await nextTxAt(t.commitStart);
    const m = await d.client.connect(s.signer).revealAndCommitUnits({
      height: 1n, parent: p!.parent, newRoot: p!.block.newRoot, pubdata: p!.block.pubdata, salt: p!.block.salt,
      signatures: dummySignatures(p!.block.pubdata), intermediateRoots: roots, vrfProof: p!.vrfProof,
    });
    console.log(`      reveal + commitUnits ${twoCalls} gas, revealAndCommitUnits ${m.gasUsed} gas (${twoCalls - m.gasUsed} less)`);
    expect(twoCalls - m.gasUsed).to.be.greaterThan(20_000n);
    const proposal = await d.client.getProposal(1n, s.address);
    const bond = await d.client.contract.blockBondOf(1n, s.address);
    const height = await d.client.getHeight(1n);
    expect([proposal, bond, height]).to.deep.equal(afterTwo);
    expect(proposal.status).to.equal(ProposalStatus.Committed);
    expect(bond.bond).to.equal(d.config.proverDeposit);
    expect(bond.unitRootsHash).to.equal(keccak256(ethers.solidityPacked(["uint256[]"], [roots])));
    expect(height.winner).to.equal(s.address);
    // What unit provers read: the Revealed log, and the pubdata and signatures from the transaction's calldata.
    const logs = await d.client.contract.queryFilter(d.client.contract.filters.Revealed(1n, s.address));
    expect(logs.map((l) => [l.args.parent, l.args.newRoot, l.args.pubdataHash])).to.deep.equal([[0n, p!.block.newRoot, keccak256(p!.block.pubdata)]]);
    const rb = await d.client.revealedBlock(1n, s.address);
    expect([rb.pubdata, rb.signatures]).to.deep.equal([hexlify(p!.block.pubdata), hexlify(dummySignatures(p!.block.pubdata))]);
    const units = await d.client.contract.queryFilter(d.client.contract.filters.UnitsCommitted(1n, s.address));
    expect(units.map((l) => [...l.args.intermediateRoots])).to.deep.equal([roots]);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("refused outside the commit phase, for another block, by anyone but the proposer, with the wrong number of roots, after a reveal, and twice: nothing changes", async function () {
    const d = await networkHelpers.loadFixture(coopFixture);
    const [s, other] = [d.seqs[0]!, d.seqs[1]!];
    const [p] = await proposeAll(d, 1n, [s], { proverTip: 0n, proverRewardShareBps: 0n });
    const t = await d.client.timeline(1n);
    await nextTxAt(t.revealStart);
    await expect(mergedUnits(d, 1n, p!, roots)).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongPhase");
    await nextTxAt(t.commitStart);
    await expect(mergedUnits(d, 1n, p!, roots, { salt: ethers.hexlify(ethers.randomBytes(32)) })).to.be.revertedWithCustomError(d.rollup, "Rollup__CommitmentMismatch");
    await expect(mergedUnits(d, 1n, p!, roots, { parent: 5n })).to.be.revertedWithCustomError(d.rollup, "Rollup__ParentNotTip");
    await expect(mergedUnits(d, 1n, p!, roots, { from: other })).to.be.revertedWithCustomError(d.rollup, "Rollup__NoProposal").withArgs(1n, other.address);
    // A bad commit reverts the whole call: the reveal does not stay behind.
    await expect(mergedUnits(d, 1n, p!, [1n, 2n])).to.be.revertedWithCustomError(d.rollup, "Rollup__BadUnitRoots").withArgs(2n, 1n);
    expect((await d.client.getProposal(1n, s.address)).status).to.equal(ProposalStatus.Proposed);
    expect(await d.client.contract.queryFilter(d.client.contract.filters.Revealed(1n))).to.have.length(0);
    expect((await d.client.getHeight(1n)).winner).to.equal(ethers.ZeroAddress);
    expect(await d.client.contract.totalEscrowed()).to.equal(0n);
    await mergedUnits(d, 1n, p!, roots);
    expect((await d.client.getHeight(1n)).winner).to.equal(s.address);
    await expect(mergedUnits(d, 1n, p!, roots)).to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyRevealed");
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("a proposal revealed in the reveal phase cannot use it (AlreadyRevealed) and commits with commitUnits", async function () {
    const d = await networkHelpers.loadFixture(coopFixture);
    const s = d.seqs[0]!;
    const [p] = await proposeAll(d, 1n, [s], { proverTip: 0n, proverRewardShareBps: 0n });
    await revealAll(d, 1n, [p!]);
    await nextTxAt((await d.client.timeline(1n)).commitStart);
    await expect(mergedUnits(d, 1n, p!, roots)).to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyRevealed").withArgs(1n, s.address);
    await d.client.connect(s.signer).commitUnits({ height: 1n, intermediateRoots: roots, vrfProof: p!.vrfProof });
    expect((await d.client.getHeight(1n)).winner).to.equal(s.address);
  });

  it("refused on a Sidecar deployment (WrongDesign), before anything is revealed", async function () {
    const d = await networkHelpers.loadFixture(mergeFixture);
    const [p] = await proposeAll(d, 1n, [d.seqs[0]!]);
    await nextTxAt((await d.client.timeline(1n)).commitStart);
    await expect(mergedUnits(d, 1n, p!, [])).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongDesign");
    expect((await d.client.getProposal(1n, d.seqs[0]!.address)).status).to.equal(ProposalStatus.Proposed);
  });
});
