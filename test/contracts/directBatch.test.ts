/**
 * `ProofAggregator.submitBatch`: proofs never posted, verified in one batched pairing check, their heights marked
 * proven as of the block the batch lands in. Contract logic with the verifier stand-ins (MockBlockVerifier /
 * MockBatchVerifier: proof[0] == keccak256(inputs)); the cryptography (copied proof with another payee, a batch
 * mixing a valid and an invalid proof) and the gas against `submitProof` with REAL proofs of the CI circuit (T=2,
 * D=8) and the generated BatchVerifier_T2_D8 / BlockVerifier_T2_D8.
 */
import { expect } from "chai";
import {
  ethers,
  networkHelpers,
  deployFixture,
  E18,
  SLOTS,
  nextTxAt,
  runHeight,
  endCommit,
  proofFor,
  mockProof,
  booksBalance,
  type Proposed,
} from "./helpers.js";
import { HeightStatus, RollupClientError, type ProofWords } from "../../src/client/index.js";
import { FIELD_P, rerandomizeProof } from "../../src/zk/batchVerify.js";
import { closeProver } from "../../src/zk/prover.js";
import { atOrigin, books, commitHeight, deployRealChain, proveBlocks, realBlocks, realGenesisRoot, type RealBlocks, type RealChain } from "./realChain.js";

const BURN = "0x000000000000000000000000000000000000dEaD";
const AGG_CONFIG = { postBond: 5n * E18, verifyWindow: 60n, batchReward: 2n * E18, batchRewardPerHeight: E18 };

/** The default deployment plus a ProofAggregator over a MockBatchVerifier, set on the Rollup. */
async function directFixture() {
  return directDeployment({ genesisBlock: BigInt(await ethers.provider.getBlockNumber()) + 60n });
}

/** A clock whose every length differs (the aggregator computes deadlines from all of them). */
async function oddClockFixture() {
  const genesisBlock = BigInt(await ethers.provider.getBlockNumber()) + 61n;
  return directDeployment({ genesisBlock, proposalBlocks: 5n, revealBlocks: 4n, commitBlocks: 7n, provingWindow: 23n, lateWindow: 9n });
}

async function directDeployment(config: Parameters<typeof deployFixture>[0]) {
  const d = await deployFixture(config);
  const batchVerifier = await ethers.deployContract("MockBatchVerifier", [5n + SLOTS]);
  const aggregator = await ethers.deployContract("ProofAggregator", [d.client.address, await batchVerifier.getAddress(), AGG_CONFIG]);
  const aggAddr = await aggregator.getAddress();
  await d.rollup.setAggregator(aggAddr);
  for (const s of [...d.seqs.map((x) => x.signer), d.prover, d.outsider]) await d.token.connect(s).approve(aggAddr, 2n ** 255n);
  return { ...d, aggregator, batchVerifier };
}
type Fx = Awaited<ReturnType<typeof directFixture>>;

/** Heights 1..n decided (one sequencer each, it names itself as prover); returns the winners. */
async function decided(d: Fx, n: number): Promise<Proposed[]> {
  const winners: Proposed[] = [];
  for (let h = 1n; h <= BigInt(n); h++) winners.push((await runHeight(d, h, [d.seqs[0]!])).winner);
  await endCommit(d, BigInt(n));
  return winners;
}

/** Everything a refused batch must leave unchanged. */
async function state(d: Fx, heights: bigint[]): Promise<string> {
  const s: unknown[] = [await d.client.lastFinalized(), await d.rollup.rewardPool(), await d.rollup.totalClaimable(), await d.aggregator.totalBonds()];
  for (const h of heights) s.push(await d.client.getHeight(h));
  for (const a of [d.prover, d.outsider, d.seqs[0]!.signer]) s.push(await d.client.claimable(a.address));
  return JSON.stringify(s, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

describe("ProofAggregator.submitBatch: never-posted proofs verified in one batch", function () {
  describe("contract logic (verifier stand-ins)", function () {
    it("submitBatch proves the heights as of this block: payees are the submitters, the ready prefix finalizes, no aggregation reward", async function () {
      const d = await networkHelpers.loadFixture(directFixture);
      const w = await decided(d, 2);
      const proofs = await Promise.all(w.map((p, i) => proofFor(d, BigInt(i + 1), p, d.prover.address)));
      const outsiderBefore = await d.client.claimable(d.outsider.address);
      const tx = d.aggregator.connect(d.outsider).submitBatch([1n, 2n], proofs, [d.prover.address, d.prover.address], w.map((p) => p.block.pubdata));
      await expect(tx).to.emit(d.aggregator, "BatchSubmitted").withArgs(d.outsider.address, 1n, 2n, 2n);
      await expect(tx).to.emit(d.rollup, "AggregationRewarded").withArgs(d.outsider.address, 2n, 0n);
      await expect(tx).to.not.emit(d.aggregator, "BatchVerified");
      const receipt = await (await tx).wait();
      const finalized = d.client.decodeEvents(receipt!).filter((e) => e.name === "HeightFinalized").map((e) => e.args.height as bigint);
      expect(finalized).to.deep.equal([1n, 2n]);
      for (const h of [1n, 2n]) {
        const info = await d.client.getHeight(h);
        expect(info.status).to.equal(HeightStatus.Finalized);
        expect((await d.client.proofOf(h))!.submitter).to.equal(d.prover.address);
        expect(info.submitter).to.equal(ethers.ZeroAddress); // finalized in the same call: not stored
        expect(info.late).to.equal(false);
      }
      // The sender is not the payee: it earned nothing (no aggregation reward).
      expect(await d.client.claimable(d.outsider.address)).to.equal(outsiderBefore);
      expect(await d.aggregator.totalClaimable()).to.equal(0n);
      const { held, owed } = await booksBalance(d);
      expect(held).to.equal(owed);
    });

    it("a batch of one earns exactly what submitProof earns (no reward to farm), for every account and the pool", async function () {
      const d = await networkHelpers.loadFixture(directFixture);
      const [w] = await decided(d, 1);
      const proof = await proofFor(d, 1n, w!, d.prover.address);
      const accounts = [d.prover, d.outsider, d.seqs[0]!.signer].map((s) => s.address);
      const look = async () => [await d.rollup.rewardPool(), ...(await Promise.all(accounts.map((a) => d.client.claimable(a))))];
      const fork = await networkHelpers.takeSnapshot();
      const before = await look();
      await d.aggregator.connect(d.prover).submitBatch([1n], [proof], [d.prover.address], [w!.block.pubdata]);
      const viaBatch = (await look()).map((x, i) => x - before[i]!);
      const viaBatchHeight = await d.client.getHeight(1n);
      const viaBatchProof = await d.client.proofOf(1n);
      await fork.restore();
      await d.rollup.connect(d.prover).submitProof(1n, proof, w!.block.pubdata, d.prover.address);
      const viaSubmit = (await look()).map((x, i) => x - before[i]!);
      expect(viaBatch).to.deep.equal(viaSubmit);
      expect(viaBatch[1]! > 0n).to.equal(true); // the payee was paid (submission reward at finalization)
      const viaSubmitHeight = await d.client.getHeight(1n);
      expect(viaBatchHeight).to.deep.equal(viaSubmitHeight);
      const viaSubmitProof = await d.client.proofOf(1n);
      expect([viaBatchProof!.submitter, viaBatchProof!.late]).to.deep.equal([viaSubmitProof!.submitter, viaSubmitProof!.late]);
      expect(viaSubmitProof!.submitter).to.equal(d.prover.address);
    });

    it("a batch around a height that waits (proven earlier, parent unproven) finalizes 1, 2, 3 in chain order and pays exactly what three submitProofs in order pay", async function () {
      const d = await networkHelpers.loadFixture(directFixture);
      const w = await decided(d, 3);
      const P = d.prover.address;
      const proofs = await Promise.all(w.map((p, i) => proofFor(d, BigInt(i + 1), p, P)));
      const pd = w.map((x) => x.block.pubdata);
      const accounts = [P, d.outsider.address, d.seqs[0]!.signer.address, BURN];
      const look = async () => [await d.rollup.rewardPool(), await d.rollup.totalEscrowed(), await d.rollup.totalClaimable(), await d.rollup.totalBurnt(), ...(await Promise.all(accounts.map((a) => d.client.claimable(a))))];
      const before = await look();
      const fork = await networkHelpers.takeSnapshot();
      // Height 2 first: it waits as Proven, with its submitter and fees kept.
      await d.rollup.connect(d.outsider).submitProof(2n, proofs[1]!, pd[1]!, P);
      const waiting = await d.client.getHeight(2n);
      expect([waiting.status, waiting.submitter]).to.deep.equal([HeightStatus.Proven, P]);
      const r = await (await d.aggregator.connect(d.outsider).submitBatch([1n, 3n], [proofs[0]!, proofs[2]!], [P, P], [pd[0]!, pd[2]!])).wait();
      const names = d.client.decodeEvents(r!).filter((e) => e.name === "HeightFinalized" || e.name === "ProofSubmitted").map((e) => `${e.name}(${e.args.height})`);
      expect(names).to.deep.equal(["ProofSubmitted(1)", "HeightFinalized(1)", "HeightFinalized(2)", "ProofSubmitted(3)", "HeightFinalized(3)"]);
      for (const h of [1n, 2n, 3n]) {
        const info = await d.client.getHeight(h);
        expect([info.status, info.submitter, info.totalFees]).to.deep.equal([HeightStatus.Finalized, ethers.ZeroAddress, 0n]);
      }
      expect(await d.client.lastFinalized()).to.equal(3n);
      const viaBatch = (await look()).map((x, i) => x - before[i]!);
      await fork.restore();
      for (const h of [1, 2, 3]) await d.rollup.connect(d.outsider).submitProof(BigInt(h), proofs[h - 1]!, pd[h - 1]!, P);
      const oneByOne = (await look()).map((x, i) => x - before[i]!);
      expect(viaBatch).to.deep.equal(oneByOne);
      expect(viaBatch[4]! > 0n && viaBatch[7]! > 0n).to.equal(true); // the payee and the burn address were credited
      const { held, owed } = await booksBalance(d);
      expect(held).to.equal(owed);
    });

    it("attack at the deadline's edge (odd clock): the aggregator's own deadline is the Rollup's; one block before it a direct batch lands on time despite a standing on-time post, at it the batch is refused", async function () {
      const d = await networkHelpers.loadFixture(oddClockFixture);
      const w = await decided(d, 2);
      const P = d.prover.address;
      const junk = mockProof([1n]);
      for (const h of [1n, 2n]) await d.aggregator.connect(d.seqs[1]!.signer).postProof(h, junk, P);
      const [t1, t2] = [await d.client.timeline(1n), await d.client.timeline(2n)];
      // Height 1: its last on-time block.
      await nextTxAt(t1.provingDeadline - 1n);
      await d.aggregator.connect(d.prover).submitBatch([1n], [await proofFor(d, 1n, w[0]!, P)], [P], [w[0]!.block.pubdata]);
      expect((await d.client.getHeight(1n)).late).to.equal(false);
      // Height 2: its first late block, the on-time post still standing.
      await nextTxAt(t2.provingDeadline);
      const p2 = await proofFor(d, 2n, w[1]!, P);
      await expect(d.aggregator.connect(d.prover).submitBatch([2n], [p2], [P], [w[1]!.block.pubdata]))
        .to.be.revertedWithCustomError(d.aggregator, "ProofAggregator__EarlierPostPending").withArgs(2n);
      // The junk posts were made on time: removing them brings each height's count back to zero (no underflow).
      for (const h of [1n, 2n]) {
        await d.aggregator.connect(d.outsider).challengePostedProof(h, junk, P, w[Number(h) - 1]!.block.pubdata);
        expect(await d.aggregator.onTimePosts(h)).to.equal(0n);
      }
      await d.aggregator.connect(d.prover).submitBatch([2n], [p2], [P], [w[1]!.block.pubdata]);
      expect((await d.client.getHeight(2n)).late).to.equal(true);
    });

    it("refuses empty, ragged, out-of-order or repeated heights, duplicated proofs, a zero payee, wrong pubdata, undecided and proven heights, with no state change", async function () {
      const d = await networkHelpers.loadFixture(directFixture);
      const w = await decided(d, 2);
      const P = d.prover.address;
      const p1 = await proofFor(d, 1n, w[0]!, P);
      const p2 = await proofFor(d, 2n, w[1]!, P);
      const pd = w.map((x) => x.block.pubdata);
      const agg = d.aggregator.connect(d.outsider);
      const before = await state(d, [1n, 2n]);
      await expect(agg.submitBatch([], [], [], [])).to.be.revertedWithCustomError(agg, "ProofAggregator__EmptyProofBatch");
      await expect(agg.submitBatch([1n, 2n], [p1], [P, P], pd)).to.be.revertedWithCustomError(agg, "ProofAggregator__BatchLengthMismatch").withArgs(2n, 1n, 2n);
      await expect(agg.submitBatch([1n, 2n], [p1, p2], [P], pd)).to.be.revertedWithCustomError(agg, "ProofAggregator__BatchLengthMismatch");
      await expect(agg.submitBatch([2n, 1n], [p2, p1], [P, P], [pd[1]!, pd[0]!])).to.be.revertedWithCustomError(agg, "ProofAggregator__HeightsOutOfOrder").withArgs(1n, 2n, 1n);
      await expect(agg.submitBatch([1n, 1n], [p1, p1], [P, P], [pd[0]!, pd[0]!])).to.be.revertedWithCustomError(agg, "ProofAggregator__HeightsOutOfOrder").withArgs(1n, 1n, 1n);
      await expect(agg.submitBatch([1n, 2n], [p1, p1], [P, P], pd)).to.be.revertedWithCustomError(agg, "ProofAggregator__DuplicateProofInBatch").withArgs(0n, 1n);
      await expect(agg.submitBatch([1n], [p1], [ethers.ZeroAddress], [pd[0]!])).to.be.revertedWithCustomError(agg, "ProofAggregator__ZeroAddress");
      await expect(agg.submitBatch([1n, 2n], [p1, p2], [P, P], [pd[0]!, pd[0]!])).to.be.revertedWithCustomError(d.rollup, "Rollup__PubdataMismatch").withArgs(2n);
      await expect(agg.submitBatch([1n, 3n], [p1, p2], [P, P], pd)).to.be.revertedWithCustomError(d.rollup, "Rollup__HeightNotDecided").withArgs(3n);
      // A valid proof next to one that fails: the whole batch reverts.
      await expect(agg.submitBatch([1n, 2n], [p1, mockProof([2n])], [P, P], pd)).to.be.revertedWithCustomError(agg, "ProofAggregator__InvalidProofBatch");
      expect(await state(d, [1n, 2n])).to.equal(before);
      // Height 1 proven meanwhile (submitProof): a batch still holding it reverts as a whole.
      await d.rollup.connect(d.prover).submitProof(1n, p1, pd[0]!, P);
      const afterSubmit = await state(d, [1n, 2n]);
      await expect(agg.submitBatch([1n, 2n], [p1, p2], [P, P], pd)).to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyProven").withArgs(1n);
      expect(await state(d, [1n, 2n])).to.equal(afterSubmit);
      expect((await d.client.getHeight(2n)).status).to.equal(HeightStatus.Pending);
    });

    it("Rollup.publicInputsOfBatch (the batch's statements in one call) is publicInputsOf of each height, row after row; ragged input and an unprovable height are refused", async function () {
      const d = await networkHelpers.loadFixture(directFixture);
      const w = await decided(d, 2);
      await networkHelpers.mine(); // a view runs in the latest block: height 2's commit phase must be over there too
      const [P, O] = [d.prover.address, d.outsider.address];
      const pd = w.map((x) => x.block.pubdata);
      const rows = [await d.rollup.publicInputsOf(1n, pd[0]!, P), await d.rollup.publicInputsOf(2n, pd[1]!, O)];
      expect(rows[0]!.length).to.equal(5 + Number(SLOTS));
      expect(rows[0]![3]).to.equal(BigInt(P)); // the payee is in its own row
      expect(await d.rollup.publicInputsOfBatch([1n, 2n], pd, [P, O])).to.deep.equal(rows.flat());
      expect(await d.rollup.publicInputsOfBatch([2n], [pd[1]!], [O])).to.deep.equal(rows[1]);
      expect(await d.rollup.publicInputsOfBatch([], [], [])).to.deep.equal([]);
      await expect(d.rollup.publicInputsOfBatch([1n, 2n], [pd[0]!], [P, P])).to.be.revertedWithCustomError(d.rollup, "Rollup__BatchLengthMismatch").withArgs(2n, 1n, 2n);
      await expect(d.rollup.publicInputsOfBatch([1n, 2n], pd.slice(0, 2), [P])).to.be.revertedWithCustomError(d.rollup, "Rollup__BatchLengthMismatch").withArgs(2n, 2n, 1n);
      await expect(d.rollup.publicInputsOfBatch([1n, 2n], [pd[0]!, pd[0]!], [P, P])).to.be.revertedWithCustomError(d.rollup, "Rollup__PubdataMismatch").withArgs(2n);
      await expect(d.rollup.publicInputsOfBatch([1n, 3n], [pd[0]!, pd[0]!], [P, P])).to.be.revertedWithCustomError(d.rollup, "Rollup__HeightNotDecided").withArgs(3n);
      await d.rollup.connect(d.prover).submitProof(1n, await proofFor(d, 1n, w[0]!, P), pd[0]!, P);
      await expect(d.rollup.publicInputsOfBatch([1n, 2n], pd.slice(0, 2), [P, P])).to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyProven").withArgs(1n);
    });

    it("a reorged height is refused (HeightReorged)", async function () {
      const d = await networkHelpers.loadFixture(directFixture);
      const [w] = await decided(d, 1);
      const proof = await proofFor(d, 1n, w!, d.prover.address);
      await nextTxAt((await d.client.timeline(1n)).lateDeadline);
      await d.rollup.connect(d.outsider).triggerReorg(1n);
      await expect(d.aggregator.submitBatch([1n], [proof], [d.prover.address], [w!.block.pubdata]))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__HeightReorged").withArgs(1n);
    });

    it("attack: a late direct batch is refused while an on-time post stands (EarlierPostPending); on time it is not; late once the post is gone, the payee is the rescuer", async function () {
      const d = await networkHelpers.loadFixture(directFixture);
      const w = await decided(d, 2);
      const P = d.prover.address;
      const O = d.outsider.address;
      const good2 = await proofFor(d, 2n, w[1]!, P);
      const junk = mockProof([1n]);
      // On-time posts of both heights (one of them junk): a direct batch before the deadline is not held off.
      await d.aggregator.connect(d.seqs[1]!.signer).postProof(1n, junk, P);
      await d.aggregator.connect(d.seqs[1]!.signer).postProof(2n, junk, P);
      expect(await d.aggregator.onTimePosts(2n)).to.equal(1n);
      await d.aggregator.connect(d.prover).submitBatch([2n], [good2], [P], [w[1]!.block.pubdata]);
      expect((await d.client.getHeight(2n)).late).to.equal(false);
      // Past the deadline: a rescuer's copy (paying itself) cannot jump the on-time post of height 1.
      await nextTxAt((await d.client.timeline(1n)).provingDeadline);
      const rescue = await proofFor(d, 1n, w[0]!, O);
      await expect(d.aggregator.connect(d.outsider).submitBatch([1n], [rescue], [O], [w[0]!.block.pubdata]))
        .to.be.revertedWithCustomError(d.aggregator, "ProofAggregator__EarlierPostPending").withArgs(1n);
      expect((await d.client.getHeight(1n)).status).to.equal(HeightStatus.Pending);
      // The on-time post is shown invalid and removed: now the late batch lands, late, its payee the rescuer.
      await d.aggregator.connect(d.outsider).challengePostedProof(1n, junk, P, w[0]!.block.pubdata);
      expect(await d.aggregator.onTimePosts(1n)).to.equal(0n);
      const tx = d.aggregator.connect(d.outsider).submitBatch([1n], [rescue], [O], [w[0]!.block.pubdata]);
      await expect(tx).to.emit(d.rollup, "LateProofSettled");
      const h1 = await d.client.getHeight(1n);
      expect(h1.late).to.equal(true);
      expect((await d.client.proofOf(1n))!.submitter).to.equal(O);
      expect(h1.status).to.equal(HeightStatus.Finalized);
    });
  });

  describe("real proofs (T=2, D=8) and the generated verifiers", function () {
    let chain: RealBlocks;
    let P: ProofWords[];
    let PROVER: string;
    let OUTSIDER: string;
    const conn = { ethers, networkHelpers };
    const item = (h: number, proof: ProofWords, payee = PROVER) => ({ height: BigInt(h), proof, payee, pubdata: chain.blocks[h - 1]!.pubdata });
    async function committed(n: number, opts: Parameters<typeof deployRealChain>[1] | object = {}): Promise<RealChain> {
      await atOrigin(conn);
      const c = await deployRealChain(conn, { genesisRoot: chain.genesisRoot, ...opts });
      for (let h = 1; h <= n; h++) await commitHeight(c, BigInt(h), chain.blocks[h - 1]!);
      return c;
    }

    before(async function () {
      await atOrigin(conn);
      const probe = await deployRealChain(conn, { genesisRoot: await realGenesisRoot() });
      PROVER = probe.prover.address;
      OUTSIDER = probe.outsider.address;
      chain = await realBlocks(9, probe.domain);
      P = await proveBlocks(chain.blocks, PROVER, (m) => console.log(`      ${m}`));
    });
    after(async function () {
      await closeProver();
    });

    it("an all-valid direct batch of real proofs finalizes the heights in order, on time, the payee as submitter", async function () {
      const c = await committed(3);
      const receipt = await c.agg.connect(c.outsider).submitBatch([1, 2, 3].map((h) => item(h, P[h - 1]!)));
      const finalized = c.client.decodeEvents(receipt).filter((e) => e.name === "HeightFinalized").map((e) => e.args.height as bigint);
      expect(finalized).to.deep.equal([1n, 2n, 3n]);
      for (let h = 1n; h <= 3n; h++) {
        const info = await c.client.getHeight(h);
        expect([info.status, info.late, (await c.client.proofOf(h))!.submitter]).to.deep.equal([HeightStatus.Finalized, false, PROVER]);
      }
      const b = await books(c);
      expect(b.rollupHeld).to.equal(b.rollupOwed);
      expect(b.aggHeld).to.equal(b.aggOwed);
    });

    it("attack: a copied proof with another payee fails the batch (the payee is a public input); the author's payee is still paid", async function () {
      const c = await committed(2);
      const before = JSON.stringify([await c.client.getHeight(1n), await c.client.getHeight(2n), await c.client.claimable(OUTSIDER)], (_, v) => (typeof v === "bigint" ? v.toString() : v));
      await expectRevert(c.agg.connect(c.outsider).submitBatch([item(1, P[0]!, OUTSIDER), item(2, P[1]!, OUTSIDER)]), "ProofAggregator__InvalidProofBatch");
      await expectRevert(c.agg.connect(c.outsider).submitBatch([item(1, P[0]!), item(2, P[1]!, OUTSIDER)]), "ProofAggregator__InvalidProofBatch");
      expect(JSON.stringify([await c.client.getHeight(1n), await c.client.getHeight(2n), await c.client.claimable(OUTSIDER)], (_, v) => (typeof v === "bigint" ? v.toString() : v))).to.equal(before);
      // The copier may still send the proofs as they are: the author (payee) is the submitter.
      await c.agg.connect(c.outsider).submitBatch([item(1, P[0]!), item(2, P[1]!)]);
      expect((await c.client.proofOf(1n))!.submitter).to.equal(PROVER);
    });

    it("attack: a batch mixing a valid and an invalid proof reverts and changes nothing", async function () {
      const c = await committed(2);
      const snap = async () => JSON.stringify([await c.client.getHeight(1n), await c.client.getHeight(2n), await c.client.lastFinalized(), await c.rollup.rewardPool(), await c.rollup.totalClaimable()], (_, v) => (typeof v === "bigint" ? v.toString() : v));
      const before = await snap();
      const bad: ProofWords[] = [
        [P[1]![0]!, (FIELD_P - P[1]![1]!) % FIELD_P, ...P[1]!.slice(2)] as ProofWords, // A negated: on the curve, wrong
        rerandomizeProof(P[0]!, 7n) as ProofWords, // block 1's proof (a distinct copy) for height 2
      ];
      for (const b of bad) await expectRevert(c.agg.connect(c.prover).submitBatch([item(1, P[0]!), item(2, b)]), "ProofAggregator__InvalidProofBatch");
      expect(await snap()).to.equal(before);
    });

    it("gas: submitBatch per height at n = 1, 2, 4, 8 against submitProof (T=2, same run)", async function () {
      this.timeout(600_000);
      // A long proving window keeps all nine heights on time; height 1 is proven first so that every account the
      // measured call credits already holds a balance (steady state, as in test/contracts/batchGas.ts).
      const cfg = { realBlockVerifier: true, config: { provingWindow: 400n } };
      const rows: string[] = [];
      const c0 = await committed(9, cfg);
      await c0.client.connect(c0.prover).submitProof({ height: 1n, proof: P[0]!, pubdata: chain.blocks[0]!.pubdata, payee: PROVER });
      const submitGas: number[] = [];
      for (let h = 2; h <= 9; h++) {
        const r = await c0.client.connect(c0.prover).submitProof({ height: BigInt(h), proof: P[h - 1]!, pubdata: chain.blocks[h - 1]!.pubdata, payee: PROVER });
        submitGas.push(Number(r.gasUsed));
        if (h === 3) await gasProfile("submitProof (steady state)", r.hash);
      }
      const submitAvg = Math.round(submitGas.reduce((a, b) => a + b, 0) / submitGas.length);
      rows.push(`submitProof: ${submitGas.join(", ")} (heights 2..9), mean ${submitAvg}`);
      const perHeight: number[] = [];
      for (const n of [1, 2, 4, 8]) {
        const c = await committed(n + 1, cfg);
        await c.client.connect(c.prover).submitProof({ height: 1n, proof: P[0]!, pubdata: chain.blocks[0]!.pubdata, payee: PROVER });
        const r = await c.agg.connect(c.prover).submitBatch(Array.from({ length: n }, (_, i) => item(i + 2, P[i + 1]!)));
        for (let h = 2; h <= n + 1; h++) expect((await c.client.getHeight(BigInt(h))).status).to.equal(HeightStatus.Finalized);
        const gas = Number(r.gasUsed);
        await gasProfile(`submitBatch n=${n}`, r.hash);
        perHeight.push(gas / n);
        rows.push(`submitBatch n=${n}: ${gas} gas, ${Math.round(gas / n)} per height (${((100 * gas) / n / submitAvg).toFixed(1)}% of submitProof)`);
      }
      console.log(rows.map((r) => `      ${r}`).join("\n"));
      // Batching must pay off from two proofs on, and keep paying off as n grows.
      expect(perHeight[1]!).to.be.lessThan(submitAvg);
      expect(perHeight[3]!).to.be.lessThan(perHeight[2]!);
      expect(perHeight[2]!).to.be.lessThan(perHeight[1]!);
    });

    /** With GAS_PROFILE=1: where the call's gas goes (bench/gasProfile.ts: opcode classes, storage writes, cold reads). */
    async function gasProfile(name: string, hash: string): Promise<void> {
      if (!process.env.GAS_PROFILE) return;
      const { profile, storageDetail } = await import("../../bench/gasProfile.js");
      console.log(`      profile ${name}: ${JSON.stringify(await profile(ethers.provider, hash))}`);
      console.log(`        ${(await storageDetail(ethers.provider, hash)).join("\n        ")}`);
    }

    async function expectRevert(p: Promise<unknown>, name: string): Promise<void> {
      try {
        await p;
      } catch (err) {
        expect(err, String(err)).to.be.instanceOf(RollupClientError);
        expect((err as RollupClientError).errorName, String(err)).to.equal(name);
        return;
      }
      expect.fail(`expected a revert with ${name}`);
    }
  });
});
