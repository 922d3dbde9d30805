/**
 * The proposal ring (issue 13): proposal records and Sidecar terms live in `height % RING` slots per sequencer, so
 * that a proposal overwrites an old record (5k gas a word) instead of writing fresh storage (22.1k). What the ring
 * must never do, each tried here against the real contracts (MockBlockVerifier stand-in for the proofs): overwrite
 * a record that still holds escrow or a live height, lose the parent root of the next proof, or pay an old
 * record's deposit a second time.
 */
import { PROPOSAL_RING } from "../../src/protocol.js";
import { expect } from "chai";
import { randomBytes } from "ethers";
import {
  deployFixture,
  ethers,
  networkHelpers,
  runHeight,
  proposeAll,
  revealAll,
  commitAll,
  endCommit,
  proofFor,
  proveAsOutsider,
  nextTxAt,
  booksBalance,
  makeBlock,
  best,
  vrfFor,
  ensureSeed,
  E18,
  type Deployment,
  type Proposed,
  type Sequencer,
} from "./helpers.js";
import { ProposalStatus, blockCommitment } from "../../src/client/index.js";

/** ProposalLib.RING (its TypeScript twin: the ring tests below hold them equal) */
const RING = PROPOSAL_RING;
/** RandomnessLib.SEED_RING */
const SEED_RING = 32n;

async function ringFixture(): Promise<Deployment> {
  // A long proving window lets a height stay pending through a whole turn of the ring; a long proposal phase
  // leaves room for the releases and proofs these tests send inside it.
  return deployFixture({ provingWindow: 2_000n, proposalBlocks: 12n });
}

const prove = proveAsOutsider;

/** Heights from..to with `seq` alone, each proven once decided. */
async function soloHeights(d: Deployment, from: bigint, to: bigint, seq: Sequencer): Promise<void> {
  for (let h = from; h <= to; h++) {
    const { winner } = await runHeight(d, h, [seq]);
    await endCommit(d, h);
    await prove(d, h, winner);
  }
}

/**
 * Heights `height` with `pair`: both propose and reveal, the better commits first (it leads: its commit checks its
 * VRF proof, whose hash to the curve varies in gas with the randomness), then the other (not leading: no VRF check,
 * but it writes its Sidecar terms all the same). Returns the second's gas per call; its escrow is released and the
 * winner proven once the height is decided.
 */
async function follower(d: Deployment, height: bigint, pair: [Sequencer, Sequencer]): Promise<{ propose: bigint; reveal: bigint; commit: bigint }> {
  const t = await d.client.timeline(height);
  const props = await proposeAll(d, height, pair);
  const lead = best(props);
  const other = props.find((p) => p !== lead)!;
  const gasOf = async (from: bigint, to: bigint): Promise<bigint> => {
    for (let b = from; b < to; b++) {
      const block = await ethers.provider.getBlock(Number(b), true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.from === other.seq.address && tx.to === d.client.address) return (await tx.wait())!.gasUsed;
      }
    }
    throw new Error(`no transaction of ${other.seq.address} in [${from}, ${to})`);
  };
  const propose = await gasOf(t.proposalStart, t.revealStart);
  await revealAll(d, height, props);
  const reveal = await gasOf(t.revealStart, t.commitStart);
  await commitAll(d, height, [lead, other]);
  const commit = await gasOf(t.commitStart, t.commitEnd);
  await endCommit(d, height);
  await prove(d, height, lead);
  await d.client.connect(d.outsider).release(height, other.seq.address);
  return { propose, reveal, commit };
}

describe("proposal ring (issue 13): records reused RING heights later, never while they hold anything", function () {
  this.timeout(300_000);

  it("a proposal RING heights later reuses its slot: propose, reveal and the commit's terms cost about 17k less a word; the old height's record reads as none", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    const s = d.seqs[0]!;
    const pair: [Sequencer, Sequencer] = [d.seqs[0]!, d.seqs[1]!];
    await soloHeights(d, 1n, 1n, s); // first-time writes of the chain, the ledger and the totals
    const fresh = await follower(d, 2n, pair);
    await soloHeights(d, 3n, RING + 1n, s);
    const reused = await follower(d, RING + 2n, pair);
    console.log(`      fresh slots (height 2): propose ${fresh.propose}, reveal ${fresh.reveal}, commit (not leading) ${fresh.commit}`);
    console.log(`      reused (height ${RING + 2n}): propose ${reused.propose}, reveal ${reused.reveal}, commit (not leading) ${reused.commit}`);
    // propose writes three words, reveal one (the new root), a commit one (the Sidecar terms).
    expect(fresh.propose - reused.propose).to.be.greaterThan(35_000n);
    expect(fresh.reveal - reused.reveal).to.be.greaterThan(15_000n);
    expect(fresh.commit - reused.commit).to.be.greaterThan(15_000n);
    // Height 2's slot now holds height RING + 2: height 2's record reads as none, its root as unknown (0), while
    // the heights still in the ring and the last finalized one read back.
    const old = await d.client.getProposal(2n, s.address);
    expect([old.status, old.vrfOutput, old.deposit]).to.deep.equal([ProposalStatus.None, 0n, 0n]);
    expect(await d.client.scoreOf(2n, s.address)).to.equal(0n);
    expect(await d.client.rootOf(2n)).to.equal(0n);
    expect((await d.client.getProposal(RING + 2n, s.address)).status).to.equal(ProposalStatus.Settled);
    const w18 = (await d.client.getHeight(RING + 2n)).winner;
    const i18 = pair.findIndex((q) => q.address === w18);
    expect(i18).to.be.greaterThanOrEqual(0);
    expect(await d.client.rootOf(RING + 2n)).to.equal(makeBlock(Number(RING + 2n) * 10 + i18).newRoot); // proposeAll's blocks
    expect(await d.client.lastFinalized()).to.equal(RING + 2n);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("a committed loser's escrow keeps its slot (ProposalSlotBusy) until it is released, and is refunded exactly once", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    const [a, b] = d.seqs as [Sequencer, Sequencer];
    const { props, winner } = await runHeight(d, 1n, [a, b]);
    const loser = props.find((p) => p !== winner)!;
    await endCommit(d, 1n);
    await prove(d, 1n, winner);
    expect((await d.client.getProposal(1n, loser.seq.address)).status).to.equal(ProposalStatus.Committed); // escrow held
    await soloHeights(d, 2n, RING, winner.seq);
    const h = RING + 1n; // the loser's slot of height 1
    const t = await d.client.timeline(h);
    await nextTxAt(t.proposalStart);
    const v = await vrfFor(d, loser.seq, h);
    const block = makeBlock(999);
    const commitment = blockCommitment({ proposer: loser.seq.address, height: h, parent: await d.client.chainTip(), newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
    const args = [h, v.proof, commitment, 1_000n, 2n * E18, 2_000n, v.randomness] as const;
    await expect(d.rollup.connect(loser.seq.signer).propose(...args))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__ProposalSlotBusy").withArgs(h, loser.seq.address, 1n);
    // Released: the tip and the deposit come back once, then the slot is free.
    const before = await d.client.claimable(loser.seq.address);
    await d.client.connect(d.outsider).release(1n, loser.seq.address);
    expect(await d.client.claimable(loser.seq.address)).to.equal(before + loser.proverTip + d.config.proverDeposit);
    await d.rollup.connect(loser.seq.signer).propose(...args);
    expect((await d.client.getProposal(h, loser.seq.address)).status).to.equal(ProposalStatus.Proposed);
    // The old height's record is gone with its slot: releasing it again is refused (nothing paid twice).
    await expect(d.rollup.connect(d.outsider).release(1n, loser.seq.address))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__NotReleasable").withArgs(1n, loser.seq.address);
    expect(await d.client.claimable(loser.seq.address)).to.equal(before + loser.proverTip + d.config.proverDeposit);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("a pending height's winner keeps its slot, and so does the last finalized one (the next proof's parent root) until something newer is final", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    const [w, x] = d.seqs as [Sequencer, Sequencer];
    const { winner: first } = await runHeight(d, 1n, [w]);
    await endCommit(d, 1n);
    // Heights 2..RING build on height 1 (pending, unproven) with the other sequencer.
    const later: Proposed[] = [];
    for (let h = 2n; h <= RING; h++) later.push((await runHeight(d, h, [x])).winner);
    const h = RING + 1n;
    const v = await vrfFor(d, w, h);
    await nextTxAt((await d.client.timeline(h)).proposalStart);
    const block = makeBlock(4242);
    const commitment = blockCommitment({ proposer: w.address, height: h, parent: await d.client.chainTip(), newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
    const args = [h, v.proof, commitment, 1_000n, 2n * E18, 2_000n, v.randomness] as const;
    await expect(d.rollup.connect(w.signer).propose(...args))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__ProposalSlotBusy").withArgs(h, w.address, 1n);
    // Height 1 proven and final: settled, but it is the last finalized height, the parent root of height 2's proof.
    await prove(d, 1n, first);
    expect(await d.client.lastFinalized()).to.equal(1n);
    await expect(d.rollup.connect(w.signer).propose(...args))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__ProposalSlotBusy").withArgs(h, w.address, 1n);
    expect(await d.client.rootOf(1n)).to.equal(first.block.newRoot);
    // Height 2 final: height 1's slot is free; height 2's proof used height 1's root, as recorded.
    await prove(d, 2n, later[0]!);
    expect(await d.client.lastFinalized()).to.equal(2n);
    await d.rollup.connect(w.signer).propose(...args);
    expect((await d.client.getProposal(h, w.address)).status).to.equal(ProposalStatus.Proposed);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("a reused slot never refunds the old record's deposit: a false claim in it is voided with nothing escrowed; an old false claim cannot be challenged once its slot is reused", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    // Height 1: the loser (the liar from here on) commits (tip and deposit escrowed), then releases them.
    const { props, winner } = await runHeight(d, 1n, [d.seqs[0]!, d.seqs[1]!]);
    const w = winner.seq;
    const liar = props.find((p) => p !== winner)!.seq;
    await endCommit(d, 1n);
    await prove(d, 1n, winner);
    await d.client.connect(d.outsider).release(1n, liar.address);
    const liarClaimable = await d.client.claimable(liar.address);
    // Height 2: the third sequencer makes a false claim nobody challenges in time (it does not lead: never verified).
    const oldLiar = d.seqs[2]!;
    const fake2: [bigint, bigint, bigint, bigint] = [BigInt(ethers.hexlify(randomBytes(31))), BigInt(ethers.hexlify(randomBytes(31))), 0n, 0n];
    await nextTxAt((await d.client.timeline(2n)).proposalStart);
    const b2 = makeBlock(222);
    await d.rollup.connect(oldLiar.signer).propose(2n, fake2, blockCommitment({ proposer: oldLiar.address, height: 2n, parent: 1n, newRoot: b2.newRoot, pubdata: b2.pubdata, salt: b2.salt }), 0, 0, 0, await d.client.randomnessOf(2n));
    await soloHeights(d, 2n, RING, w);
    // Height RING + 1 reuses the liar's height-1 slot (its terms still hold height 1's deposit): a false claim there
    // is voided with nothing refunded; only the slash moves.
    const h = RING + 1n;
    await nextTxAt((await d.client.timeline(h)).proposalStart);
    const fake: [bigint, bigint, bigint, bigint] = [BigInt(ethers.hexlify(randomBytes(31))), BigInt(ethers.hexlify(randomBytes(31))), 0n, 0n];
    const b = makeBlock(333);
    await d.rollup.connect(liar.signer).propose(h, fake, blockCommitment({ proposer: liar.address, height: h, parent: await d.client.chainTip(), newRoot: b.newRoot, pubdata: b.pubdata, salt: b.salt }), 0, 0, 0, await d.client.randomnessOf(h));
    expect((await d.client.getProposal(h, liar.address)).deposit).to.equal(0n); // the view hides the old terms
    const escrowed = await d.rollup.totalEscrowed();
    await expect(d.rollup.connect(d.outsider).challengeVrfClaim(h, liar.address, fake, liar.pk))
      .to.emit(d.rollup, "EscrowReleased").withArgs(h, liar.address, 0n, 0n);
    expect(await d.client.claimable(liar.address)).to.equal(liarClaimable);
    expect(await d.rollup.totalEscrowed()).to.equal(escrowed);
    // Height 2's false claim: its slot (height 2 % RING) is reused once its maker proposes at RING + 2. Until then
    // it could have been challenged (the agents do within the height); after, it is gone with its slot.
    const h2 = RING + 2n;
    await ensureSeed(d, h2); // nobody committed at RING + 1: record the seed in its window
    const v = await vrfFor(d, oldLiar, h2);
    await nextTxAt((await d.client.timeline(h2)).proposalStart);
    const b3 = makeBlock(444);
    await d.rollup.connect(oldLiar.signer).propose(h2, v.proof, blockCommitment({ proposer: oldLiar.address, height: h2, parent: await d.client.chainTip(), newRoot: b3.newRoot, pubdata: b3.pubdata, salt: b3.salt }), 0, 0, 0, v.randomness);
    await expect(d.rollup.connect(d.outsider).challengeVrfClaim(2n, oldLiar.address, fake2, oldLiar.pk))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(2n, oldLiar.address);
    const { held, owed } = await booksBalance(d);
    expect(held).to.equal(owed);
  });

  it("randomness lives in a ring of 32, every word written once at deployment: recording the first costs what a reused word does; getHeight(h).randomness of a forgotten height reads 0", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    const s = d.seqs[0]!;
    const recordGas = async (h: bigint): Promise<bigint> => {
      // Nobody commits at h - 1 (its first commit would record the randomness): anyone records it in the window.
      await nextTxAt(await d.client.seedWindowStart(h));
      const r = await d.client.connect(d.outsider).recordRandomness(h);
      expect((await d.client.getHeight(h)).seedSet).to.equal(true);
      return r.gasUsed;
    };
    const fresh = await recordGas(1n); // its word's first use; height -1 has no winner
    await soloHeights(d, 1n, SEED_RING - 2n, s); // each commit records the next randomness: the ring's words 2..30 fill
    // Heights SEED_RING - 1 and SEED_RING: nobody proposes (so height SEED_RING + 1 mixes in no winner's output, as
    // height 1 did), and nobody commits in SEED_RING's commit phase, height SEED_RING + 1's seed window.
    await recordGas(SEED_RING);
    const reused = await recordGas(SEED_RING + 1n); // word 1 again
    console.log(`      recordRandomness: first use of a word ${fresh}, reused word ${reused}`);
    // The constructor wrote the word (RandomnessLib.init): the first record overwrites it (5k), never a fresh 22.1k.
    // (Not to the gas: height -1's and height SEED_RING - 1's empty height records read differently, by about 200.)
    expect(Number(fresh - reused)).to.be.within(-1_000, 1_000);
    expect(fresh).to.be.lessThan(40_000n);
    expect((await d.client.getHeight(1n)).randomness).to.equal(0n); // forgotten: its word holds height 33's
    expect(await d.client.randomnessOf(1n)).to.equal(0n);
    expect((await d.client.getHeight(SEED_RING + 1n)).randomness).to.not.equal(0n);
  });

  it("a claim is judged against its stored randomness, even once height - 2's record left its ring; once the randomness word itself is reused it cannot be judged (VrfClaimNotChallengeable): an honest claim is never slashed for a forgotten input", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    const [w, x] = d.seqs as [Sequencer, Sequencer];
    await soloHeights(d, 1n, 2n, w);
    // Height 3: x proposes honestly (and does not reveal); w carries on alone.
    const [honest] = await proposeAll(d, 3n, [x]);
    await soloHeights(d, 3n, RING + 1n, w);
    // Height 3's randomness mixed in height 1's winner output when it was recorded. w's slot of height 1 is reused at
    // RING + 1, but the randomness was stored: the honest claim is still judged, and found valid.
    expect((await d.client.getProposal(1n, w.address)).status).to.equal(ProposalStatus.None);
    expect((await d.client.getProposal(3n, x.address)).status).to.equal(ProposalStatus.Proposed);
    const stake = await d.staking.stakeOf(x.address);
    const challenge = () => d.rollup.connect(d.outsider).challengeVrfClaim(3n, x.address, honest!.vrfProof, x.pk);
    await expect(challenge()).to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimValid").withArgs(3n, x.address);
    // Height SEED_RING + 2's commit records height SEED_RING + 3's randomness in height 3's word: now it is forgotten.
    await soloHeights(d, RING + 2n, SEED_RING + 2n, w);
    expect(await d.client.randomnessOf(3n)).to.equal(0n);
    await expect(challenge()).to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(3n, x.address);
    expect(await d.staking.stakeOf(x.address)).to.equal(stake);
  });

  it("a finished height's statement is refused once its winner's record or its parent's root left the ring (StatementForgotten): a reused slot cannot be turned against a posted proof", async function () {
    const d = await networkHelpers.loadFixture(ringFixture);
    const [w, x] = d.seqs as [Sequencer, Sequencer];
    // Winner's record: heights 1..RING + 1 by w alone; height RING + 1 reuses height 1's slot.
    await soloHeights(d, 1n, 1n, w);
    // Parent's record: heights 2..5 stay empty, height 6 (x) builds on height 1.
    const { winner: six } = await runHeight(d, 6n, [x]);
    await endCommit(d, 6n);
    await prove(d, 6n, six);
    expect((await d.client.getHeight(6n)).parent).to.equal(1n);
    expect(await d.client.lastFinalized()).to.equal(6n);
    const statementOf = (h: bigint, pubdata: string) => d.rollup.statementOf(h, pubdata, d.outsider.address);
    await statementOf(6n, six.block.pubdata); // held: the statement is made
    await soloHeights(d, 7n, RING + 1n, w);
    // Height 1's slot now holds height RING + 1 (revealed, so its first word is that block's pubdata hash): before the
    // check, statementOf(1, that pubdata) built a statement from the later block's words.
    const later = makeBlock(Number(RING + 1n) * 10);
    await expect(statementOf(1n, later.pubdata)).to.be.revertedWithCustomError(d.rollup, "Rollup__StatementForgotten").withArgs(1n);
    // Height 6's own record is held, its parent's (height 1) is not: no statement either (its parent root would read 0).
    await expect(statementOf(6n, six.block.pubdata)).to.be.revertedWithCustomError(d.rollup, "Rollup__StatementForgotten").withArgs(6n);
    // Heights whose records are held still have theirs.
    await statementOf(RING + 1n, later.pubdata);
  });
});
