/**
 * Security issue 10: every attack mounted on the real contracts, each shown NOT to profit. Mock block verifier
 * where the attack does not need a proof; real T=2/D=8 Groth16 proofs (realChain.ts) for the copied-proof attacks.
 */
import { recordedSeed } from "../../src/protocol.js";
import { expect } from "chai";
import { AbiCoder, MaxUint256, keccak256, randomBytes, toUtf8Bytes } from "ethers";
import {
  ethers,
  networkHelpers,
  deployFixture,
  defaultFixture,
  E18,
  nextTxAt,
  ensureSeed,
  proposeAll,
  revealAll,
  commitAll,
  runHeight,
  endCommit,
  proofFor,
  dummySignatures,
  makeBlock,
  vrfFor,
  best,
  type Deployment,
  type Proposed,
} from "./helpers.js";
import { P, vrfKeyFromSeed, vrfProve, vrfOutput, vrfVerify, popProve, publicKeyG1Of } from "../../src/vrf/index.js";
import { DEFAULT_STAKING, HeightStatus, ProposalStatus, Role, blockCommitment, fernetScore } from "../../src/client/index.js";
import { initL2 } from "../../src/l2/crypto.js";
import { stateFromGenesis } from "../../src/l2/state.js";
import { executeBlock } from "../../src/l2/block.js";
import { l2Domain } from "../../src/l2/transaction.js";
import { L2Error } from "../../src/l2/errors.js";
import { devGenesis, sampleTransfers } from "../../src/l2/sample.js";
import { rerandomizeProof } from "../../src/zk/batchVerify.js";
import { closeProver } from "../../src/zk/prover.js";
import type { ProofWords } from "../../src/client/index.js";
import {
  TEST_AGGREGATOR,
  atOrigin,
  commitHeight,
  deployRealChain,
  inputsFor,
  nextTxAt as realNextTxAt,
  proveBlocks,
  realBlocks,
  realGenesisRoot,
  type RealBlocks,
} from "./realChain.js";
import { deployRollup } from "../../src/client/deploy.js";

const BURN = "0x000000000000000000000000000000000000dEaD";
const conn = { ethers, networkHelpers };

/** Proposal phase long enough for key registrations and stakes next to the proposals. */
async function longProposalFixture(): Promise<Deployment> {
  return deployFixture({ proposalBlocks: 12n });
}

/** At most 3 unfinalized heights. */
async function smallPendingFixture(): Promise<Deployment> {
  return deployFixture({ maxPendingHeights: 3n });
}

/** A large vrfClaimSlash (above the stake): the slash is capped at the stake. */
async function bigSlashFixture(): Promise<Deployment> {
  return deployFixture({ vrfClaimSlash: 5_000n * E18 });
}

/**
 * randomnessOf(h) = the top 224 bits of keccak256(abi.encode("fernet-rollup/randomness", h, seed, VRF output of h - 2's
 * winner)), written out here rather than taken from src/protocol.ts, so that the attack tests do not trust the twin.
 */
function mix(height: bigint, seed: bigint, prevOutput: bigint): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256", "uint256", "uint256"], ["fernet-rollup/randomness", height, seed, prevOutput]))) & ~0xffffffffn;
}

/** A prevrandao value chosen by the test (an L1 proposer that knows it ahead). */
function prevrandao(label: string): bigint {
  return BigInt(keccak256(toUtf8Bytes(label)));
}

const keyHash = (pk: readonly bigint[]): string => keccak256(AbiCoder.defaultAbiCoder().encode(["uint256[4]"], [pk]));

/** `seq` proposes at `height` (in its proposal phase) with a random "proof" (no valid VRF proof): a false claim. */
async function proposeFalse(d: Deployment, seq: Deployment["seqs"][0], height: bigint, proverTip = 0n): Promise<[bigint, bigint, bigint, bigint]> {
  const fake: [bigint, bigint, bigint, bigint] = [BigInt(ethers.hexlify(randomBytes(31))), BigInt(ethers.hexlify(randomBytes(31))), 0n, 0n];
  const block = makeBlock(Number(height) * 100 + 7);
  const commitment = blockCommitment({ proposer: seq.address, height, parent: await d.client.chainTip(), newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
  await d.client.connect(seq.signer).propose({ height, vrfProof: fake, commitment, feeSplitBps: 0n, proverTip, proverRewardShareBps: 0n, randomness: await d.client.randomnessOf(height) });
  return fake;
}

async function register(d: Deployment, signer: Deployment["outsider"], seed: string): Promise<{ sk: bigint; pk: [bigint, bigint, bigint, bigint] }> {
  const { sk, pk } = vrfKeyFromSeed(seed);
  const pop = popProve(sk, { chainId: d.chainId, verifier: await d.staking.getAddress(), owner: signer.address });
  await d.staking.connect(signer).registerVrfKey(pk, publicKeyG1Of(sk), pop);
  return { sk, pk };
}

describe("Security issue 10: attacks on the contracts fail to profit", function () {
  describe("finding 2: VRF key grinding", function () {
    it("a key ground after the randomness is known is refused (StakeTooRecent); a proposal made before rotating cannot lead after; a fresh staker in the window is refused; a key registered before the cutoff counts", async function () {
      const d = await networkHelpers.loadFixture(longProposalFixture);
      const [honest, rotator, grinder] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0], Deployment["seqs"][0]];
      const windowStart = await d.client.seedWindowStart(1n);
      const cutoff = await d.client.activationCutoff(1n);
      expect(cutoff).to.equal(windowStart - d.config.keyActivationDelay);
      // The sequencers' keys were registered before the activation cutoff (positive control below).
      for (const s of d.seqs) expect(await d.staking.activeSince(s.address, Role.Sequencer)).to.be.lessThan(cutoff);
      await ensureSeed(d, 1n);
      const randomness = await d.client.randomnessOf(1n);
      expect(randomness).to.not.equal(0n);

      // The grinder tries 64 keys against the now-known randomness and keeps the best.
      const ctx = { chainId: d.chainId, verifier: d.client.address, randomness, height: 1n };
      const ground = Array.from({ length: 64 }, (_, i) => {
        const { sk } = vrfKeyFromSeed(`grind-${i}`);
        return { seed: `grind-${i}`, sk, output: vrfProve(sk, ctx).output };
      }).sort((a, b) => (a.output > b.output ? -1 : 1));
      const honestOutput = vrfProve(honest.sk, ctx).output;
      console.log(`      best of 64 ground outputs ${ground[0]!.output > honestOutput ? "beats" : "does not beat"} the honest key's output`);
      const g = await register(d, grinder.signer, ground[0]!.seed);
      const since = await d.staking.activeSince(grinder.address, Role.Sequencer);
      expect(since).to.be.greaterThanOrEqual(windowStart);

      // A fresh staker that stakes and registers inside the window.
      await d.token.connect(d.outsider).approve(await d.staking.getAddress(), DEFAULT_STAKING.minSequencerStake);
      await d.staking.connect(d.outsider).stake(Role.Sequencer, DEFAULT_STAKING.minSequencerStake);
      const f = await register(d, d.outsider, ground[2]!.seed);
      const fSince = await d.staking.activeSince(d.outsider.address, Role.Sequencer);

      // Proposal phase: the honest sequencer and the rotator (still with its old key) propose.
      const props = await proposeAll(d, 1n, [honest, rotator]);
      const block = makeBlock(77);
      const c = (who: string) => blockCommitment({ proposer: who, height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
      const gp = vrfProve(g.sk, ctx).proof;
      await expect(d.rollup.connect(grinder.signer).propose(1n, gp, c(grinder.address), 0, 0, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__StakeTooRecent").withArgs(grinder.address, since, cutoff);
      await expect(d.rollup.connect(d.outsider).propose(1n, vrfProve(f.sk, ctx).proof, c(d.outsider.address), 0, 0, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__StakeTooRecent").withArgs(d.outsider.address, fSince, cutoff);

      // The rotator swaps in a ground key after proposing: its proposal can no longer lead.
      await register(d, rotator.signer, ground[1]!.seed);
      await revealAll(d, 1n, props);
      await nextTxAt((await d.client.timeline(1n)).commitStart);
      const rp = props.find((p) => p.seq === rotator)!;
      const rSince = await d.staking.activeSince(rotator.address, Role.Sequencer);
      await expect(d.rollup.connect(rotator.signer).commitProver(1n, rotator.address, "0x", rp.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__StakeTooRecent").withArgs(rotator.address, rSince, cutoff);
      // Positive control: the key registered before the window counts and takes the height.
      const hp = props.find((p) => p.seq === honest)!;
      await d.client.connect(honest.signer).commitProver({ height: 1n, prover: honest.address, vrfProof: hp.vrfProof });
      await endCommit(d, 1n);
      expect((await d.client.getHeight(1n)).winner).to.equal(honest.address);
      // The ground key counts only from heights whose activation cutoff comes after its registration.
      expect(await d.client.activationCutoff(2n)).to.be.greaterThan(since);
    });
  });

  describe("finding 2 (review): the L1 proposer before the seed window", function () {
    it("knowing the window's first prevrandao, it grinds 64 keys and registers the best at seedWindowStart(h) - 1: StakeTooRecent, as for any key registered at a block >= activationCutoff(h); a key registered before the cutoff counts", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [honest, , grinder] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0], Deployment["seqs"][0]];
      const H = 3n; // far enough ahead for three fresh stakers to stake before its cutoff
      const ws = await d.client.seedWindowStart(H);
      const cutoff = await d.client.activationCutoff(H);
      expect(cutoff).to.equal(ws - d.config.keyActivationDelay);
      expect(d.config.keyActivationDelay).to.equal(4n);
      const stakingAddr = await d.staking.getAddress();
      const signers = await ethers.getSigners();
      const [early, atCutoff, inside] = [signers[6]!, signers[7]!, signers[8]!];
      const keys = new Map<string, { sk: bigint; pk: [bigint, bigint, bigint, bigint]; pop: [bigint, bigint] }>();
      for (const [i, s] of [early, atCutoff, inside].entries()) {
        await d.token.mint(s.address, 10_000n * E18);
        await d.token.connect(s).approve(stakingAddr, DEFAULT_STAKING.minSequencerStake);
        await d.staking.connect(s).stake(Role.Sequencer, DEFAULT_STAKING.minSequencerStake);
        const { sk, pk } = vrfKeyFromSeed(`fresh-${i}`);
        keys.set(s.address, { sk, pk, pop: popProve(sk, { chainId: d.chainId, verifier: stakingAddr, owner: s.address }) });
      }
      expect(BigInt(await ethers.provider.getBlockNumber())).to.be.lessThan(cutoff - 2n);
      // Keys registered one block before the cutoff, at the cutoff, and two blocks after it.
      const regAt = async (s: typeof early, block: bigint) => {
        await nextTxAt(block);
        const k = keys.get(s.address)!;
        const r = await (await d.staking.connect(s).registerVrfKey(k.pk, publicKeyG1Of(k.sk), k.pop)).wait();
        expect(BigInt(r!.blockNumber)).to.equal(block);
        expect(await d.staking.activeSince(s.address, Role.Sequencer)).to.equal(block);
      };
      await regAt(early, cutoff - 1n);
      await regAt(atCutoff, cutoff);
      await regAt(inside, cutoff + 2n);

      // The L1 proposer of block ws - 1 knows X, the prevrandao of block ws (the window's first block). Height
      // H - 2 has no winner, so it can compute randomnessOf(H) and grind keys against it.
      expect((await d.client.getHeight(H - 2n)).winner).to.equal(ethers.ZeroAddress);
      const X = prevrandao("prevrandao of the seed window's first block");
      const predicted = mix(H, recordedSeed(X), 0n);
      const ctx = { chainId: d.chainId, verifier: d.client.address, randomness: predicted, height: H };
      const ground = Array.from({ length: 64 }, (_, i) => {
        const { sk } = vrfKeyFromSeed(`l1-grind-${i}`);
        return { seed: `l1-grind-${i}`, sk, output: vrfProve(sk, ctx).output };
      }).sort((a, b) => (a.output > b.output ? -1 : 1));
      const honestOutput = vrfProve(honest.sk, ctx).output;
      console.log(`      best of 64 keys ground on the known prevrandao ${ground[0]!.output > honestOutput ? "beats" : "does not beat"} the honest key's output`);
      await nextTxAt(ws - 1n);
      const g = await register(d, grinder.signer, ground[0]!.seed); // its first rotation: allowed
      const since = await d.staking.activeSince(grinder.address, Role.Sequencer);
      expect(since).to.equal(ws - 1n);
      // Block ws gets the prevrandao the proposer knew; the seed is recorded there.
      await networkHelpers.setPrevRandao(X);
      const rec = await d.client.connect(d.outsider).recordRandomness(H);
      expect(BigInt(rec.blockNumber)).to.equal(ws);
      expect((await d.client.recordedRandomness(H))!.seed).to.equal(recordedSeed(X));
      expect(await d.client.randomnessOf(H)).to.equal(predicted); // it really knew the randomness

      // Proposal phase: the honest sequencer proposes; the ground key and every key registered at or after the
      // cutoff are refused; the key registered one block before the cutoff counts.
      await proposeAll(d, H, [honest]);
      const block = makeBlock(33);
      const c = (who: string) => blockCommitment({ proposer: who, height: H, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
      await expect(d.rollup.connect(grinder.signer).propose(H, vrfProve(g.sk, ctx).proof, c(grinder.address), 0, 0, 0, predicted))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__StakeTooRecent").withArgs(grinder.address, ws - 1n, cutoff);
      for (const [s, at] of [[atCutoff, cutoff], [inside, cutoff + 2n]] as const) {
        await expect(d.rollup.connect(s).propose(H, vrfProve(keys.get(s.address)!.sk, ctx).proof, c(s.address), 0, 0, 0, predicted))
          .to.be.revertedWithCustomError(d.rollup, "Rollup__StakeTooRecent").withArgs(s.address, at, cutoff);
      }
      expect((await d.client.getProposal(H, grinder.address)).status).to.equal(ProposalStatus.None);
      await d.rollup.connect(early).propose(H, vrfProve(keys.get(early.address)!.sk, ctx).proof, c(early.address), 0, 0, 0, predicted);
      expect((await d.client.getProposal(H, early.address)).status).to.equal(ProposalStatus.Proposed);
    });
  });

  describe("finding 5: randomness", function () {
    it("a recorded seed does not change with a reorg of h - 1 nor with a later recorder; recordRandomness outside the window reverts RandomnessWindowClosed", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [s0, s1] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0]];
      const t1 = await d.client.timeline(1n);
      // Too early for height 3 (its window is height 2's commit phase).
      const w3 = await d.client.seedWindowStart(3n);
      await expect(d.rollup.connect(d.outsider).recordRandomness(3n))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__RandomnessWindowClosed").withArgs(3n, w3, (await d.client.timeline(3n)).proposalStart);
      await expect(d.rollup.recordRandomness(0n)).to.be.revertedWithCustomError(d.rollup, "Rollup__RandomnessWindowClosed");
      const h1 = await runHeight(d, 1n, [s0]); // its first commit records height 2's seed
      const seed2 = (await d.client.getHeight(2n)).randomness;
      // Another recorder later in the window changes nothing.
      await d.client.connect(d.outsider).recordRandomness(2n);
      await d.client.connect(s1.signer).recordRandomness(2n);
      expect((await d.client.getHeight(2n)).randomness).to.equal(seed2);
      await endCommit(d, 1n);
      const r1 = await d.client.randomnessOf(1n);
      const r2 = await d.client.randomnessOf(2n);
      await runHeight(d, 2n, [s1]);
      // Too late for height 1.
      await expect(d.rollup.recordRandomness(1n))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__RandomnessWindowClosed").withArgs(1n, t1.proposalStart - d.config.commitBlocks, t1.proposalStart);
      // Height 1 is never proven: it and height 2 are reorged away. Their randomness stays what it was.
      await nextTxAt(t1.lateDeadline);
      await d.client.connect(d.outsider).triggerReorg(1n);
      expect((await d.client.getHeight(1n)).status).to.equal(HeightStatus.Reorged);
      expect(await d.client.randomnessOf(1n)).to.equal(r1);
      expect(await d.client.randomnessOf(2n)).to.equal(r2);
      expect(h1.winner.seq).to.equal(s0);
    });

    it("a height whose seed was never recorded cannot be proposed (RandomnessNotRecorded); a VRF proof over randomness 0 cannot take a height", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [s0, s1] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0]];
      const t1 = await d.client.timeline(1n);
      await nextTxAt(t1.proposalStart);
      expect((await d.client.getHeight(1n)).seedSet).to.equal(false);
      expect(await d.client.randomnessOf(1n)).to.equal(0n);
      const zeroProof = vrfProve(s0.sk, { chainId: d.chainId, verifier: d.client.address, randomness: 0n, height: 1n }).proof;
      await expect(d.rollup.connect(s0.signer).propose(1n, zeroProof, "0x" + "11".repeat(32), 0, 0, 0, 0n))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__RandomnessNotRecorded").withArgs(1n);
      await expect(d.rollup.recordRandomness(1n)).to.be.revertedWithCustomError(d.rollup, "Rollup__RandomnessWindowClosed");

      // Height 2: recorded. A proof over randomness 0 (precomputable before the seed) is refused at commit.
      await ensureSeed(d, 2n);
      const t2 = await d.client.timeline(2n);
      await nextTxAt(t2.proposalStart);
      const [honest] = await proposeAll(d, 2n, [s1]);
      const zero2 = vrfProve(s0.sk, { chainId: d.chainId, verifier: d.client.address, randomness: 0n, height: 2n });
      const block = makeBlock(5);
      const commitment = blockCommitment({ proposer: s0.address, height: 2n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
      // Declaring the randomness it really signed (0) is refused outright; declaring the height's passes propose.
      await expect(d.rollup.connect(s0.signer).propose(2n, zero2.proof, commitment, 0, 0, 0, 0n))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__RandomnessMismatch").withArgs(2n, 0n, await d.client.randomnessOf(2n));
      await d.client.connect(s0.signer).propose({ height: 2n, vrfProof: zero2.proof, commitment, feeSplitBps: 0n, proverTip: 0n, proverRewardShareBps: 0n, randomness: await d.client.randomnessOf(2n) });
      await nextTxAt(t2.revealStart);
      await d.client.connect(s0.signer).reveal({ height: 2n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt, signatures: dummySignatures(block.pubdata) });
      await revealAll(d, 2n, [honest!]);
      await nextTxAt(t2.commitStart);
      await expect(d.rollup.connect(s0.signer).commitProver(2n, s0.address, "0x", zero2.proof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidVrfProof").withArgs(2n, s0.address);
      await commitAll(d, 2n, [honest!]);
      await endCommit(d, 2n);
      expect((await d.client.getHeight(2n)).winner).to.equal(s1.address);
    });
  });

  describe("finding 5 (review): h - 2's winner and the bound randomness", function () {
    it("the randomness of h does not depend on which of h - 1's proposals wins (same seed, two winners), and it changes with h - 2's winner", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [s0, s1] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0]];
      const props = await proposeAll(d, 1n, [s0, s1]);
      await revealAll(d, 1n, props);
      const top = best(props);
      const other = props.find((p) => p !== top)!;
      expect(other.output).to.not.equal(top.output);
      // Height 2's seed is recorded in the first block of its window (height 1's commit phase), before any commit.
      const t1 = await d.client.timeline(1n);
      await nextTxAt(t1.commitStart);
      const X = prevrandao("seed of height 2");
      await networkHelpers.setPrevRandao(X);
      await d.client.connect(d.outsider).recordRandomness(2n);
      const r2 = await d.client.randomnessOf(2n);
      expect(r2).to.equal(mix(2n, recordedSeed(X), 0n)); // height 0 has no winner
      const fork = await networkHelpers.takeSnapshot();
      const Y = prevrandao("seed of height 3");
      const history = async (committers: Proposed[]) => {
        await commitAll(d, 1n, committers);
        await endCommit(d, 1n);
        const winner = (await d.client.getHeight(1n)).winner;
        const r2After = await d.client.randomnessOf(2n);
        // Height 3's seed gets the same prevrandao in both histories.
        await nextTxAt(await d.client.seedWindowStart(3n));
        await networkHelpers.setPrevRandao(Y);
        await d.client.connect(d.outsider).recordRandomness(3n);
        expect((await d.client.recordedRandomness(3n))!.seed).to.equal(recordedSeed(Y));
        return { winner, r2After, r3: await d.client.randomnessOf(3n) };
      };
      const a = await history([top, other]); // both commit: the best leads
      await fork.restore();
      const b = await history([other]); // the leader of height 1 declines: the other proposal wins
      expect(a.winner).to.equal(top.seq.address);
      expect(b.winner).to.equal(other.seq.address);
      // Height 2 (whose window saw height 1 decided): the same randomness whichever proposal won.
      expect(a.r2After).to.equal(r2);
      expect(b.r2After).to.equal(r2);
      // Height 3 mixes in height 1's winner output: a different winner, a different randomness.
      expect(a.r3).to.equal(mix(3n, recordedSeed(Y), top.output));
      expect(b.r3).to.equal(mix(3n, recordedSeed(Y), other.output));
      expect(a.r3).to.not.equal(b.r3);
    });

    it("an honest proposal replayed after an L1 reorg changed the seed reverts RandomnessMismatch, so it never lands as a slashable false claim", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const s0 = d.seqs[0]!;
      const H = 2n;
      const t = await d.client.timeline(H);
      await nextTxAt(await d.client.seedWindowStart(H));
      const fork = await networkHelpers.takeSnapshot(); // the last block both histories share
      // History 1: the seed is recorded with prevrandao X; the sequencer proves over it and proposes.
      await networkHelpers.setPrevRandao(prevrandao("history 1"));
      await d.client.connect(d.outsider).recordRandomness(H);
      const v = await vrfFor(d, s0, H);
      const rX = v.randomness;
      expect(rX).to.equal(await d.client.randomnessOf(H));
      const block = makeBlock(21);
      const commitment = blockCommitment({ proposer: s0.address, height: H, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
      const args = [H, v.proof, commitment, 1_000, E18, 2_000, rX] as const;
      await nextTxAt(t.proposalStart);
      await d.rollup.connect(s0.signer).propose(...args);
      expect((await d.client.getProposal(H, s0.address)).status).to.equal(ProposalStatus.Proposed);
      // L1 reorg: the recording block is replaced by one with another prevrandao.
      await fork.restore();
      expect((await d.client.getHeight(H)).seedSet).to.equal(false);
      await networkHelpers.setPrevRandao(prevrandao("history 2"));
      await d.client.connect(d.outsider).recordRandomness(H);
      const rY = await d.client.randomnessOf(H);
      expect(rY).to.not.equal(rX);
      // On this history the proof is not valid: had it landed, it would have been a false claim.
      const ctx = { chainId: d.chainId, verifier: d.client.address, height: H };
      expect(vrfVerify(s0.pk, { ...ctx, randomness: rX }, v.proof)).to.equal(true);
      expect(vrfVerify(s0.pk, { ...ctx, randomness: rY }, v.proof)).to.equal(false);
      // The same proposal replayed: refused, nothing lands, nothing to challenge, the stake is intact.
      await nextTxAt(t.proposalStart);
      const stake = await d.staking.stakeOf(s0.address);
      const escrow = await d.rollup.totalEscrowed();
      await expect(d.rollup.connect(s0.signer).propose(...args))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__RandomnessMismatch").withArgs(H, rX, rY);
      expect((await d.client.getProposal(H, s0.address)).status).to.equal(ProposalStatus.None);
      expect(await d.rollup.totalEscrowed()).to.equal(escrow);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(H, s0.address, v.proof, s0.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(H, s0.address);
      expect(await d.staking.stakeOf(s0.address)).to.equal(stake);
      // It proposes again over this history's randomness.
      const fresh = await vrfFor(d, s0, H);
      expect(fresh.randomness).to.equal(rY);
      await d.client.connect(s0.signer).propose({ height: H, vrfProof: fresh.proof, commitment, feeSplitBps: 1_000n, proverTip: E18, proverRewardShareBps: 2_000n, randomness: fresh.randomness });
      expect((await d.client.getProposal(H, s0.address)).status).to.equal(ProposalStatus.Proposed);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(H, s0.address, fresh.proof, s0.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimValid").withArgs(H, s0.address);
    });
  });

  describe("finding 8: false VRF claims", function () {
    it("a random vrfProof with a ground maximal output is challenged by anyone: slashed vrfClaimSlash, half to the challenger and half burnt, proposal void; valid claims and the winner cannot be challenged", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [s0, s1, liar] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0], Deployment["seqs"][0]];
      await ensureSeed(d, 1n);
      const props = await proposeAll(d, 1n, [s0, s1]);
      // The liar grinds random "proofs" (no key needed) until its claimed score tops the honest ones.
      const top = props.reduce((m, p) => (p.score > m ? p.score : m), 0n);
      let fake: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
      for (let i = 0; ; i++) {
        if (i === 100_000) throw new Error("no claim above the honest scores in 100000 tries");
        fake = [BigInt(ethers.hexlify(randomBytes(31))), BigInt(ethers.hexlify(randomBytes(31))), 0n, 0n];
        if (fernetScore(vrfOutput(fake), 10_000n) > top) break; // the largest FEE_SPLIT boost: always reachable
      }
      const block = makeBlock(9);
      const commitment = blockCommitment({ proposer: liar.address, height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
      await d.client.connect(liar.signer).propose({ height: 1n, vrfProof: fake, commitment, feeSplitBps: 10_000n, proverTip: 3n * E18, proverRewardShareBps: 0n, randomness: await d.client.randomnessOf(1n) });
      const liarScore = await d.client.scoreOf(1n, liar.address);
      for (const p of props) expect(liarScore).to.be.greaterThan(p.score); // honest proposals would defer to it
      const stake = await d.staking.stakeOf(liar.address);
      const challengerBal = await d.token.balanceOf(d.outsider.address);
      const burnBal = await d.token.balanceOf(BURN);
      const burntBefore = await d.rollup.totalBurnt();
      // Wrong proof (not the logged one), valid claims: refused.
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, liar.address, props[0]!.vrfProof, liar.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(1n, liar.address);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, s0.address, props[0]!.vrfProof, s0.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimValid").withArgs(1n, s0.address);
      // Gas starvation: with too little gas the pairing precompile call would fail and a valid claim would look
      // false; the challenge refuses to judge instead (the honest sequencer keeps its stake).
      const honestStake = await d.staking.stakeOf(s0.address);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, s0.address, props[0]!.vrfProof, s0.pk, { gasLimit: 250_000n }))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__ChallengeGasTooLow");
      expect(await d.staking.stakeOf(s0.address)).to.equal(honestStake);
      const rcpt = await d.client.connect(d.outsider).challengeVrfClaim(1n, liar.address, fake, liar.pk);
      const ev = d.client.decodeEvents(rcpt).find((e) => e.name === "VrfClaimChallenged")!;
      expect(ev.args.slashed).to.equal(d.config.vrfClaimSlash);
      const half = d.config.vrfClaimSlash / 2n;
      expect(await d.token.balanceOf(d.outsider.address)).to.equal(challengerBal + half);
      expect(await d.token.balanceOf(BURN)).to.equal(burnBal + (d.config.vrfClaimSlash - half));
      expect(await d.rollup.totalBurnt()).to.equal(burntBefore + (d.config.vrfClaimSlash - half));
      expect(await d.staking.stakeOf(liar.address)).to.equal(stake - d.config.vrfClaimSlash);
      expect((await d.client.getProposal(1n, liar.address)).status).to.equal(ProposalStatus.Settled);
      expect(await d.client.claimable(liar.address)).to.equal(0n); // nothing was escrowed: a tip is escrowed only at the commit
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, liar.address, fake, liar.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(1n, liar.address);
      // The void proposal can neither reveal nor commit.
      await revealAll(d, 1n, props);
      await expect(d.rollup.connect(liar.signer).reveal(1n, 0n, block.newRoot, block.pubdata, block.salt, dummySignatures(block.pubdata)))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyRevealed");
      await commitAll(d, 1n, props);
      await expect(d.rollup.connect(liar.signer).commitProver(1n, liar.address, "0x", fake))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__NotRevealed");
      await endCommit(d, 1n);
      const winner = (await d.client.getHeight(1n)).winner;
      expect([s0.address, s1.address]).to.include(winner);
      // The winner cannot be challenged, even after rotating its key: under its key at the cutoff its proof is
      // valid, under the new key (which its proof does not verify under) it is the winner and the key is not the
      // one at the cutoff.
      const w = d.seqs.find((s) => s.address === winner)!;
      const wp = props.find((p) => p.seq === w)!;
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, winner, wp.vrfProof, w.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimValid").withArgs(1n, winner);
      const rotated = await register(d, w.signer, "winner-rotated");
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, winner, wp.vrfProof, w.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimValid").withArgs(1n, winner);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, winner, wp.vrfProof, rotated.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(1n, winner);
      const { held, owed } = { held: await d.token.balanceOf(d.client.address), owed: (await d.rollup.totalEscrowed()) + (await d.rollup.totalClaimable()) + (await d.rollup.rewardPool()) };
      expect(held).to.equal(owed);
    });
  });

  describe("finding 8 (review): dodging the slash", function () {
    it("a false claimer that rotates its key or initiates exit right after proposing is still slashed under its key at the cutoff; a second rotation within exitDelay reverts KeyRotationTooSoon; a pk other than the key at the cutoff reverts VrfClaimNotChallengeable", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [honest, rotator, exiter] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0], Deployment["seqs"][0]];
      const [hp] = await proposeAll(d, 1n, [honest]);
      const fakeR = await proposeFalse(d, rotator, 1n, E18);
      const fakeE = await proposeFalse(d, exiter, 1n, E18);
      // Right after proposing: the rotator rotates its key (its first rotation: allowed), the exiter exits.
      const newKey = await register(d, rotator.signer, "rotator-new");
      const rotatedAt = (await d.staking.stakerOf(rotator.address)).keyFrom;
      const { sk: sk2, pk: pk2 } = vrfKeyFromSeed("rotator-newer");
      await expect(d.staking.connect(rotator.signer).registerVrfKey(pk2, publicKeyG1Of(sk2), popProve(sk2, { chainId: d.chainId, verifier: await d.staking.getAddress(), owner: rotator.address })))
        .to.be.revertedWithCustomError(d.staking, "Staking__KeyRotationTooSoon").withArgs(rotatedAt + DEFAULT_STAKING.exitDelay);
      expect(await d.staking.vrfKeyOf(rotator.address)).to.deep.equal(newKey.pk);
      await d.stakingClient.connect(exiter.signer).initiateExit();
      expect(await d.staking.activeSince(exiter.address, Role.Sequencer)).to.equal(MaxUint256);
      const cutoff = await d.client.activationCutoff(1n);
      expect(await d.staking.keyHashAt(rotator.address, cutoff)).to.equal(keyHash(rotator.pk));
      expect(await d.staking.keyHashAt(exiter.address, cutoff)).to.equal(keyHash(exiter.pk));
      // A pk that is not the key at the cutoff: refused (the rotator's new key, another sequencer's key, and for an
      // honest claim, a key its proof does not verify under).
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, rotator.address, fakeR, newKey.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(1n, rotator.address);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, rotator.address, fakeR, honest.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(1n, rotator.address);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, honest.address, hp!.vrfProof, rotator.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(1n, honest.address);
      // Under the key at the cutoff: both slashed, half to the challenger, half burnt; tips refunded.
      const half = d.config.vrfClaimSlash / 2n;
      for (const [seq, fake] of [[rotator, fakeR], [exiter, fakeE]] as const) {
        const stake = await d.staking.stakeOf(seq.address);
        const [challengerBal, burnBal, burnt] = [await d.token.balanceOf(d.outsider.address), await d.token.balanceOf(BURN), await d.rollup.totalBurnt()];
        const rcpt = await d.client.connect(d.outsider).challengeVrfClaim(1n, seq.address, fake, seq.pk);
        const ev = d.client.decodeEvents(rcpt).find((e) => e.name === "VrfClaimChallenged")!;
        expect([ev.args.height, ev.args.sequencer, ev.args.challenger, ev.args.slashed]).to.deep.equal([1n, seq.address, d.outsider.address, d.config.vrfClaimSlash]);
        expect(await d.staking.stakeOf(seq.address)).to.equal(stake - d.config.vrfClaimSlash);
        expect(await d.token.balanceOf(d.outsider.address)).to.equal(challengerBal + half);
        expect(await d.token.balanceOf(BURN)).to.equal(burnBal + d.config.vrfClaimSlash - half);
        expect(await d.rollup.totalBurnt()).to.equal(burnt + d.config.vrfClaimSlash - half);
        expect((await d.client.getProposal(1n, seq.address)).status).to.equal(ProposalStatus.Settled);
        expect(await d.client.claimable(seq.address)).to.equal(0n); // nothing: a tip is escrowed only at the commit
      }
      // The exiter withdraws only what is left.
      const exitAt = (await d.staking.stakerOf(exiter.address)).exitAt;
      await nextTxAt(exitAt);
      await expect(d.staking.connect(exiter.signer).withdraw())
        .to.emit(d.staking, "Withdrawn").withArgs(exiter.address, DEFAULT_STAKING.minSequencerStake - d.config.vrfClaimSlash);
      const { held, owed } = { held: await d.token.balanceOf(d.client.address), owed: (await d.rollup.totalEscrowed()) + (await d.rollup.totalClaimable()) + (await d.rollup.rewardPool()) };
      expect(held).to.equal(owed);
    });

    it("a false claimer challenging itself from another account recovers only half the slash; the other half reaches BURN_ADDRESS (totalBurnt); the slash is capped at the stake", async function () {
      for (const fixture of [defaultFixture, bigSlashFixture]) {
        const d = await networkHelpers.loadFixture(fixture);
        const liar = d.seqs[2]!;
        const sock = d.outsider; // an account the liar controls
        await ensureSeed(d, 1n);
        await nextTxAt((await d.client.timeline(1n)).proposalStart);
        const fake = await proposeFalse(d, liar, 1n); // no tip: its wealth is its stake and balances
        const stake = await d.staking.stakeOf(liar.address);
        const slash = d.config.vrfClaimSlash < stake ? d.config.vrfClaimSlash : stake;
        expect(slash).to.equal(fixture === bigSlashFixture ? stake : 10n * E18);
        const wealth = async () => (await d.staking.stakeOf(liar.address)) + (await d.token.balanceOf(liar.address)) + (await d.token.balanceOf(sock.address)) + (await d.client.claimable(liar.address)) + (await d.client.claimable(sock.address));
        const [before, burnBal, burnt] = [await wealth(), await d.token.balanceOf(BURN), await d.rollup.totalBurnt()];
        await d.client.connect(sock).challengeVrfClaim(1n, liar.address, fake, liar.pk);
        expect(await d.staking.stakeOf(liar.address)).to.equal(stake - slash);
        expect(await wealth()).to.equal(before - (slash - slash / 2n));
        expect(await d.token.balanceOf(BURN)).to.equal(burnBal + (slash - slash / 2n));
        expect(await d.rollup.totalBurnt()).to.equal(burnt + (slash - slash / 2n));
        expect(slash - slash / 2n).to.be.greaterThanOrEqual(slash / 2n);
      }
    });
  });

  describe("findings 3 and 4 (review): the post bond", function () {
    it("a ProofAggregator with postBond 0 is refused (InvalidConfig(\"postBond\")): a free post could hold off late rescues (EarlierPostPending)", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const bv = await ethers.deployContract("BatchVerifier_T2_D8");
      const ok = await ethers.deployContract("ProofAggregator", [d.client.address, await bv.getAddress(), { ...TEST_AGGREGATOR, postBond: 1n }]);
      expect(await ok.postBond()).to.equal(1n);
      await expect(ethers.deployContract("ProofAggregator", [d.client.address, await bv.getAddress(), { ...TEST_AGGREGATOR, postBond: 0n }]))
        .to.be.revertedWithCustomError(ok, "ProofAggregator__InvalidConfig").withArgs("postBond");
    });
  });

  describe("finding 6: FEE_SPLIT boost", function () {
    it("a sequencer naming itself as prover pays exactly pot * FEE_SPLIT / 10000 for the boost, burnt to BURN_ADDRESS by flushBurnt", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const s = d.seqs[0]!;
      const x = 3_000n;
      const gains: bigint[] = [];
      const outs: Proposed[] = [];
      for (const [h, fs] of [[1n, x], [2n, 0n]] as const) {
        const [p] = await proposeAll(d, h, [s], { feeSplitBps: [fs], proverTip: 0n, proverRewardShareBps: 2_000n });
        await revealAll(d, h, [p!]);
        await commitAll(d, h, [p!]); // names itself as prover
        await endCommit(d, h);
        const before = await d.client.claimable(s.address);
        await d.client.connect(d.outsider).submitProof({ height: h, proof: await proofFor(d, h, p!, d.outsider.address), pubdata: p!.block.pubdata, payee: d.outsider.address });
        expect(await d.client.lastFinalized()).to.equal(h);
        gains.push((await d.client.claimable(s.address)) - before - d.config.proverDeposit);
        outs.push(p!);
      }
      // Both blocks carry the same fees, so the same pot.
      expect(outs[0]!.block.fee).to.equal(outs[1]!.block.fee);
      const pot = d.config.blockReward + outs[0]!.block.fee;
      expect(gains[1]! - gains[0]!).to.equal((pot * x) / 10_000n);
      expect(gains[1]).to.equal(pot); // prover + sequencer share, both its own
      // The boost was real: the same output scores higher with FEE_SPLIT.
      expect(fernetScore(outs[0]!.output, x)).to.be.greaterThan(fernetScore(outs[0]!.output, 0n));
      expect(await d.client.claimable(BURN)).to.equal((pot * x) / 10_000n);
      const burnBal = await d.token.balanceOf(BURN);
      await d.client.connect(d.outsider).flushBurnt();
      expect(await d.token.balanceOf(BURN)).to.equal(burnBal + (pot * x) / 10_000n);
      expect(await d.client.claimable(BURN)).to.equal(0n);
      await expect(d.rollup.flushBurnt()).to.be.revertedWithCustomError(d.rollup, "PullPayments__NothingToClaim");
    });
  });

  describe("finding 7: bounded loops", function () {
    it("with maxPendingHeights = 3 the 4th pending height's leading commit reverts PendingChainFull; the full chain finalizes in one proof", async function () {
      const d = await networkHelpers.loadFixture(smallPendingFixture);
      const winners: Proposed[] = [];
      for (const h of [1n, 2n, 3n]) winners.push((await runHeight(d, h, [d.seqs[Number(h) % 3]!])).winner);
      const [p4] = await proposeAll(d, 4n, [d.seqs[0]!]);
      await revealAll(d, 4n, [p4!]);
      await nextTxAt((await d.client.timeline(4n)).commitStart);
      await expect(d.rollup.connect(p4!.seq.signer).commitProver(4n, p4!.seq.address, "0x", p4!.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__PendingChainFull").withArgs(3n, 3n);
      await endCommit(d, 4n);
      expect(await d.client.pendingHeights()).to.deep.equal([1n, 2n, 3n]);
      const sub = d.client.connect(d.outsider);
      for (const h of [3n, 2n, 1n]) {
        const w = winners[Number(h) - 1]!;
        await sub.submitProof({ height: h, proof: await proofFor(d, h, w, d.outsider.address), pubdata: w.block.pubdata, payee: d.outsider.address });
      }
      expect(await d.client.lastFinalized()).to.equal(3n);
      expect(await d.client.pendingHeights()).to.deep.equal([]);
      // Room again (the next height whose seed window is still ahead: proposeAll records its seed).
      const next = (await d.client.clockAt()).height + 1n;
      await runHeight(d, next, [d.seqs[1]!]);
      await endCommit(d, next);
      expect(await d.client.pendingHeights()).to.deep.equal([next]);
    });

    it("triggerReorg of a full pending chain succeeds; its marginal gas per pending height keeps 64 (the maximum), and even 256, well under 30M", async function () {
      const gasWith = async (n: number): Promise<bigint> => {
        const d = await deployFixture({ maxPendingHeights: BigInt(n) });
        for (let h = 1n; h <= BigInt(n); h++) await runHeight(d, h, [d.seqs[Number(h) % 3]!]);
        const [extra] = await proposeAll(d, BigInt(n) + 1n, [d.seqs[0]!]);
        await revealAll(d, BigInt(n) + 1n, [extra!]);
        await nextTxAt((await d.client.timeline(BigInt(n) + 1n)).commitStart);
        await expect(d.rollup.connect(extra!.seq.signer).commitProver(BigInt(n) + 1n, extra!.seq.address, "0x", extra!.vrfProof))
          .to.be.revertedWithCustomError(d.rollup, "Rollup__PendingChainFull");
        await nextTxAt((await d.client.timeline(1n)).lateDeadline);
        expect((await d.client.pendingHeights()).length).to.equal(n);
        const r = await d.client.connect(d.outsider).triggerReorg(1n);
        expect(await d.client.pendingHeights()).to.deep.equal([]);
        const { held, owed } = { held: await d.token.balanceOf(d.client.address), owed: (await d.rollup.totalEscrowed()) + (await d.rollup.totalClaimable()) + (await d.rollup.rewardPool()) };
        expect(held).to.equal(owed);
        return r.gasUsed;
      };
      const [a, b] = [2, 6];
      const ga = await gasWith(a);
      const gb = await gasWith(b);
      const marginal = (gb - ga) / BigInt(b - a);
      const at64 = ga + marginal * BigInt(64 - a);
      const at256 = ga + marginal * BigInt(256 - a);
      console.log(`      triggerReorg gas: ${a} pending = ${ga}, ${b} pending = ${gb}; marginal ${marginal} per height; extrapolated 64 pending = ${at64}, 256 pending = ${at256}`);
      expect(marginal).to.be.greaterThan(0n);
      expect(marginal).to.be.lessThan(60_000n);
      expect(at64).to.be.lessThan(5_000_000n); // the maximum (maxPendingHeights <= 64)
      expect(at256).to.be.lessThan(20_000_000n); // well under a 30M block even at the old maximum
    });
  });

  describe("finding 10: cross-deployment replay", function () {
    it("setAggregator with an aggregator built for another Rollup reverts AggregatorMismatch", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const other = await deployRollup((await ethers.getSigners())[0], { ...d.config, genesisBlock: 0n }, await d.staking.getAddress(), await d.verifier.getAddress());
      const bv = await ethers.deployContract("BatchVerifier_T2_D8");
      const agg = await ethers.deployContract("ProofAggregator", [await other.getAddress(), await bv.getAddress(), TEST_AGGREGATOR]);
      await expect(d.rollup.setAggregator(await agg.getAddress()))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__AggregatorMismatch").withArgs(await other.getAddress());
      expect(await d.rollup.aggregator()).to.equal(ethers.ZeroAddress);
      const own = await ethers.deployContract("ProofAggregator", [d.client.address, await bv.getAddress(), TEST_AGGREGATOR]);
      await d.rollup.setAggregator(await own.getAddress());
      expect(await d.rollup.aggregator()).to.equal(await own.getAddress());
    });

    it("a transfer signed for another domain (another rollup address or chain id) is rejected by executeBlock", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      await initL2();
      const state = stateFromGenesis(devGenesis(3, 1_000_000n), 8);
      const ours = d.domain;
      expect(ours).to.equal(l2Domain(d.chainId, d.client.address));
      const others = [l2Domain(d.chainId, d.outsider.address), l2Domain(d.chainId + 1n, d.client.address)];
      expect(executeBlock(state, sampleTransfers(state, 3, 2, ours), 2, ours).txs).to.have.length(2); // positive control
      for (const dom of others) {
        const txs = sampleTransfers(state, 3, 2, dom);
        expect(() => executeBlock(state, txs, 2, ours)).to.throw(L2Error).with.property("code", "BAD_SIGNATURE");
      }
    });
  });

  describe("findings 3 and 4: copied proofs (real T=2/D=8 proofs)", function () {
    let blocks: RealBlocks;
    let P1: ProofWords; // block 1, paying the honest prover
    let PROVER: string;

    before(async function () {
      await atOrigin(conn);
      const probe = await deployRealChain(conn, { genesisRoot: await realGenesisRoot() });
      PROVER = probe.prover.address;
      blocks = await realBlocks(1, probe.domain);
      [P1] = await proveBlocks(blocks.blocks, PROVER, (m) => console.log(`      ${m}`));
    });
    after(async function () {
      await closeProver();
    });

    it("finding 3: a front-runner resubmitting an honest proof with its own payee gets InvalidProof; with the original payee it pays the author, not the copier", async function () {
      await atOrigin(conn);
      const c = await deployRealChain(conn, { genesisRoot: blocks.genesisRoot, realBlockVerifier: true });
      await commitHeight(c, 1n, blocks.blocks[0]!);
      const pubdata = blocks.blocks[0]!.pubdata;
      const copier = c.client.connect(c.outsider);
      await expect(c.rollup.connect(c.outsider).submitProof(1n, P1, pubdata, c.outsider.address))
        .to.be.revertedWithCustomError(c.rollup, "Rollup__InvalidProof").withArgs(1n);
      // Re-randomizing does not help either: the payee is in the statement.
      await expect(c.rollup.connect(c.outsider).submitProof(1n, rerandomizeProof(P1, 5n), pubdata, c.outsider.address))
        .to.be.revertedWithCustomError(c.rollup, "Rollup__InvalidProof");
      const copierBefore = await c.client.claimable(c.outsider.address);
      await copier.submitProof({ height: 1n, proof: P1, pubdata, payee: PROVER });
      expect((await c.client.proofOf(1n))!.submitter).to.equal(PROVER);
      expect(await c.client.claimable(PROVER)).to.equal(c.config.submissionReward);
      expect(await c.client.claimable(c.outsider.address)).to.equal(copierBefore); // the copier paid the gas, got nothing
    });

    it("finding 4: a re-randomized copy posted late cannot make an on-time height late (EarlierPostPending); the original post verifies on time and the prover keeps its full deposit", async function () {
      await atOrigin(conn);
      const c = await deployRealChain(conn, { genesisRoot: blocks.genesisRoot, realBlockVerifier: true });
      await commitHeight(c, 1n, blocks.blocks[0]!);
      const pubdata = blocks.blocks[0]!.pubdata;
      const t = await c.client.timeline(1n);
      await c.agg.connect(c.prover).postProof(1n, P1, PROVER); // on time
      expect(await c.agg.onTimePosts(1n)).to.equal(1n);
      await realNextTxAt(conn, t.provingDeadline);
      const copy = rerandomizeProof(P1, 1234567n) as ProofWords;
      expect(copy).to.not.deep.equal(P1);
      await c.agg.connect(c.outsider).postProof(1n, copy, PROVER); // late, valid, different hash
      await expect(c.aggregator.connect(c.outsider).verifyBatch([1n], [copy], [PROVER], [pubdata]))
        .to.be.revertedWithCustomError(c.aggregator, "ProofAggregator__EarlierPostPending").withArgs(1n);
      await expect(c.rollup.connect(c.outsider).submitProof(1n, copy, pubdata, PROVER))
        .to.be.revertedWithCustomError(c.rollup, "Rollup__EarlierPostPending").withArgs(1n);
      const seqBefore = await c.client.claimable(c.seq.signer.address);
      const receipt = await c.agg.connect(c.outsider).verifyBatch([{ height: 1n, proof: P1, payee: PROVER, pubdata }]);
      expect(c.client.decodeEvents(receipt).map((e) => e.name)).to.not.include("LateProofSettled");
      const info = await c.client.getHeight(1n);
      expect(info.status).to.equal(HeightStatus.Finalized);
      expect(info.late).to.equal(false);
      // The sequencer named itself prover and posted the deposit: tip + (pot - burnt) + the FULL deposit back.
      const fees = inputsFor(blocks.blocks[0]!, PROVER)[2]!;
      const pot = c.config.blockReward + fees;
      const burnt = (pot * 1_000n) / 10_000n;
      expect(await c.client.claimable(c.seq.signer.address)).to.equal(seqBefore + E18 + (pot - burnt) + c.config.proverDeposit);
      const b = { held: await c.token.balanceOf(c.agg.address), owed: (await c.aggregator.totalBonds()) + (await c.aggregator.totalClaimable()) };
      expect(b.held).to.equal(b.owed);
    });
  });

  describe("issue 13: escrow drawn from the balance held in the Rollup", function () {
    it("a sequencer cannot spend a prover's balance without its consent, a forged consent changes nothing, and a consent pays exactly one commit", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [s0, s1] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0]];
      const dep = d.config.proverDeposit;
      await ensureSeed(d, 1n);
      await d.token.connect(d.prover).approve(d.client.address, 2n ** 255n);
      await d.rollup.connect(d.prover).fundBalance(3n * dep);
      const [p0, p1] = await proposeAll(d, 1n, [s0, s1]);
      await revealAll(d, 1n, [p0!, p1!]);
      await nextTxAt((await d.client.timeline(1n)).commitStart);
      const proverHeld = async () => [await d.client.claimable(d.prover.address), await d.token.balanceOf(d.prover.address)];
      const start = await proverHeld();
      // Naming the prover without its signature: the deposit comes from the sequencer, the prover's balance is untouched.
      const rc0 = await d.client.connect(s0.signer).commitProver({ height: 1n, prover: d.prover.address, vrfProof: p0!.vrfProof });
      expect(d.client.decodeEvents(rc0).find((e) => e.name === "ProverCommitted")!.args.depositor).to.equal(s0.address);
      expect(await proverHeld()).to.deep.equal(start);
      // A consent signed by someone else: refused, nothing moves.
      const forged = await d.client.signProverCommitment(d.outsider, 1n, s1.address);
      await expect(d.rollup.connect(s1.signer).commitProver(1n, d.prover.address, forged, p1!.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProverSignature").withArgs(d.prover.address);
      expect(await proverHeld()).to.deep.equal(start);
      // The prover's consent for s1 at height 1: one deposit from its balance (no transfer), the tip from s1.
      const sig = await d.client.signProverCommitment(d.prover, 1n, s1.address);
      await d.client.connect(s1.signer).commitProver({ height: 1n, prover: d.prover.address, proverSignature: sig, vrfProof: p1!.vrfProof });
      expect(await proverHeld()).to.deep.equal([start[0]! - dep, start[1]!]);
      // Replaying the same consent (same proposal, or another sequencer's) takes nothing more.
      await expect(d.rollup.connect(s1.signer).commitProver(1n, d.prover.address, sig, p1!.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyCommitted").withArgs(1n, s1.address);
      expect(await proverHeld()).to.deep.equal([start[0]! - dep, start[1]!]);
      const b = { held: await d.token.balanceOf(d.client.address), owed: (await d.rollup.totalEscrowed()) + (await d.rollup.totalClaimable()) + (await d.rollup.rewardPool()) };
      expect(b.held).to.equal(b.owed);
    });

    it("an offered tip is never paid out unescrowed: a proposal that never committed releases nothing, and its release cannot be repeated", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [s0, s1] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0]];
      const [p0, p1] = await proposeAll(d, 1n, [s0, s1], { proverTip: 50n * E18 });
      await revealAll(d, 1n, [p0!, p1!]);
      await commitAll(d, 1n, [p0!]);
      await endCommit(d, 1n);
      const [escrowed, c1] = [await d.rollup.totalEscrowed(), await d.client.claimable(s1.address)];
      expect(escrowed).to.equal(d.config.proverDeposit + 50n * E18); // only the committed proposal's tip
      const rc = await d.client.connect(d.outsider).release(1n, s1.address);
      const ev = d.client.decodeEvents(rc).find((e) => e.name === "EscrowReleased")!;
      expect([ev.args.tipRefund, ev.args.depositRefund]).to.deep.equal([0n, 0n]);
      expect([await d.rollup.totalEscrowed(), await d.client.claimable(s1.address)]).to.deep.equal([escrowed, c1]);
      await expect(d.rollup.connect(d.outsider).release(1n, s1.address))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__NotReleasable").withArgs(1n, s1.address);
    });
  });
  describe("issue 13: the leader's VRF proof checked by its DLEQ part", function () {
    it("a leader whose (c, s) does not prove its Gamma is refused (InvalidVrfProof) and holds nothing; its own proof then leads", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      await ensureSeed(d, 1n);
      const props = await proposeAll(d, 1n, d.seqs);
      await revealAll(d, 1n, props);
      await nextTxAt((await d.client.timeline(1n)).commitStart);
      const top = best(props);
      const [gx, gy, c, s] = top.vrfProof;
      const other = props.find((p) => p !== top)!.vrfProof;
      const forged: Array<[string, [bigint, bigint, bigint, bigint]]> = [
        ["s + 1", [gx, gy, c, s + 1n]],
        ["c + 1", [gx, gy, c + 1n, s]],
        ["another proposer's (c, s)", [gx, gy, other[2], other[3]]],
        ["zeros", [gx, gy, 0n, 0n]],
      ];
      for (const [what, proof] of forged) {
        await expect(d.rollup.connect(top.seq.signer).commitProver(1n, top.seq.address, "0x", proof), what)
          .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidVrfProof").withArgs(1n, top.seq.address);
      }
      expect((await d.client.getHeight(1n)).winner).to.equal(ethers.ZeroAddress);
      await d.client.connect(top.seq.signer).commitProver({ height: 1n, prover: top.seq.address, vrfProof: top.vrfProof });
      expect((await d.client.getHeight(1n)).winner).to.equal(top.seq.address);
    });

    it("a challenger cannot make an honest claim look false with a bad (c, s): the pairing judges Gamma alone (VrfClaimValid), nothing is slashed", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      await ensureSeed(d, 1n);
      const props = await proposeAll(d, 1n, d.seqs);
      const honest = props.find((p) => p !== best(props))!;
      const [gx, gy] = honest.vrfProof;
      const stake = await d.staking.stakeOf(honest.seq.address);
      for (const junk of [[gx, gy, 0n, 0n], [gx, gy, 1n, 2n]] as Array<[bigint, bigint, bigint, bigint]>) {
        await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, honest.seq.address, junk, honest.seq.pk))
          .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimValid").withArgs(1n, honest.seq.address);
      }
      expect(await d.staking.stakeOf(honest.seq.address)).to.equal(stake);
      expect((await d.client.getProposal(1n, honest.seq.address)).status).to.equal(ProposalStatus.Proposed);
    });

    it("a key whose G1 twin has another secret is refused at registration (it would let DLEQ accept a second, chosen output)", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const a = vrfKeyFromSeed("pair-g2-half");
      const b = vrfKeyFromSeed("pair-g1-half");
      const pop = popProve(a.sk, { chainId: d.chainId, verifier: await d.staking.getAddress(), owner: d.outsider.address });
      for (const [what, g1] of [["another secret's twin", b.pkG1], ["the negated twin", [a.pkG1[0], P - a.pkG1[1]]], ["infinity", [0n, 0n]]] as Array<[string, [bigint, bigint]]>) {
        await expect(d.staking.connect(d.outsider).registerVrfKey(a.pk, g1, pop), what)
          .to.be.revertedWithCustomError(d.staking, "Staking__VrfKeyPairMismatch");
      }
      expect((await d.staking.stakerOf(d.outsider.address)).keyHash).to.equal("0x" + "00".repeat(32));
      await expect(d.staking.connect(d.outsider).registerVrfKey(a.pk, a.pkG1, pop)).to.emit(d.staking, "VrfKeyRegistered");
      expect(await d.staking.vrfG1KeyOf(d.outsider.address)).to.deep.equal(a.pkG1);
    });
  });
});
