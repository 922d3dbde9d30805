/**
 * Rollup lifecycle (Fernet + Sidecar) with the mock verifier and the real VRF (src/vrf): winners, refunds,
 * rewards, empty heights, missed and late proofs, reorgs, and every rejection with its named error.
 */
import { heightRandomness, recordedSeed } from "../../src/protocol.js";
import { expect } from "chai";
import {
  ethers,
  networkHelpers,
  defaultFixture,
  E18,
  nextTxAt,
  proposeAll,
  revealAll,
  commitAll,
  runHeight,
  endCommit,
  proofFor,
  best,
  booksBalance,
  vrfFor,
  ensureSeed,
  dummySignatures,
  makeBlock,
  mockProof,
  publicInputs,
  type Deployment,
  type Proposed,
} from "./helpers.js";
import { HeightStatus, ProposalStatus, RollupClientError, blockCommitment } from "../../src/client/index.js";
import { deployRollup } from "../../src/client/deploy.js";

async function expectBooksBalanced(d: Deployment): Promise<void> {
  const { held, owed } = await booksBalance(d);
  expect(held).to.equal(owed);
}

/** Views that a rejected call must leave untouched. */
async function snapshot(d: Deployment, height: bigint): Promise<unknown> {
  const props = await Promise.all(d.seqs.map((s) => d.client.getProposal(height, s.address)));
  return {
    height: await d.client.getHeight(height),
    props,
    tip: await d.client.chainTip(),
    fin: await d.client.lastFinalized(),
    escrow: await d.rollup.totalEscrowed(),
    claim: await d.rollup.totalClaimable(),
    pool: await d.rollup.rewardPool(),
    bal: await d.token.balanceOf(d.client.address),
  };
}

/** RewardsLib: FEE_SPLIT of the pot is burnt; proverRewardShare of the rest goes to the prover, the sequencer keeps the rest. */
function rewardSplit(d: Deployment, p: Proposed, fees: bigint) {
  const pot = d.config.blockReward + fees;
  const burnt = (pot * p.feeSplitBps) / 10_000n;
  const proverPot = ((pot - burnt) * p.proverRewardShareBps) / 10_000n;
  return { pot, burnt, proverPot, seqPot: pot - burnt - proverPot };
}

const BURN = "0x000000000000000000000000000000000000dEaD";

describe("Rollup: Fernet + Sidecar lifecycle", function () {
  it("runs several pipelined heights with 3 competing sequencers: highest score wins, losers refunded, rewards paid once", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const results: { props: Proposed[]; winner: Proposed }[] = [];
    for (const h of [1n, 2n, 3n]) {
      const r = await runHeight(d, h);
      await endCommit(d, h);
      const info = await d.client.getHeight(h);
      expect(info.winner).to.equal(r.winner.seq.address);
      expect(info.status).to.equal(HeightStatus.Pending);
      expect(info.parent).to.equal(h - 1n); // pipelining: built on the unproven previous height
      expect(await d.client.chainTip()).to.equal(h);
      expect(await d.client.rootOf(h)).to.equal(r.winner.block.newRoot);
      results.push(r);
    }
    expect(await d.client.lastFinalized()).to.equal(0n);
    expect(await d.client.pendingHeights()).to.deep.equal([1n, 2n, 3n]);

    // A prover can rebuild the winner's block from L1 logs alone.
    const rb = await d.client.revealedBlock(1n);
    expect(rb.sequencer).to.equal(results[0]!.winner.seq.address);
    expect(rb.pubdata).to.equal(results[0]!.winner.block.pubdata);
    expect(rb.newRoot).to.equal(results[0]!.winner.block.newRoot);
    expect(rb.parent).to.equal(0n);

    // The contract's public inputs are the ones the prover computes from L1 data.
    const w1 = results[0]!.winner;
    expect(await d.client.publicInputsOf(1n, w1.block.pubdata, d.outsider.address))
      .to.deep.equal(publicInputs(0x1234n, w1.block.newRoot, w1.block.pubdata, d.outsider.address, d.domain));
    expect(d.domain).to.equal((d.chainId << 160n) | BigInt(d.client.address));

    // Prove out of order: 2 first (proven, not final: its parent is not final), then 1 (both finalize).
    const sub = d.client.connect(d.outsider);
    await sub.submitProof({ height: 2n, proof: await proofFor(d, 2n, results[1]!.winner, d.outsider.address), pubdata: results[1]!.winner.block.pubdata, payee: d.outsider.address });
    // Waiting for its parent, height 2 keeps its submitter and fees (what its finalization will pay).
    const waiting = await d.client.getHeight(2n);
    expect([waiting.status, waiting.submitter, waiting.totalFees]).to.deep.equal([HeightStatus.Proven, d.outsider.address, results[1]!.winner.block.fee]);
    expect(await d.client.lastFinalized()).to.equal(0n);
    const poolBefore = await d.rollup.rewardPool();
    const rcpt = await sub.submitProof({ height: 1n, proof: await proofFor(d, 1n, results[0]!.winner, d.outsider.address), pubdata: results[0]!.winner.block.pubdata, payee: d.outsider.address });
    const finals = d.client.decodeEvents(rcpt).filter((e) => e.name === "HeightFinalized").map((e) => e.args.height as bigint);
    expect(finals).to.deep.equal([1n, 2n]);
    expect(await d.client.lastFinalized()).to.equal(2n);
    // Finalized: the record no longer keeps them (height 1 never stored them, height 2's were cleared); the
    // events carry the submitter.
    for (const h of [1n, 2n]) {
      const info = await d.client.getHeight(h);
      expect([info.status, info.submitter, info.totalFees]).to.deep.equal([HeightStatus.Finalized, ethers.ZeroAddress, 0n]);
      expect((await d.client.proofOf(h))!.submitter).to.equal(d.outsider.address);
    }
    const finalizedEvents = d.client.decodeEvents(rcpt).filter((e) => e.name === "HeightFinalized");
    expect(finalizedEvents.map((e) => e.args.submitter)).to.deep.equal([d.outsider.address, d.outsider.address]);
    expect((await d.client.getHeight(3n)).status).to.equal(HeightStatus.Pending);

    // Exact split of height 1 and 2: self-proving winners get tip + (pot - FEE_SPLIT burnt) + deposit back;
    // the burnt share is credited to the burn address; submitter 1e18 each.
    const fee = results[0]!.winner.block.fee;
    expect(await d.rollup.rewardPool()).to.equal(poolBefore - 2n * (d.config.submissionReward + d.config.blockReward + fee));
    expect(await d.client.claimable(d.outsider.address)).to.equal(2n * d.config.submissionReward);
    const owed = new Map<string, bigint>();
    let burnt = 0n;
    for (const r of results.slice(0, 2)) {
      const w = r.winner;
      const s = rewardSplit(d, w, w.block.fee);
      expect(s.burnt).to.be.greaterThan(0n);
      burnt += s.burnt;
      owed.set(w.seq.address, (owed.get(w.seq.address) ?? 0n) + w.proverTip + s.pot - s.burnt + d.config.proverDeposit);
    }
    for (const [addr, amount] of owed) expect(await d.client.claimable(addr)).to.equal(amount);
    expect(await d.client.claimable(BURN)).to.equal(burnt);
    expect(await d.rollup.totalBurnt()).to.equal(burnt);

    // A finalized height cannot be proven (or paid) twice.
    await expect(d.rollup.connect(d.outsider).submitProof(1n, await proofFor(d, 1n, results[0]!.winner, d.outsider.address), results[0]!.winner.block.pubdata, d.outsider.address))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyProven");

    // Losers: escrow refundable after the commit phase; the winner's is not.
    const r1 = results[0]!;
    for (const p of r1.props) {
      if (p === r1.winner) {
        await expect(d.rollup.release(1n, p.seq.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__NotReleasable");
        continue;
      }
      const before = await d.client.claimable(p.seq.address);
      await d.client.connect(d.outsider).release(1n, p.seq.address);
      expect(await d.client.claimable(p.seq.address)).to.equal(before + p.proverTip + d.config.proverDeposit);
      expect((await d.client.getProposal(1n, p.seq.address)).status).to.equal(ProposalStatus.Settled);
      await expect(d.rollup.release(1n, p.seq.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__NotReleasable");
    }
    await expectBooksBalanced(d);

    // Pull payment.
    const w = r1.winner.seq;
    const owedW = await d.client.claimable(w.address);
    const balBefore = await d.token.balanceOf(w.address);
    await d.client.connect(w.signer).claim();
    expect(await d.token.balanceOf(w.address)).to.equal(balBefore + owedW);
    await expect(d.rollup.connect(w.signer).claim()).to.be.revertedWithCustomError(d.rollup, "PullPayments__NothingToClaim");
    await expectBooksBalanced(d);
  });

  it("reports height and phase for L1 blocks", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const g = d.config.genesisBlock;
    expect(await d.client.clockAt(g - 1n)).to.deep.equal({ height: 0n, phase: 0 });
    expect(await d.client.clockAt(g)).to.deep.equal({ height: 1n, phase: 1 });
    expect(await d.client.clockAt(g + 6n)).to.deep.equal({ height: 1n, phase: 2 });
    expect(await d.client.clockAt(g + 12n)).to.deep.equal({ height: 1n, phase: 3 });
    expect(await d.client.clockAt(g + 18n)).to.deep.equal({ height: 2n, phase: 1 });
    expect(await d.client.phaseOf(1n, g + 18n)).to.equal(4); // Proving
    expect(await d.client.phaseOf(1n, g + 57n)).to.equal(4); // Proving (window 40)
    expect(await d.client.phaseOf(1n, g + 58n)).to.equal(5); // LateProving
    expect(await d.client.phaseOf(1n, g + 68n)).to.equal(6); // Expired
  });

  it("records each height's seed in its window (the commit phase of h - 1) and mixes in h - 2's winner output", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const { AbiCoder, keccak256 } = await import("ethers");
    // The top 224 bits (RandomnessLib keeps the height in the low 32 bits of the word).
    const mix = (h: bigint, seed: bigint, prev: bigint) =>
      BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256", "uint256", "uint256"], ["fernet-rollup/randomness", h, seed, prev]))) & ~0xffffffffn;
    // block.prevrandao is the block header's mixHash field after the merge.
    const prevrandao = async (blockNumber: number) =>
      BigInt(((await ethers.provider.send("eth_getBlockByNumber", ["0x" + blockNumber.toString(16), false])) as { mixHash: string }).mixHash);
    const t = await d.client.timeline(1n);
    const ws = await d.client.seedWindowStart(1n);
    expect(ws).to.equal(t.proposalStart - d.config.commitBlocks);
    expect(await d.client.randomnessOf(1n)).to.equal(0n); // nothing recorded yet
    await nextTxAt(ws);
    const rcpt = await d.client.connect(d.outsider).recordRandomness(1n);
    const seed1 = recordedSeed(await prevrandao(rcpt.blockNumber));
    const ev = d.client.decodeEvents(rcpt).find((e) => e.name === "RandomnessRecorded")!;
    expect(ev.args.randomness).to.equal(mix(1n, seed1, 0n));
    expect((await d.client.recordedRandomness(1n))!.seed).to.equal(seed1);
    const info = await d.client.getHeight(1n);
    expect(info.seedSet).to.equal(true);
    expect(info.randomness).to.equal(mix(1n, seed1, 0n));
    expect(await d.client.randomnessOf(1n)).to.equal(mix(1n, seed1, 0n));
    // A second call in the window is a no-op.
    const again = await d.client.connect(d.seqs[0]!.signer).recordRandomness(1n);
    expect(d.client.decodeEvents(again).filter((e) => e.name === "RandomnessRecorded")).to.have.length(0);
    expect((await d.client.getHeight(1n)).randomness).to.equal(mix(1n, seed1, 0n));
    const [p] = await proposeAll(d, 1n, [d.seqs[0]!]);
    await revealAll(d, 1n, [p!]);
    // The first commit of height 1 records height 2's seed (height 1's commit phase is height 2's seed window).
    expect((await d.client.getHeight(2n)).seedSet).to.equal(false);
    const t1 = await d.client.timeline(1n);
    expect(await d.client.seedWindowStart(2n)).to.equal(t1.commitStart);
    await nextTxAt(t1.commitStart);
    const c = await d.client.connect(p!.seq.signer).commitProver({ height: 1n, prover: p!.seq.address, vrfProof: p!.vrfProof });
    const seed2 = recordedSeed(await prevrandao(c.blockNumber));
    expect((await d.client.getHeight(2n)).randomness).to.equal(mix(2n, seed2, 0n));
    // Height 2's randomness mixes in height 0's winner output: none, so 0 (height 1's winner is decided inside
    // height 2's seed window and is not mixed in).
    await endCommit(d, 1n);
    expect((await d.client.getHeight(1n)).winner).to.equal(p!.seq.address);
    expect(await d.client.randomnessOf(2n)).to.equal(mix(2n, seed2, 0n));
    // Height 3's randomness mixes in height 1's winner output (not height 2's).
    const [q] = await proposeAll(d, 2n, [d.seqs[1]!]);
    await revealAll(d, 2n, [q!]);
    await nextTxAt((await d.client.timeline(2n)).commitStart);
    const c3 = await d.client.connect(q!.seq.signer).commitProver({ height: 2n, prover: q!.seq.address, vrfProof: q!.vrfProof });
    const seed3 = recordedSeed(await prevrandao(c3.blockNumber));
    expect((await d.client.recordedRandomness(3n))!.seed).to.equal(seed3);
    expect((await d.client.getHeight(3n)).randomness).to.equal(mix(3n, seed3, p!.output)); // fixed at the recording
    await endCommit(d, 2n);
    expect((await d.client.getHeight(2n)).winner).to.equal(q!.seq.address);
    expect(q!.output).to.not.equal(p!.output);
    expect(await d.client.randomnessOf(3n)).to.equal(mix(3n, seed3, p!.output));
  });

  it("a zero prevrandao is recorded as seed 2^32: the seed cannot look unrecorded and be drawn again by a later recorder", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    // A stored seed of 0 means "not recorded": were a zero prevrandao stored as is, anyone could record the height
    // again in a later block of the window and pick among several prevrandao values (a second draw).
    await nextTxAt(await d.client.seedWindowStart(1n));
    await networkHelpers.setPrevRandao(0n);
    const rcpt = await d.client.connect(d.outsider).recordRandomness(1n);
    expect(d.client.decodeEvents(rcpt).find((e) => e.name === "RandomnessRecorded")!.args.randomness).to.equal(heightRandomness(1n, 1n << 32n, 0n));
    expect((await d.client.recordedRandomness(1n))!.seed).to.equal(1n << 32n);
    expect(await d.client.getHeight(1n)).to.include({ randomness: heightRandomness(1n, 1n << 32n, 0n), seedSet: true });
    await networkHelpers.setPrevRandao(12345n);
    const again = await d.client.connect(d.seqs[0]!.signer).recordRandomness(1n);
    expect(d.client.decodeEvents(again).filter((e) => e.name === "RandomnessRecorded")).to.have.length(0);
    expect((await d.client.recordedRandomness(1n))!.seed).to.equal(1n << 32n);
    // The height is proposable on that seed.
    const [p] = await proposeAll(d, 1n, [d.seqs[0]!]);
    expect((await d.client.getProposal(1n, p!.seq.address)).status).to.equal(ProposalStatus.Proposed);
  });

  it("skips an empty height: the next height builds on the last tip", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    // Height 1: nobody proposes. Height 2: one sequencer proposes on genesis.
    const r = await runHeight(d, 2n, [d.seqs[0]!]);
    expect(r.props[0]!.parent).to.equal(0n);
    await endCommit(d, 2n);
    expect((await d.client.getHeight(1n)).status).to.equal(HeightStatus.None);
    expect(await d.client.chainTip()).to.equal(2n);
    await d.client.connect(d.outsider).submitProof({ height: 2n, proof: await proofFor(d, 2n, r.winner, d.outsider.address), pubdata: r.winner.block.pubdata, payee: d.outsider.address });
    expect(await d.client.lastFinalized()).to.equal(2n);
    await expectBooksBalanced(d);
  });

  it("leader never reveals: the best revealed proposal that commits wins, the silent one held nothing in escrow (a tip is escrowed at the commit)", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const props = await proposeAll(d, 1n, d.seqs);
    const leader = best(props);
    const rest = props.filter((p) => p !== leader);
    await revealAll(d, 1n, rest);
    await nextTxAt((await d.client.timeline(1n)).commitStart);
    await expect(d.rollup.connect(leader.seq.signer).commitProver(1n, leader.seq.address, "0x", leader.vrfProof))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__NotRevealed"); // cannot commit without a reveal
    await commitAll(d, 1n, rest);
    await endCommit(d, 1n);
    expect((await d.client.getHeight(1n)).winner).to.equal(best(rest).seq.address);
    expect(await d.rollup.totalEscrowed()).to.equal(d.config.proverDeposit * 2n + rest.reduce((a, p) => a + p.proverTip, 0n));
    await d.client.connect(d.outsider).release(1n, leader.seq.address);
    expect(await d.client.claimable(leader.seq.address)).to.equal(0n);
    expect((await d.client.getProposal(1n, leader.seq.address)).status).to.equal(ProposalStatus.Settled);
    await expectBooksBalanced(d);
  });

  it("leader never commits a prover: the next committed proposal takes the height", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const props = await proposeAll(d, 1n, d.seqs);
    await revealAll(d, 1n, props);
    const leader = best(props);
    const rest = props.filter((p) => p !== leader);
    await commitAll(d, 1n, rest);
    await endCommit(d, 1n);
    const info = await d.client.getHeight(1n);
    expect(info.winner).to.equal(best(rest).seq.address);
    expect(await d.client.scoreOf(1n, info.winner)).to.equal(best(rest).score);
    // Too late to commit now.
    await expect(d.rollup.connect(leader.seq.signer).commitProver(1n, leader.seq.address, "0x", leader.vrfProof))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__WrongPhase");
    await expectBooksBalanced(d);
  });

  it("a prover funds the deposit with its EIP-712 consent; prover and sequencer get their split", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const s = d.seqs[1]!;
    const [p] = await proposeAll(d, 1n, [s], { feeSplitBps: [3_000n], proverRewardShareBps: 2_000n });
    await revealAll(d, 1n, [p!]);
    const t = await d.client.timeline(1n);
    await nextTxAt(t.commitStart);
    // A signature by someone else is refused.
    const forged = await d.client.signProverCommitment(d.outsider, 1n, s.address);
    await expect(d.rollup.connect(s.signer).commitProver(1n, d.prover.address, forged, p!.vrfProof))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProverSignature").withArgs(d.prover.address);
    const sig = await d.client.signProverCommitment(d.prover, 1n, s.address);
    const proverBal = await d.token.balanceOf(d.prover.address);
    await d.client.connect(s.signer).commitProver({ height: 1n, prover: d.prover.address, proverSignature: sig, vrfProof: p!.vrfProof });
    expect(await d.token.balanceOf(d.prover.address)).to.equal(proverBal - d.config.proverDeposit);
    await endCommit(d, 1n);
    await d.client.connect(d.outsider).submitProof({ height: 1n, proof: await proofFor(d, 1n, p!, d.outsider.address), pubdata: p!.block.pubdata, payee: d.outsider.address });
    // FEE_SPLIT (30%) of the pot is burnt; the prover gets proverRewardShare (20%) of the rest.
    const { pot, burnt, proverPot, seqPot } = rewardSplit(d, p!, p!.block.fee);
    expect(burnt).to.equal((pot * 3_000n) / 10_000n);
    expect(proverPot).to.equal(((pot - burnt) * 2_000n) / 10_000n);
    expect(await d.client.claimable(BURN)).to.equal(burnt);
    expect(await d.client.claimable(d.prover.address)).to.equal(p!.proverTip + proverPot + d.config.proverDeposit);
    expect(await d.client.claimable(s.address)).to.equal(seqPot);
    await expectBooksBalanced(d);
  });

  it("missed proof: deposit slashed to the lost blocks' sequencers, descendants reorged, the chain resumes on the last proven state", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const [s0, s1, s2] = d.seqs as [typeof d.seqs[0], typeof d.seqs[0], typeof d.seqs[0]];
    const h1 = await runHeight(d, 1n, [s0]);
    const h2 = await runHeight(d, 2n, [s1]);
    await runHeight(d, 3n, [s2]);
    // Height 2 is proven, but its parent never is: it is lost anyway (and its prover keeps its deposit).
    await d.client.connect(d.outsider).submitProof({ height: 2n, proof: await proofFor(d, 2n, h2.winner, d.outsider.address), pubdata: h2.winner.block.pubdata, payee: d.outsider.address });
    expect((await d.client.getHeight(2n)).status).to.equal(HeightStatus.Proven);
    const t1 = await d.client.timeline(1n);
    expect((await d.client.timeline(3n)).commitStart).to.be.lessThan(t1.lateDeadline);

    // Too early: still in the late window.
    await expect(d.rollup.connect(d.outsider).triggerReorg(1n))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__ReorgNotAllowed").withArgs(1n, t1.lateDeadline);
    await nextTxAt(t1.lateDeadline);
    await expect(d.rollup.connect(d.outsider).triggerReorg(2n))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__NotFirstPending").withArgs(2n, 1n);
    const before = new Map<string, bigint>();
    for (const a of [s0.address, s1.address, s2.address, d.outsider.address]) before.set(a, await d.client.claimable(a));
    const pool = await d.rollup.rewardPool();
    const rcpt = await d.client.connect(d.outsider).triggerReorg(1n);

    const deposit = d.config.proverDeposit;
    const bounty = (deposit * d.config.reorgBountyBps) / 10_000n;
    const per = (deposit - bounty) / 2n;
    expect(await d.client.claimable(d.outsider.address)).to.equal(before.get(d.outsider.address)! + bounty);
    expect(await d.client.claimable(s0.address)).to.equal(before.get(s0.address)! + h1.winner.proverTip); // tip back, deposit slashed
    expect(await d.client.claimable(s1.address)).to.equal(before.get(s1.address)! + per + h2.winner.proverTip + deposit);
    expect(await d.client.claimable(s2.address)).to.be.greaterThan(before.get(s2.address)! + per);
    expect(await d.rollup.rewardPool()).to.equal(pool + (deposit - bounty - 2n * per));
    const ev = d.client.decodeEvents(rcpt).find((e) => e.name === "ChainReorged")!;
    expect(ev.args.lostDescendants).to.equal(2n);
    for (const h of [1n, 2n, 3n]) expect((await d.client.getHeight(h)).status).to.equal(HeightStatus.Reorged);
    expect(await d.client.chainTip()).to.equal(0n);
    expect(await d.client.lastFinalized()).to.equal(0n);
    expect(await d.client.pendingHeights()).to.deep.equal([]);
    await expect(d.rollup.submitProof(1n, await proofFor(d, 1n, h1.winner, d.outsider.address), h1.winner.block.pubdata, d.outsider.address))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__HeightReorged");
    await expectBooksBalanced(d);

    // Proposing resumes on the last proven state (genesis) and finalizes.
    const next = (await d.client.clockAt()).height + 1n;
    const h4 = await runHeight(d, next, [s0, s1]);
    expect(h4.winner.parent).to.equal(0n);
    await endCommit(d, next);
    await d.client.connect(d.outsider).submitProof({ height: next, proof: await proofFor(d, next, h4.winner, d.outsider.address), pubdata: h4.winner.block.pubdata, payee: d.outsider.address });
    expect(await d.client.lastFinalized()).to.equal(next);
    expect((await d.client.getHeight(next)).parent).to.equal(0n);
    await expectBooksBalanced(d);
  });

  it("missed proof: the culprit gets no share of its own slashed deposit for descendants it also won", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const s0 = d.seqs[0]!;
    const h1 = await runHeight(d, 1n, [s0]);
    const h2 = await runHeight(d, 2n, [s0]);
    await nextTxAt((await d.client.timeline(1n)).lateDeadline);
    const pool = await d.rollup.rewardPool();
    const before = await d.client.claimable(s0.address);
    await d.client.connect(d.outsider).triggerReorg(1n);
    const bounty = (d.config.proverDeposit * d.config.reorgBountyBps) / 10_000n;
    expect(await d.rollup.rewardPool()).to.equal(pool + d.config.proverDeposit - bounty);
    // Only refunds: both tips and the descendant's deposit; the missed deposit is gone.
    expect(await d.client.claimable(s0.address)).to.equal(before + h1.winner.proverTip + h2.winner.proverTip + d.config.proverDeposit);
    await expectBooksBalanced(d);
  });

  it("late proof by a third party: the rescuer takes the prover's reward and half the deposit, half is slashed", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const s = d.seqs[0]!;
    const { winner } = await runHeight(d, 1n, [s]);
    const t = await d.client.timeline(1n);
    await nextTxAt(t.provingDeadline);
    const pool = await d.rollup.rewardPool();
    await d.client.connect(d.outsider).submitProof({ height: 1n, proof: await proofFor(d, 1n, winner, d.outsider.address), pubdata: winner.block.pubdata, payee: d.outsider.address });
    const info = await d.client.getHeight(1n);
    expect(info.late).to.equal(true);
    expect(info.status).to.equal(HeightStatus.Finalized);
    const { pot, burnt, proverPot, seqPot } = rewardSplit(d, winner, winner.block.fee);
    expect(await d.client.claimable(BURN)).to.equal(burnt);
    const half = (d.config.proverDeposit * d.config.lateProverShareBps) / 10_000n;
    expect(await d.client.claimable(d.outsider.address)).to.equal(d.config.submissionReward + winner.proverTip + proverPot + half);
    expect(await d.client.claimable(s.address)).to.equal(seqPot);
    expect(await d.rollup.rewardPool()).to.equal(pool - d.config.submissionReward - pot + (d.config.proverDeposit - half));
    await expectBooksBalanced(d);
  });

  describe("rejections: named error and no state change", function () {
    it("invalid proof, wrong pubdata, undecided height", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const { winner } = await runHeight(d, 1n, [d.seqs[0]!]);
      const payee = d.outsider.address;
      const good = await proofFor(d, 1n, winner, payee);
      await expect(d.rollup.submitProof(1n, good, winner.block.pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__HeightNotDecided");
      await endCommit(d, 1n);
      const snap = await snapshot(d, 1n);
      const bad = [...good] as typeof good;
      bad[0] = bad[0] ^ 1n;
      await expect(d.rollup.connect(d.outsider).submitProof(1n, bad, winner.block.pubdata, payee))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProof").withArgs(1n);
      // A proof of other public inputs (wrong old root, another payee, another domain) is invalid too.
      const wrongRoot = mockProof(publicInputs(999n, winner.block.newRoot, winner.block.pubdata, payee, d.domain));
      await expect(d.rollup.submitProof(1n, wrongRoot, winner.block.pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProof");
      await expect(d.rollup.submitProof(1n, good, winner.block.pubdata, d.prover.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProof");
      const otherDomain = mockProof(publicInputs(0x1234n, winner.block.newRoot, winner.block.pubdata, payee, d.domain + 1n));
      await expect(d.rollup.submitProof(1n, otherDomain, winner.block.pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProof");
      await expect(d.rollup.submitProof(1n, good, winner.block.pubdata, ethers.ZeroAddress)).to.be.revertedWithCustomError(d.rollup, "Rollup__ZeroAddress");
      await expect(d.rollup.submitProof(1n, good, makeBlock(99).pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__PubdataMismatch");
      expect(await snapshot(d, 1n)).to.deep.equal(snap);
    });

    it("wrong VRF proof (signed for another height) cannot take the height", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const s = d.seqs[0]!;
      const t = await d.client.timeline(1n);
      await ensureSeed(d, 1n);
      await nextTxAt(t.proposalStart + 1n);
      const block = makeBlock(1);
      const wrong = await vrfFor(d, s, 2n); // right key, wrong message
      const randomness = await d.client.randomnessOf(1n);
      const commitment = blockCommitment({ proposer: s.address, height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
      await d.client.connect(s.signer).propose({ height: 1n, vrfProof: wrong.proof, commitment, feeSplitBps: 0n, proverTip: 0n, proverRewardShareBps: 0n, randomness });
      await nextTxAt(t.revealStart);
      await d.client.connect(s.signer).reveal({ height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt, signatures: dummySignatures(block.pubdata) });
      await nextTxAt(t.commitStart);
      const snap = await snapshot(d, 1n);
      await expect(d.rollup.connect(s.signer).commitProver(1n, s.address, "0x", wrong.proof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidVrfProof").withArgs(1n, s.address);
      // A valid proof that is not the one proposed (its output differs from the stored one) is refused too.
      const right = await vrfFor(d, s, 1n);
      await expect(d.rollup.connect(s.signer).commitProver(1n, s.address, "0x", right.proof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidVrfProof");
      expect(await snapshot(d, 1n)).to.deep.equal(snap);
    });

    it("reveal that does not match the commitment, or on a parent that is not the tip", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [p] = await proposeAll(d, 1n, [d.seqs[0]!]);
      const t = await d.client.timeline(1n);
      await nextTxAt(t.revealStart);
      const snap = await snapshot(d, 1n);
      const s = p!.seq.signer;
      const sigs = dummySignatures(p!.block.pubdata);
      await expect(d.rollup.connect(s).reveal(1n, 0n, p!.block.newRoot + 1n, p!.block.pubdata, p!.block.salt, sigs))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__CommitmentMismatch");
      await expect(d.rollup.connect(s).reveal(1n, 0n, p!.block.newRoot, makeBlock(5).pubdata, p!.block.salt, sigs))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__CommitmentMismatch");
      await expect(d.rollup.connect(s).reveal(1n, 3n, p!.block.newRoot, p!.block.pubdata, p!.block.salt, sigs))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__ParentNotTip").withArgs(3n, 0n);
      await expect(d.rollup.connect(s).reveal(1n, 0n, p!.block.newRoot, "0x1234", p!.block.salt, sigs))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__BadPubdataLength").withArgs(2n, 40n);
      await expect(d.rollup.connect(d.seqs[1]!.signer).reveal(1n, 0n, p!.block.newRoot, p!.block.pubdata, p!.block.salt, sigs))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__NoProposal");
      // The signatures must be 64 bytes per non-empty slot (one transfer here).
      await expect(d.rollup.connect(s).reveal(1n, 0n, p!.block.newRoot, p!.block.pubdata, p!.block.salt, "0x"))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__BadSignaturesLength").withArgs(0n, 64n);
      await expect(d.rollup.connect(s).reveal(1n, 0n, p!.block.newRoot, p!.block.pubdata, p!.block.salt, sigs + "00".repeat(64)))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__BadSignaturesLength").withArgs(128n, 64n);
      expect(await snapshot(d, 1n)).to.deep.equal(snap);
      await d.client.connect(s).reveal({ height: 1n, parent: 0n, newRoot: p!.block.newRoot, pubdata: p!.block.pubdata, salt: p!.block.salt, signatures: sigs });
      await expect(d.rollup.connect(s).reveal(1n, 0n, p!.block.newRoot, p!.block.pubdata, p!.block.salt, sigs))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyRevealed");
    });

    it("FEE_SPLIT out of range, double proposal, unstaked proposer, wrong phase", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const s = d.seqs[0]!;
      const t = await d.client.timeline(1n);
      const c = "0x" + "11".repeat(32);
      await expect(d.rollup.connect(s.signer).propose(1n, [1n, 2n, 0n, 0n], c, 0, 0, 0, 0n))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__WrongPhase").withArgs(1n, 1, 0);
      await ensureSeed(d, 1n);
      await nextTxAt(t.proposalStart + 1n);
      const { proof, randomness } = await vrfFor(d, s, 1n);
      const snap = await snapshot(d, 1n);
      await expect(d.rollup.connect(s.signer).propose(1n, proof, c, 10_001, 0, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__FeeSplitOutOfRange").withArgs(10_001n, 0n, 10_000n);
      await expect(d.rollup.connect(s.signer).propose(1n, proof, c, 0, 0, 10_001, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__ProverRewardShareOutOfRange");
      await expect(d.rollup.connect(s.signer).propose(1n, proof, "0x" + "00".repeat(32), 0, 0, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__EmptyCommitment");
      await expect(d.rollup.connect(d.outsider).propose(1n, proof, c, 0, 0, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__NotActiveSequencer").withArgs(d.outsider.address);
      expect(await snapshot(d, 1n)).to.deep.equal(snap);
      await d.rollup.connect(s.signer).propose(1n, proof, c, 500, E18, 0, randomness);
      const snap2 = await snapshot(d, 1n);
      await expect(d.rollup.connect(s.signer).propose(1n, proof, c, 500, E18, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__ProposalExists").withArgs(1n, s.address);
      expect(await snapshot(d, 1n)).to.deep.equal(snap2);
      // An exiting sequencer can no longer propose.
      await d.stakingClient.connect(d.seqs[1]!.signer).initiateExit();
      await expect(d.rollup.connect(d.seqs[1]!.signer).propose(1n, proof, c, 0, 0, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__NotActiveSequencer");
    });

    it("the client turns reverts into RollupClientError with the Solidity error name", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      try {
        await d.client.connect(d.outsider).triggerReorg(1n);
        expect.fail("should revert");
      } catch (err) {
        expect(err).to.be.instanceOf(RollupClientError);
        expect((err as RollupClientError).code).to.equal("CONTRACT_REVERT");
        expect((err as RollupClientError).errorName).to.equal("Rollup__NotFirstPending");
      }
    });
  });

  it("rejects a bad configuration", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const bad = { ...d.config, genesisBlock: 0n, slots: 0n };
    await expect(deployRollup((await ethers.getSigners())[0], bad, await d.staking.getAddress(), await d.verifier.getAddress()))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidConfig");
    // maxPendingHeights: 1..64.
    for (const maxPendingHeights of [0n, 65n]) {
      await expect(deployRollup((await ethers.getSigners())[0], { ...d.config, genesisBlock: 0n, maxPendingHeights }, await d.staking.getAddress(), await d.verifier.getAddress()))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidConfig").withArgs("maxPendingHeights");
    }
    // The default genesis block (0) is the deployment block + commitBlocks: height 1 has a whole seed window.
    const ok = await deployRollup((await ethers.getSigners())[0], { ...d.config, genesisBlock: 0n, maxPendingHeights: 64n }, await d.staking.getAddress(), await d.verifier.getAddress());
    const deployedAt = BigInt((await ok.deploymentTransaction()!.wait())!.blockNumber);
    expect((await ok.config()).genesisBlock).to.equal(deployedAt + d.config.commitBlocks);
    expect(await ok.seedWindowStart(1n)).to.equal(deployedAt);
    expect(await ok.activationCutoff(1n)).to.equal(deployedAt - d.config.keyActivationDelay);
  });
});
