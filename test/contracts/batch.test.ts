/**
 * Posted proofs and batched verification on the Rollup (ProofAggregator + generated BatchVerifier_T2_D8), with
 * REAL L2 blocks (executeBlock on the rollup's genesis) and REAL Groth16 proofs of the CI circuit (T=2, D=8).
 * Three proofs are made once in `before` (blocks 1, 2 carry transfers; 3 and 4 are empty with the same statement,
 * so block 4's proof is block 3's re-randomized); other valid proofs are re-randomizations.
 */
import { expect } from "chai";
import { connection, ethers, networkHelpers } from "./helpers.js";
import { HeightStatus, RollupClientError, proofHash, type ProofWords } from "../../src/client/index.js";
import { FIELD_P, FIELD_R, findInvalid, rerandomizeProof, verifyBatch as tsVerifyBatch } from "../../src/zk/batchVerify.js";
import { closeProver } from "../../src/zk/prover.js";
import type { VerificationKey } from "../../src/zk/libs.js";
import { measureRollupBatchGas } from "./batchGas.js";
import {
  E18,
  TEST_AGGREGATOR,
  atOrigin,
  books,
  commitHeight,
  deployRealChain,
  inputsFor,
  loadVkey,
  nextTxAt,
  proveBlocks,
  realBlocks,
  realGenesisRoot,
  type RealBlocks,
  type RealChain,
} from "./realChain.js";

const conn = { ethers, networkHelpers };
let chain: RealBlocks;
let P: ProofWords[]; // P[i] proves block i + 1, paying PROVER
let Q1: ProofWords; // proves block 1, paying OUTSIDER
let vkey: VerificationKey;
/** The payees bound in the proofs: the addresses of RealChain's `prover` and `outsider` signers. */
let PROVER: string;
let OUTSIDER: string;

const pubdata = (h: number) => chain.blocks[h - 1]!.pubdata;
const inputs = (h: number) => inputsFor(chain.blocks[h - 1]!, PROVER);
const rr = (p: ProofWords, k: bigint) => rerandomizeProof(p, k) as ProofWords;
const item = (h: number, proof: ProofWords, payee = PROVER) => ({ height: BigInt(h), proof, payee, pubdata: pubdata(h) });

/** Expects a client call to revert with the named custom error. */
async function expectRevert(p: Promise<unknown>, name: string): Promise<RollupClientError> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(RollupClientError);
    expect((err as RollupClientError).errorName, String(err)).to.equal(name);
    return err as RollupClientError;
  }
  expect.fail(`expected a revert with ${name}`);
}

/** Everything a refused call must leave unchanged. */
async function snapshot(c: RealChain, heights: number[], posts: [number, ProofWords][]): Promise<string> {
  const s: unknown[] = [await c.client.lastFinalized(), await c.rollup.rewardPool(), await c.rollup.totalClaimable(), await c.aggregator.totalBonds(), await c.aggregator.totalClaimable()];
  for (const h of heights) s.push(await c.client.getHeight(BigInt(h)));
  for (const [h, p] of posts) s.push(await c.agg.postedProof(BigInt(h), proofHash(p, PROVER)));
  for (const a of [c.prover, c.outsider, c.seq.signer]) s.push(await c.client.claimable(a.address), await c.agg.claimable(a.address));
  return JSON.stringify(s, (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

/**
 * Runs `setup` from realChainOrigin, so that the Rollup has the domain the blocks were signed for. (Not through
 * loadFixture: a fixture cannot restore the origin inside itself, and restoring the origin drops later snapshots.)
 */
async function fromOrigin(setup: () => Promise<RealChain>): Promise<RealChain> {
  await atOrigin(conn);
  return setup();
}

async function committed2(): Promise<RealChain> {
  const c = await deployRealChain(conn, { genesisRoot: chain.genesisRoot });
  await commitHeight(c, 1n, chain.blocks[0]!);
  await commitHeight(c, 2n, chain.blocks[1]!);
  return c;
}

/** Heights 1-4 committed, each proof posted by `prover` right after its height is decided (all on time). */
async function posted4(): Promise<RealChain> {
  const c = await deployRealChain(conn, { genesisRoot: chain.genesisRoot });
  for (let h = 1; h <= 4; h++) {
    await commitHeight(c, BigInt(h), chain.blocks[h - 1]!);
    await c.agg.connect(c.prover).postProof(BigInt(h), P[h - 1]!, PROVER);
  }
  return c;
}

/** Height 2 reveals newRoot + 1: the real proof of block 2 then has one wrong public input. */
async function tampered2(): Promise<RealChain> {
  const c = await deployRealChain(conn, { genesisRoot: chain.genesisRoot });
  await commitHeight(c, 1n, chain.blocks[0]!);
  await commitHeight(c, 2n, chain.blocks[1]!, chain.blocks[1]!.newRoot + 1n);
  return c;
}

describe("ProofAggregator: posted proofs verified in batches on the Rollup (real T=2/D=8 proofs)", function () {
  before(async function () {
    // Every deployRealChain of the process gives the Rollup the same address (realChainOrigin): sign the blocks
    // for its l2Domain.
    await atOrigin(conn);
    const probe = await deployRealChain(conn, { genesisRoot: await realGenesisRoot() });
    PROVER = probe.prover.address;
    OUTSIDER = probe.outsider.address;
    chain = await realBlocks(5, probe.domain);
    vkey = await loadVkey();
    P = await proveBlocks(chain.blocks, PROVER, (m) => console.log(`      ${m}`));
    [Q1] = await proveBlocks(chain.blocks.slice(0, 1), OUTSIDER, (m) => console.log(`      ${m} (payee: outsider)`));
    expect(P[3]).to.not.deep.equal(P[2]); // block 4's proof is block 3's re-randomized
  });
  after(async function () {
    await closeProver();
  });

  it("an all-valid batch finalizes the heights in order; posted in time = on time even if verified after the deadline; bonds back; aggregator paid", async function () {
    const c = await fromOrigin(posted4);
    const t1 = await c.client.timeline(1n);
    expect(BigInt(await ethers.provider.getBlockNumber())).to.be.greaterThanOrEqual(t1.provingDeadline);
    const pool = await c.rollup.rewardPool();
    const before = await c.client.claimable(c.outsider.address);
    const receipt = await c.agg.connect(c.outsider).verifyBatch([1, 2, 3, 4].map((h) => item(h, P[h - 1]!)));
    const names = [...c.agg.decodeEvents(receipt), ...c.client.decodeEvents(receipt)].map((e) => e.name);
    expect(names.filter((n) => n === "PostedProofVerified")).to.have.length(4);
    expect(names.filter((n) => n === "HeightFinalized")).to.have.length(4);
    expect(names).to.include.members(["BatchVerified", "AggregationRewarded", "ProofSubmitted"]);
    expect(names).to.not.include("LateProofSettled");
    const finalized = c.client.decodeEvents(receipt).filter((e) => e.name === "HeightFinalized").map((e) => e.args.height as bigint);
    expect(finalized).to.deep.equal([1n, 2n, 3n, 4n]);
    expect(await c.client.lastFinalized()).to.equal(4n);
    for (let h = 1n; h <= 4n; h++) {
      const info = await c.client.getHeight(h);
      expect(info.status).to.equal(HeightStatus.Finalized);
      expect(info.late).to.equal(false);
      // The poster is the submitter (ProofSubmitted); finalized with its proof, the record keeps no submitter.
      expect((await c.client.proofOf(h))!.submitter).to.equal(c.prover.address);
      expect([info.submitter, info.totalFees]).to.deep.equal([ethers.ZeroAddress, 0n]);
      expect((await c.agg.postedProof(h, proofHash(P[Number(h) - 1]!, PROVER))).poster).to.equal(ethers.ZeroAddress);
    }
    const reward = TEST_AGGREGATOR.batchReward + 4n * TEST_AGGREGATOR.batchRewardPerHeight;
    expect(await c.client.claimable(c.outsider.address)).to.equal(before + reward);
    expect(await c.rollup.rewardPool()).to.be.lessThan(pool - reward);
    expect(await c.agg.claimable(c.prover.address)).to.equal(4n * TEST_AGGREGATOR.postBond);
    const bal = await c.token.balanceOf(c.prover.address);
    await c.agg.connect(c.prover).claim();
    expect(await c.token.balanceOf(c.prover.address)).to.equal(bal + 4n * TEST_AGGREGATOR.postBond);
    const b = await books(c);
    expect(b.rollupHeld).to.equal(b.rollupOwed);
    expect(b.aggHeld).to.equal(b.aggOwed);
  });

  it("a proof posted at or after the proving deadline is late: its payee is the rescuer", async function () {
    const c = await fromOrigin(committed2);
    await nextTxAt(conn, (await c.client.timeline(1n)).provingDeadline);
    await c.agg.connect(c.outsider).postProof(1n, Q1, OUTSIDER);
    await c.agg.connect(c.prover).postProof(2n, P[1]!, PROVER); // height 2's deadline is later: on time
    const receipt = await c.agg.connect(c.prover).verifyBatch([item(1, Q1, OUTSIDER), item(2, P[1]!)]);
    const h1 = await c.client.getHeight(1n);
    expect(h1.late).to.equal(true);
    expect((await c.client.proofOf(1n))).to.include({ submitter: c.outsider.address, late: true });
    expect((await c.client.getHeight(2n)).late).to.equal(false);
    const settled = c.client.decodeEvents(receipt).filter((e) => e.name === "LateProofSettled");
    expect(settled).to.have.length(1);
    expect(settled[0]!.args.rescuer).to.equal(c.outsider.address);
  });

  describe("a batch with one invalid proof reverts as a whole and changes nothing; the bad post is challenged", function () {
    const P2 = () => P[1]!;
    const cases: [string, () => ProofWords][] = [
      ["proof of another height (block 1's proof, re-randomized, posted for height 2)", () => rr(P[0]!, 99n)],
      ["malformed point (A.x = p)", () => [FIELD_P, ...P2().slice(1)] as ProofWords],
      ["G1 point not on the curve (C.y + 1)", () => [...P2().slice(0, 7), (P2()[7]! + 1n) % FIELD_P] as ProofWords],
      ["G2 point not on the twist (B.x.c0 + 1)", () => [P2()[0]!, P2()[1]!, P2()[2]!, (P2()[3]! + 1n) % FIELD_P, ...P2().slice(4)] as ProofWords],
      ["A at infinity", () => [0n, 0n, ...P2().slice(2)] as ProofWords],
    ];
    for (const [name, make] of cases) {
      it(name, async function () {
        const c = await fromOrigin(committed2);
        const bad = make();
        await c.agg.connect(c.prover).postProof(1n, P[0]!, PROVER);
        await c.agg.connect(c.outsider).postProof(2n, bad, PROVER);
        // What the aggregator checks off chain first: the TS twin finds exactly the bad one.
        expect(findInvalid(vkey, [P[0]!, bad], [inputs(1), inputs(2)])).to.deep.equal([1]);
        const snap = await snapshot(c, [1, 2], [[1, P[0]!], [2, bad]]);
        await expectRevert(c.agg.connect(c.prover).verifyBatch([item(1, P[0]!), item(2, bad)]), "ProofAggregator__InvalidProofBatch");
        expect(await snapshot(c, [1, 2], [[1, P[0]!], [2, bad]])).to.equal(snap);

        // The challenge removes it and pays its bond to the challenger.
        const receipt = await c.agg.connect(c.seq.signer).challengePostedProof(2n, bad, PROVER, pubdata(2));
        const ev = c.agg.decodeEvents(receipt).find((e) => e.name === "PostedProofRejected")!;
        expect(ev.args.poster).to.equal(c.outsider.address);
        expect(ev.args.challenger).to.equal(c.seq.signer.address);
        expect(await c.agg.claimable(c.seq.signer.address)).to.equal(TEST_AGGREGATOR.postBond);
        expect((await c.agg.postedProof(2n, proofHash(bad, PROVER))).poster).to.equal(ethers.ZeroAddress);
        await expectRevert(c.agg.connect(c.prover).verifyBatch([item(1, P[0]!), item(2, bad)]), "ProofAggregator__ProofNotPosted");

        // The honest proof next to it goes through.
        await c.agg.connect(c.prover).postProof(2n, P2(), PROVER);
        await c.agg.connect(c.prover).verifyBatch([item(1, P[0]!), item(2, P2())]);
        expect(await c.client.lastFinalized()).to.equal(2n);
        const b = await books(c);
        expect(b.aggHeld).to.equal(b.aggOwed);
        expect(b.rollupHeld).to.equal(b.rollupOwed);
      });
    }

    it("wrong public input (height 2 revealed newRoot + 1; the real proof of block 2 does not match)", async function () {
      const c = await fromOrigin(tampered2);
      await c.agg.connect(c.prover).postProof(1n, P[0]!, PROVER);
      await c.agg.connect(c.outsider).postProof(2n, P[1]!, PROVER);
      const onChain = await c.client.publicInputsOf(2n, pubdata(2), PROVER);
      expect(onChain[1]).to.equal(inputs(2)[1]! + 1n);
      expect(findInvalid(vkey, [P[0]!, P[1]!], [inputs(1), onChain])).to.deep.equal([1]);
      const snap = await snapshot(c, [1, 2], [[1, P[0]!], [2, P[1]!]]);
      await expectRevert(c.agg.connect(c.prover).verifyBatch([item(1, P[0]!), item(2, P[1]!)]), "ProofAggregator__InvalidProofBatch");
      expect(await snapshot(c, [1, 2], [[1, P[0]!], [2, P[1]!]])).to.equal(snap);
      await c.agg.connect(c.prover).challengePostedProof(2n, P[1]!, PROVER, pubdata(2));
      expect(await c.agg.claimable(c.prover.address)).to.equal(TEST_AGGREGATOR.postBond);
      // Height 1 alone still verifies.
      await c.agg.connect(c.prover).verifyBatch([item(1, P[0]!)]);
      expect(await c.client.lastFinalized()).to.equal(1n);
    });
  });

  it("challengePostedProof refuses a valid proof, wrong pubdata and unposted proofs", async function () {
    const c = await fromOrigin(committed2);
    await c.agg.connect(c.prover).postProof(1n, P[0]!, PROVER);
    const snap = await snapshot(c, [1, 2], [[1, P[0]!]]);
    await expectRevert(c.agg.connect(c.outsider).challengePostedProof(1n, P[0]!, PROVER, pubdata(1)), "ProofAggregator__PostedProofIsValid");
    // (blocks 1 and 2 carry the same transfers, hence the same pubdata: block 3's differs)
    await expectRevert(c.agg.connect(c.outsider).challengePostedProof(1n, P[0]!, PROVER, pubdata(3)), "Rollup__PubdataMismatch");
    await expectRevert(c.agg.connect(c.outsider).challengePostedProof(2n, P[1]!, PROVER, pubdata(2)), "ProofAggregator__ProofNotPosted");
    expect(await snapshot(c, [1, 2], [[1, P[0]!]])).to.equal(snap);
  });

  it("refuses duplicated proofs, out-of-order or repeated heights, unposted proofs, wrong pubdata, ragged input, with no state change", async function () {
    const c = await fromOrigin(posted4);
    const agg = c.agg.connect(c.outsider);
    // Blocks 3 and 4 have the same statement, so block 3's proof is valid for both: the batched check alone
    // would pass it twice. The contract refuses the duplicate by hash.
    await c.agg.connect(c.prover).postProof(4n, P[2]!, PROVER);
    expect(tsVerifyBatch(vkey, [P[2]!, P[2]!], [inputs(3), inputs(4)])).to.equal(true);
    const P3b = rr(P[2]!, 12345n);
    await c.agg.connect(c.outsider).postProof(3n, P3b, PROVER);
    const posts: [number, ProofWords][] = [[1, P[0]!], [2, P[1]!], [3, P[2]!], [3, P3b], [4, P[3]!], [4, P[2]!]];
    const snap = await snapshot(c, [1, 2, 3, 4], posts);

    let e = await expectRevert(agg.verifyBatch([item(1, P[0]!), item(2, P[1]!), item(3, P[2]!), item(4, P[2]!)]), "ProofAggregator__DuplicateProofInBatch");
    expect(e.errorArgs).to.deep.equal([2n, 3n]);
    e = await expectRevert(agg.verifyBatch([item(2, P[1]!), item(1, P[0]!)]), "ProofAggregator__HeightsOutOfOrder");
    expect(e.errorArgs).to.deep.equal([1n, 2n, 1n]);
    await expectRevert(agg.verifyBatch([item(3, P[2]!), item(3, P3b)]), "ProofAggregator__HeightsOutOfOrder");
    await expectRevert(agg.verifyBatch([item(1, rr(P[0]!, 777n))]), "ProofAggregator__ProofNotPosted");
    await expectRevert(agg.verifyBatch([item(2, P[0]!)]), "ProofAggregator__ProofNotPosted");
    await expectRevert(agg.verifyBatch([{ height: 1n, proof: P[0]!, payee: PROVER, pubdata: pubdata(3) }]), "Rollup__PubdataMismatch");
    // The payee is part of the posted proof's key: the same proof with another payee is not posted.
    await expectRevert(agg.verifyBatch([item(1, P[0]!, OUTSIDER)]), "ProofAggregator__ProofNotPosted");
    await expectRevert(agg.verifyBatch([]), "ProofAggregator__EmptyProofBatch");
    await expectRevert(send(c.aggregator.connect(c.outsider).verifyBatch([1n, 2n], [P[0]!], [PROVER, PROVER], [pubdata(1), pubdata(2)])), "ProofAggregator__BatchLengthMismatch");
    await expectRevert(c.agg.connect(c.prover).postProof(3n, P3b, PROVER), "ProofAggregator__ProofAlreadyPosted");
    await expectRevert(c.agg.connect(c.prover).postProof(1n, rr(P[0]!, 4n), PROVER), "ProofAggregator__PostingClosed"); // past height 1's late deadline
    expect(await snapshot(c, [1, 2, 3, 4], posts)).to.equal(snap);

    // Only the aggregator marks heights proven; the aggregator is set once, by the deployer.
    await expectRevert(send(c.rollup.connect(c.outsider).markProvenBatch([1n], [c.outsider.address], [1n], [0n], c.outsider.address, 0n)), "Rollup__Unauthorized");
    await expectRevert(c.client.connect(c.owner).setAggregator(c.outsider.address), "Rollup__AggregatorAlreadySet");
    await expectRevert(c.client.connect(c.outsider).setAggregator(c.outsider.address), "Rollup__Unauthorized");
    expect(await snapshot(c, [1, 2, 3, 4], posts)).to.equal(snap);

    // A post whose verify window is over can no longer be verified.
    const post1 = await c.agg.postedProof(1n, proofHash(P[0]!, PROVER));
    await nextTxAt(conn, post1.postedAt + TEST_AGGREGATOR.verifyWindow);
    await expectRevert(agg.verifyBatch([item(1, P[0]!)]), "ProofAggregator__PostExpired");
  });

  it("reorged heights are refused; a posted proof holds off the reorg for its verify window only; postProof windows", async function () {
    const c = await fromOrigin(committed2);
    const t1 = await c.client.timeline(1n);
    await expectRevert(c.agg.connect(c.prover).postProof(3n, P[2]!, PROVER), "ProofAggregator__PostingClosed"); // height 3 is empty
    const junk = rr(P[1]!, 5n); // a proof of block 2, posted for height 1: invalid
    await nextTxAt(conn, t1.provingDeadline);
    const junkAt = BigInt((await c.agg.connect(c.outsider).postProof(1n, junk, PROVER)).blockNumber);
    await nextTxAt(conn, t1.lateDeadline - 1n);
    await c.agg.connect(c.prover).postProof(2n, P[1]!, PROVER); // valid, but its parent 1 will never be proven
    const until = await c.agg.reorgBlockedUntil(1n);
    expect(until).to.equal(junkAt + TEST_AGGREGATOR.verifyWindow);
    await expectRevert(c.agg.connect(c.prover).postProof(1n, P[0]!, PROVER), "ProofAggregator__PostingClosed"); // from lateDeadline on
    const e = await expectRevert(c.client.connect(c.prover).triggerReorg(1n), "Rollup__ReorgNotAllowed");
    expect(e.errorArgs).to.deep.equal([1n, until]);
    await nextTxAt(conn, until);
    await c.client.connect(c.prover).triggerReorg(1n);
    expect((await c.client.getHeight(2n)).status).to.equal(HeightStatus.Reorged);

    const posts: [number, ProofWords][] = [[1, junk], [2, P[1]!]];
    const snap = await snapshot(c, [1, 2], posts);
    await expectRevert(c.agg.connect(c.prover).verifyBatch([item(2, P[1]!)]), "Rollup__HeightReorged");
    await expectRevert(c.agg.connect(c.prover).postProof(2n, rr(P[1]!, 6n), PROVER), "ProofAggregator__PostingClosed");
    expect(await snapshot(c, [1, 2], posts)).to.equal(snap);
    // The junk post on the reorged height can still be shown invalid (statementOf works for any decided height).
    await c.agg.connect(c.seq.signer).challengePostedProof(1n, junk, PROVER, pubdata(1));
    expect(await c.agg.claimable(c.seq.signer.address)).to.equal(TEST_AGGREGATOR.postBond);
    // The valid post of the reorged height 2 is refunded to its poster after its window.
    await nextTxAt(conn, (await c.agg.postedProof(2n, proofHash(P[1]!, PROVER))).postedAt + TEST_AGGREGATOR.verifyWindow);
    await c.agg.connect(c.outsider).reclaimBond(2n, proofHash(P[1]!, PROVER));
    expect(await c.agg.claimable(c.prover.address)).to.equal(TEST_AGGREGATOR.postBond);
  });

  it("reclaimBond refunds an unverified post only after its verify window", async function () {
    const c = await fromOrigin(committed2);
    const r = await c.agg.connect(c.outsider).postProof(1n, P[0]!, PROVER);
    const at = BigInt(r.blockNumber);
    const e = await expectRevert(c.agg.connect(c.prover).reclaimBond(1n, proofHash(P[0]!, PROVER)), "ProofAggregator__BondLocked");
    expect(e.errorArgs![2]).to.equal(at + TEST_AGGREGATOR.verifyWindow);
    await nextTxAt(conn, at + TEST_AGGREGATOR.verifyWindow);
    const receipt = await c.agg.connect(c.prover).reclaimBond(1n, proofHash(P[0]!, PROVER));
    expect(c.agg.decodeEvents(receipt).map((x) => x.name)).to.include("BondReclaimed");
    expect(await c.agg.claimable(c.outsider.address)).to.equal(TEST_AGGREGATOR.postBond);
    await expectRevert(c.agg.connect(c.prover).reclaimBond(1n, proofHash(P[0]!, PROVER)), "ProofAggregator__ProofNotPosted");
  });

  it("the client plans a batch: skips a junk post in favour of the valid one, reports the junk for a challenge", async function () {
    const c = await fromOrigin(committed2);
    const junk = rr(P[0]!, 31n); // block 1's proof posted for height 2: invalid
    await c.agg.connect(c.outsider).postProof(2n, junk, PROVER); // earlier than the valid post: the first candidate
    await c.agg.connect(c.prover).postProof(1n, P[0]!, PROVER);
    await c.agg.connect(c.prover).postProof(2n, P[1]!, PROVER);
    const client = c.client.connect(c.prover);
    const plan = await client.planBatch({ vkey });
    expect(plan.batch.map((b) => b.height)).to.deep.equal([1n, 2n]);
    expect(plan.batch[1]!.proofHash).to.equal(proofHash(P[1]!, PROVER));
    expect(plan.invalid.map((b) => [b.height, b.proofHash])).to.deep.equal([[2n, proofHash(junk, PROVER)]]);
    await client.verifyBatch(plan.batch);
    await client.challengePostedProof(plan.invalid[0]!.height, plan.invalid[0]!.proof, plan.invalid[0]!.payee, plan.invalid[0]!.pubdata);
    expect(await c.client.lastFinalized()).to.equal(2n);
    expect(await client.postedProofs()).to.deep.equal([]);
    await client.claimBonds();
    expect(await c.agg.claimable(c.prover.address)).to.equal(0n);
  });

  it("differential: the TS batch verifier and the contract agree on random valid and invalid batches", async function () {
    const c = await fromOrigin(committed2);
    let seed = 0x5eedn;
    const rand = (n: number) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return Number((seed >> 33n) % BigInt(n));
    };
    const statements = [0, 1, 2, 3].map((i) => inputs(i + 1));
    let valid = 0;
    let invalid = 0;
    for (let trial = 0; trial < 24; trial++) {
      const n = 1 + rand(4);
      const proofs: ProofWords[] = [];
      const ins: bigint[][] = [];
      for (let i = 0; i < n; i++) {
        const s = rand(4);
        proofs.push(rr(P[s]!, BigInt(2 + rand(1_000_000))));
        ins.push([...statements[s]!]);
      }
      if (trial % 3 !== 0) {
        const i = rand(n);
        switch (rand(6)) {
          case 0: ins[i]![rand(5)]! += 1n; break; // wrong public input
          case 1: proofs[i] = rr(P[(proofs.length + i) % 2]!, 3n); ins[i] = [...statements[(proofs.length + i + 1) % 2]!]; break; // another statement's proof
          case 2: proofs[i]![rand(8)] = FIELD_P + 1n; break; // coordinate >= p
          case 3: proofs[i]![6] = (proofs[i]![6]! + 1n) % FIELD_P; break; // C off the curve
          case 4: ins[i]![2] = FIELD_R; break; // input >= r
          default: proofs[i] = [...proofs[i]!.slice(6, 8), ...proofs[i]!.slice(2, 6), ...proofs[i]!.slice(0, 2)] as ProofWords; // A and C swapped
        }
      }
      const ts = tsVerifyBatch(vkey, proofs, ins);
      const sol = await c.batchVerifier.verifyBatch(proofs, ins.flat());
      expect(sol, `trial ${trial}`).to.equal(ts);
      if (ts) valid++;
      else invalid++;
    }
    expect(valid).to.be.greaterThan(3);
    expect(invalid).to.be.greaterThan(3);
  });

  it("full lifecycle with a real proof and the generated verifier: submitProof through BlockVerifier_T2_D8", async function () {
    await atOrigin(conn);
    const c = await deployRealChain(conn, { genesisRoot: chain.genesisRoot, realBlockVerifier: true });
    await commitHeight(c, 1n, chain.blocks[0]!);
    const s = c.client.connect(c.prover);
    await expectRevert(s.submitProof({ height: 1n, proof: P[1]!, pubdata: pubdata(1), payee: PROVER }), "Rollup__InvalidProof");
    await expectRevert(s.submitProof({ height: 1n, proof: [FIELD_P, ...P[0]!.slice(1)] as ProofWords, pubdata: pubdata(1), payee: PROVER }), "Rollup__InvalidProof");
    const receipt = await s.submitProof({ height: 1n, proof: P[0]!, pubdata: pubdata(1), payee: PROVER });
    console.log(`      submitProof with the real snarkjs verifier: ${receipt.gasUsed} gas`);
    expect(await c.client.lastFinalized()).to.equal(1n);
    expect((await c.client.proofOf(1n))!.submitter).to.equal(c.prover.address);
    // A posted proof for a proven height is refused at posting.
    await expectRevert(c.agg.connect(c.outsider).postProof(1n, rr(P[0]!, 9n), PROVER), "ProofAggregator__PostingClosed");
  });

  it("gas: verifyBatch per height at n = 1, 2, 4 (measureRollupBatchGas)", async function () {
    for (const warm of [true, false]) {
      const points = await measureRollupBatchGas(conn, [1, 2, 4], { chain, proofs: P, payee: PROVER }, warm);
      console.log(`      ${warm ? "steady state (accounts already credited once)" : "cold (every credit opens a storage slot)"}`);
      console.log("      n | verifyBatch gas | per height | postProof gas");
      for (const p of points) console.log(`      ${p.n} | ${p.gas} | ${p.perHeight} | ${p.postGas}`);
      expect(points[1]!.perHeight).to.be.lessThan(points[0]!.perHeight);
      expect(points[2]!.perHeight).to.be.lessThan(points[1]!.perHeight);
    }
  });
});

async function send(p: Promise<{ wait(): Promise<unknown> }>): Promise<unknown> {
  const { toClientError } = await import("../../src/client/index.js");
  try {
    return await (await p).wait();
  } catch (err) {
    throw toClientError(err);
  }
}
void connection;
void E18;
