/**
 * Branches of Rollup, Staking and ProofAggregator that no other test covers, one test per group of leaves of the
 * specification trees in test/trees/*.tree (each leaf names the test that covers it; test/trees.test.ts checks
 * the references). Mock block verifier and mock batch verifier (both accept proof[0] == keccak256(inputs)), real
 * VRF keys.
 */
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { TypedDataEncoder, randomBytes } from "ethers";
import {
  ethers,
  networkHelpers,
  deployFixture,
  defaultFixture,
  E18,
  SLOTS,
  GENESIS_ROOT,
  TEST_CONFIG,
  nextTxAt,
  ensureSeed,
  proposeAll,
  revealAll,
  runHeight,
  endCommit,
  proofFor,
  makeBlock,
  mockProof,
  publicInputs,
  dummySignatures,
  vrfFor,
  booksBalance,
  type Deployment,
  type Proposed,
  type Sequencer,
} from "./helpers.js";
import { vrfKeyFromSeed, vrfProve, popProve, publicKeyG1Of } from "../../src/vrf/index.js";
import { DEFAULT_STAKING, HeightStatus, ProposalStatus, Role, RollupClient, blockCommitment, defaultRollupConfig } from "../../src/client/index.js";
import { deployRollup } from "../../src/client/deploy.js";
import { PROVER_COMMITMENT_TYPES, proverDepositFits, rollupDomain } from "../../src/protocol.js";

const MIN = DEFAULT_STAKING.minSequencerStake;
/** The aggregator parameters of test/contracts/realChain.ts. */
const AGG_CONFIG = { postBond: 5n * E18, verifyWindow: 60n, batchReward: 2n * E18, batchRewardPerHeight: E18 };

async function expectBooksBalanced(d: Deployment): Promise<void> {
  const { held, owed } = await booksBalance(d);
  expect(held).to.equal(owed);
}

/** Ranks proposals best first, as ProposeLib.outranks does (score, then output, then lower address). */
function ranked(props: Proposed[]): Proposed[] {
  return [...props].sort((x, y) => {
    if (x.score !== y.score) return x.score > y.score ? -1 : 1;
    if (x.output !== y.output) return x.output > y.output ? -1 : 1;
    return x.seq.address.toLowerCase() < y.seq.address.toLowerCase() ? -1 : 1;
  });
}

/** `seq` proposes at `height` (in its proposal phase) with a random "VRF proof": a false claim. */
async function proposeFalse(d: Deployment, seq: Sequencer, height: bigint, proverTip = 0n): Promise<[bigint, bigint, bigint, bigint]> {
  const fake: [bigint, bigint, bigint, bigint] = [BigInt(ethers.hexlify(randomBytes(31))), BigInt(ethers.hexlify(randomBytes(31))), 0n, 0n];
  const block = makeBlock(Number(height) * 100 + 3);
  const commitment = blockCommitment({ proposer: seq.address, height, parent: await d.client.chainTip(), newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
  await d.rollup.connect(seq.signer).propose(height, fake, commitment, 0, proverTip, 0, await d.client.randomnessOf(height));
  return fake;
}

async function registerKey(d: Deployment, seq: Sequencer, seed: string): Promise<void> {
  const { sk, pk } = vrfKeyFromSeed(seed);
  await d.staking.connect(seq.signer).registerVrfKey(pk, publicKeyG1Of(sk), popProve(sk, { chainId: d.chainId, verifier: await d.staking.getAddress(), owner: seq.address }));
}

async function minFeeSplitFixture(): Promise<Deployment> {
  return deployFixture({ minFeeSplitBps: 500n });
}

async function zeroDepositFixture(): Promise<Deployment> {
  return deployFixture({ proverDeposit: 0n });
}

async function bigSlashFixture(): Promise<Deployment> {
  return deployFixture({ vrfClaimSlash: 5_000n * E18 });
}

/** The default deployment plus a ProofAggregator over a MockBatchVerifier (5 + T inputs), set on the Rollup. */
async function aggregatorFixture() {
  // Height 1 starts later than in the default fixture: the aggregator's deployment and approvals take blocks too.
  const d = await deployFixture({ genesisBlock: BigInt(await ethers.provider.getBlockNumber()) + 60n });
  const batchVerifier = await ethers.deployContract("MockBatchVerifier", [5n + SLOTS]);
  const aggregator = await ethers.deployContract("ProofAggregator", [d.client.address, await batchVerifier.getAddress(), AGG_CONFIG]);
  const aggAddr = await aggregator.getAddress();
  await d.rollup.setAggregator(aggAddr);
  for (const s of [...d.seqs.map((x) => x.signer), d.prover, d.outsider]) await d.token.connect(s).approve(aggAddr, 2n ** 255n);
  return { ...d, aggregator, batchVerifier };
}

async function stakingFixture() {
  const [owner, alice, bob, rollup] = await ethers.getSigners();
  const token = await ethers.deployContract("DevToken", ["Fernet Dev", "FDEV", owner!.address]);
  const staking = await ethers.deployContract("Staking", [await token.getAddress(), MIN, MIN, DEFAULT_STAKING.exitDelay, owner!.address]);
  for (const s of [alice!, bob!]) {
    await token.mint(s.address, 10_000n * E18);
    await token.connect(s).approve(await staking.getAddress(), 2n ** 255n);
  }
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { owner: owner!, alice: alice!, bob: bob!, rollup: rollup!, token, staking, chainId };
}

describe("Branches covered nowhere else (specs: test/trees/*.tree)", function () {
  describe("Rollup", function () {
    it("constructor: zero staking or verifier reverts ZeroAddress; each out-of-range field reverts InvalidConfig naming it", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const stakingAddr = await d.staking.getAddress();
      const verifierAddr = await d.verifier.getAddress();
      const base = { ...d.config, genesisBlock: 0n };
      await expect(deployRollup((await ethers.getSigners())[0], base, ethers.ZeroAddress, verifierAddr)).to.be.revertedWithCustomError(d.rollup, "Rollup__ZeroAddress");
      await expect(deployRollup((await ethers.getSigners())[0], base, stakingAddr, ethers.ZeroAddress)).to.be.revertedWithCustomError(d.rollup, "Rollup__ZeroAddress");
      const cases: [Partial<typeof base>, string][] = [
        [{ proposalBlocks: 0n }, "phase length"],
        [{ revealBlocks: 0n }, "phase length"],
        [{ commitBlocks: 0n }, "phase length"],
        [{ minFeeSplitBps: 5_000n, maxFeeSplitBps: 4_999n }, "feeSplit bounds"],
        [{ maxProverRewardShareBps: 10_001n }, "maxProverRewardShareBps"],
        [{ lateProverShareBps: 10_001n }, "bps"],
        [{ reorgBountyBps: 10_001n }, "bps"],
        [{ genesisBlock: 1n }, "genesisBlock"], // a block in the past
      ];
      for (const [override, field] of cases) {
        await expect(deployRollup((await ethers.getSigners())[0], { ...base, ...override }, stakingAddr, verifierAddr), field)
          .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidConfig").withArgs(field);
      }
      // The bounds themselves are accepted.
      const edge = { ...base, minFeeSplitBps: 4_999n, maxFeeSplitBps: 4_999n, maxProverRewardShareBps: 10_000n, lateProverShareBps: 10_000n, reorgBountyBps: 10_000n };
      const ok = await deployRollup((await ethers.getSigners())[0], edge, stakingAddr, verifierAddr);
      expect((await ok.config()).minFeeSplitBps).to.equal(4_999n);
    });

    it("constructor: a field too wide for ConfigLib's hot word reverts InvalidConfig naming it; a proverDeposit of 16 significant digits is kept exactly", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [owner] = await ethers.getSigners();
      const stakingAddr = await d.staking.getAddress();
      const verifierAddr = await d.verifier.getAddress();
      const base = { ...d.config, genesisBlock: 0n };
      const cases: [Partial<typeof base>, string][] = [
        [{ proposalBlocks: 2n ** 16n }, "phase length"],
        [{ revealBlocks: 2n ** 16n }, "phase length"],
        [{ commitBlocks: 2n ** 16n }, "phase length"],
        [{ slots: 2n ** 16n }, "slots"],
        [{ keyActivationDelay: 2n ** 16n }, "keyActivationDelay"],
        [{ genesisBlock: 2n ** 40n }, "genesisBlock"],
        [{ proverDeposit: 2n ** 56n }, "proverDeposit"], // 72057594037927936: 17 significant digits
        [{ proverDeposit: 2n ** 56n * 10n ** 9n + 10n ** 9n }, "proverDeposit"],
      ];
      for (const [override, field] of cases) {
        await expect(deployRollup(owner!, { ...base, ...override }, stakingAddr, verifierAddr), field)
          .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidConfig").withArgs(field);
        // The off-chain twin (src/protocol.ts, used by the scenario schema) refuses the same deposits.
        if (override.proverDeposit !== undefined) expect(proverDepositFits(override.proverDeposit), String(override.proverDeposit)).to.equal(false);
      }
      // The widest values that fit are accepted, and the deposit a commit uses (read back from the hot word through
      // the EIP-712 digest a prover signs) is the configured one, to the unit.
      for (const deposit of [2n ** 56n - 1n, 12_345_678_901_234_567n * 10n ** 9n, 3n * 10n ** 26n, 1n, 0n]) {
        expect(proverDepositFits(deposit), String(deposit)).to.equal(true);
        const ok = await deployRollup(owner!, { ...base, proverDeposit: deposit, proposalBlocks: 2n ** 16n - 1n, keyActivationDelay: 2n ** 16n - 1n }, stakingAddr, verifierAddr);
        const c = await ok.config();
        expect(c.proverDeposit).to.equal(deposit);
        expect(c.proposalBlocks).to.equal(2n ** 16n - 1n);
        const value = { height: 7n, sequencer: owner!.address, prover: d.seqs[0]!.address, deposit };
        const domain = rollupDomain((await ethers.provider.getNetwork()).chainId, await ok.getAddress());
        expect(await ok.proverCommitmentDigest(7n, value.sequencer, value.prover)).to.equal(TypedDataEncoder.hash(domain, PROVER_COMMITMENT_TYPES, value));
        const t = await ok.timeline(1n);
        expect(t.revealStart - t.proposalStart).to.equal(2n ** 16n - 1n);
      }
    });

    it("propose: FEE_SPLIT below the configured minimum reverts FeeSplitOutOfRange; a zero proverTip pulls and escrows nothing", async function () {
      const d = await networkHelpers.loadFixture(minFeeSplitFixture);
      const s = d.seqs[0]!;
      await ensureSeed(d, 1n);
      await nextTxAt((await d.client.timeline(1n)).proposalStart);
      const { proof, randomness } = await vrfFor(d, s, 1n);
      const c = "0x" + "11".repeat(32);
      await expect(d.rollup.connect(s.signer).propose(1n, proof, c, 499, 0, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__FeeSplitOutOfRange").withArgs(499n, 500n, 10_000n);
      const [bal, escrow] = [await d.token.balanceOf(s.address), await d.rollup.totalEscrowed()];
      await expect(d.rollup.connect(s.signer).propose(1n, proof, c, 500, 0, 0, randomness)).to.emit(d.rollup, "Proposed");
      expect(await d.token.balanceOf(s.address)).to.equal(bal);
      expect(await d.rollup.totalEscrowed()).to.equal(escrow);
      const p = await d.client.getProposal(1n, s.address);
      expect(p.status).to.equal(ProposalStatus.Proposed);
      expect(p.proverTip).to.equal(0n);
    });

    it("propose: a proverTip above uint96 reverts SafeCastOverflowedUintDowncast", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const s = d.seqs[0]!;
      const tip = 2n ** 96n;
      await d.token.mint(s.address, tip);
      await ensureSeed(d, 1n);
      await nextTxAt((await d.client.timeline(1n)).proposalStart);
      const { proof, randomness } = await vrfFor(d, s, 1n);
      await expect(d.rollup.connect(s.signer).propose(1n, proof, "0x" + "11".repeat(32), 0, tip, 0, randomness))
        .to.be.revertedWithCustomError(d.rollup, "SafeCastOverflowedUintDowncast").withArgs(96, tip);
    });

    it("reveal outside the reveal phase reverts WrongPhase", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [p] = await proposeAll(d, 1n, [d.seqs[0]!]);
      const args = [1n, 0n, p!.block.newRoot, p!.block.pubdata, p!.block.salt, dummySignatures(p!.block.pubdata)] as const;
      await expect(d.rollup.connect(p!.seq.signer).reveal(...args)).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongPhase").withArgs(1n, 2, 1);
      await nextTxAt((await d.client.timeline(1n)).commitStart);
      await expect(d.rollup.connect(p!.seq.signer).reveal(...args)).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongPhase").withArgs(1n, 2, 3);
    });

    it("commitProver: prover 0 reverts ZeroAddress; a leading proposal whose sequencer exited reverts NotActiveSequencer; a second commit reverts AlreadyCommitted", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [s0, s1] = d.seqs as [Sequencer, Sequencer];
      const props = await proposeAll(d, 1n, [s0, s1]);
      await revealAll(d, 1n, props);
      await nextTxAt((await d.client.timeline(1n)).commitStart);
      const [p0, p1] = props as [Proposed, Proposed];
      await expect(d.rollup.connect(s0.signer).commitProver(1n, ethers.ZeroAddress, "0x", p0.vrfProof)).to.be.revertedWithCustomError(d.rollup, "Rollup__ZeroAddress");
      // s1 exits: its proposal would lead (no winner yet), and a leader must still be an active sequencer.
      await d.staking.connect(s1.signer).initiateExit();
      await expect(d.rollup.connect(s1.signer).commitProver(1n, s1.address, "0x", p1.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__NotActiveSequencer").withArgs(s1.address);
      await d.rollup.connect(s0.signer).commitProver(1n, s0.address, "0x", p0.vrfProof);
      await expect(d.rollup.connect(s0.signer).commitProver(1n, s0.address, "0x", p0.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyCommitted").withArgs(1n, s0.address);
    });

    it("commitProver ranking: a proposal that outranks the winner takes the height without a second chain entry; one that does not commits with leads = false and no VRF check", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const props = await proposeAll(d, 1n, d.seqs);
      await revealAll(d, 1n, props);
      const [top, middle, bottom] = ranked(props) as [Proposed, Proposed, Proposed];
      await nextTxAt((await d.client.timeline(1n)).commitStart);
      const deposit = d.config.proverDeposit;
      await expect(d.rollup.connect(bottom.seq.signer).commitProver(1n, bottom.seq.address, "0x", bottom.vrfProof))
        .to.emit(d.rollup, "ProverCommitted").withArgs(1n, bottom.seq.address, bottom.seq.address, bottom.seq.address, deposit, bottom.proverTip, bottom.score, true);
      await expect(d.rollup.connect(top.seq.signer).commitProver(1n, top.seq.address, "0x", top.vrfProof))
        .to.emit(d.rollup, "ProverCommitted").withArgs(1n, top.seq.address, top.seq.address, top.seq.address, deposit, top.proverTip, top.score, true);
      expect((await d.client.getHeight(1n)).winner).to.equal(top.seq.address);
      expect(await d.client.pendingHeights()).to.deep.equal([1n]);
      // Not leading: the VRF proof is not even looked at (a zero proof passes), the deposit is still escrowed.
      await expect(d.rollup.connect(middle.seq.signer).commitProver(1n, middle.seq.address, "0x", [0n, 0n, 0n, 0n]))
        .to.emit(d.rollup, "ProverCommitted").withArgs(1n, middle.seq.address, middle.seq.address, middle.seq.address, deposit, middle.proverTip, middle.score, false);
      expect((await d.client.getProposal(1n, middle.seq.address)).status).to.equal(ProposalStatus.Committed);
      await endCommit(d, 1n);
      const h = await d.client.getHeight(1n);
      expect([h.winner, h.parent, h.status]).to.deep.equal([top.seq.address, 0n, HeightStatus.Pending]);
      expect(await d.client.pendingHeights()).to.deep.equal([1n]);
      await expectBooksBalanced(d);
    });

    it("a height reorged in its commit phase: a later commit reverts HeightReorged and its escrow is releasable before commitEnd; unreorged, a commit on the old tip reverts ParentNotTip and release reverts NotReleasable", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const [s0, s1, s2] = d.seqs as [Sequencer, Sequencer, Sequencer];
      await runHeight(d, 1n, [s0]); // never proven
      const H = 4n; // the height whose commit phase contains height 1's late deadline
      const t4 = await d.client.timeline(H);
      const late1 = (await d.client.timeline(1n)).lateDeadline;
      expect(t4.commitStart).to.be.lessThan(late1);
      expect(t4.commitEnd).to.be.greaterThan(late1 + 2n);
      const props = await proposeAll(d, H, [s0, s1, s2]);
      expect(props.map((p) => p.parent)).to.deep.equal([1n, 1n, 1n]);
      await revealAll(d, H, props);
      const [p0, p1, p2] = props as [Proposed, Proposed, Proposed];
      const fork = await networkHelpers.takeSnapshot();

      // A: s0 commits first, so height 4 joins the chain; the reorg of height 1 takes it along.
      await nextTxAt(t4.commitStart);
      await d.rollup.connect(s0.signer).commitProver(H, s0.address, "0x", p0.vrfProof);
      await nextTxAt(late1);
      await d.rollup.connect(d.outsider).triggerReorg(1n);
      expect((await d.client.getHeight(H)).status).to.equal(HeightStatus.Reorged);
      await expect(d.rollup.connect(s1.signer).commitProver(H, s1.address, "0x", p1.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__HeightReorged").withArgs(H);
      expect(BigInt(await ethers.provider.getBlockNumber()) + 1n).to.be.lessThan(t4.commitEnd);
      const before = await d.client.claimable(s1.address);
      await d.rollup.connect(d.outsider).release(H, s1.address); // decided because reorged
      // s1 never committed: its tip was only offered, never escrowed, so there is nothing to refund.
      expect(await d.client.claimable(s1.address)).to.equal(before);
      expect((await d.client.getProposal(H, s1.address)).status).to.equal(ProposalStatus.Settled);
      await expectBooksBalanced(d);

      // B: nobody commits height 4 before the reorg: it is not reorged, but its proposals built on height 1.
      await fork.restore();
      await nextTxAt(late1);
      await d.rollup.connect(d.outsider).triggerReorg(1n);
      expect((await d.client.getHeight(H)).status).to.equal(HeightStatus.None);
      await expect(d.rollup.connect(s0.signer).commitProver(H, s0.address, "0x", p0.vrfProof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__ParentNotTip").withArgs(1n, 0n);
      // Before commitEnd and not reorged, nothing is releasable; nor is a proposal that does not exist.
      await expect(d.rollup.release(H, s2.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__NotReleasable").withArgs(H, s2.address);
      await expect(d.rollup.release(H, d.outsider.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__NotReleasable").withArgs(H, d.outsider.address);
      await endCommit(d, H);
      await d.rollup.release(H, s2.address);
      expect((await d.client.getProposal(H, s2.address)).status).to.equal(ProposalStatus.Settled);
      void p2;
    });

    it("proverDeposit 0: commitProver pulls nothing and the height still finalizes", async function () {
      const d = await networkHelpers.loadFixture(zeroDepositFixture);
      const s = d.seqs[0]!;
      const { winner } = await runHeight(d, 1n, [s]);
      const p = await d.client.getProposal(1n, s.address);
      expect(p.deposit).to.equal(0n);
      expect(p.depositor).to.equal(s.address);
      expect(await d.rollup.totalEscrowed()).to.equal(winner.proverTip);
      await endCommit(d, 1n);
      await d.rollup.connect(d.outsider).submitProof(1n, await proofFor(d, 1n, winner, d.outsider.address), winner.block.pubdata, d.outsider.address);
      expect(await d.client.lastFinalized()).to.equal(1n);
      expect(await d.rollup.totalEscrowed()).to.equal(0n);
      await expectBooksBalanced(d);
    });

    it("submitProof, publicInputsOf and statementOf of an empty height revert HeightNotDecided; statementOf before commitEnd too; publicInputsOf reverts PubdataMismatch and AlreadyProven, statementOf still answers for a proven height", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const { winner } = await runHeight(d, 2n, [d.seqs[0]!]); // height 1 stays empty
      const payee = d.outsider.address;
      const pubdata = winner.block.pubdata;
      await expect(d.rollup.statementOf(2n, pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__HeightNotDecided").withArgs(2n);
      await endCommit(d, 2n);
      await networkHelpers.mine(1); // views run on the latest mined block: commitEnd(2) itself
      await expect(d.rollup.submitProof(1n, mockProof([1n]), pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__HeightNotDecided").withArgs(1n);
      await expect(d.rollup.publicInputsOf(1n, pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__HeightNotDecided").withArgs(1n);
      await expect(d.rollup.statementOf(1n, pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__HeightNotDecided").withArgs(1n);
      const expected = publicInputs(GENESIS_ROOT, winner.block.newRoot, pubdata, payee, d.domain);
      expect([...(await d.rollup.statementOf(2n, pubdata, payee))]).to.deep.equal(expected);
      expect([...(await d.rollup.publicInputsOf(2n, pubdata, payee))]).to.deep.equal(expected);
      await expect(d.rollup.publicInputsOf(2n, makeBlock(99).pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__PubdataMismatch").withArgs(2n);
      await d.rollup.connect(d.outsider).submitProof(2n, mockProof(expected), pubdata, payee);
      await expect(d.rollup.publicInputsOf(2n, pubdata, payee)).to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyProven").withArgs(2n);
      expect([...(await d.rollup.statementOf(2n, pubdata, payee))]).to.deep.equal(expected);
    });

    it("submitProof: a verifier that reverts counts as a rejection (InvalidProof)", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      // The token as "verifier": it has no verifyBlockProof, so every call to it reverts.
      const genesisBlock = BigInt(await ethers.provider.getBlockNumber()) + 20n;
      const r2 = await deployRollup((await ethers.getSigners())[0], { ...d.config, genesisBlock }, await d.staking.getAddress(), await d.token.getAddress());
      const addr = await r2.getAddress();
      for (const s of d.seqs) await d.token.connect(s.signer).approve(addr, 2n ** 255n);
      const d2: Deployment = { ...d, rollup: r2, client: new RollupClient(addr, ethers.provider), domain: await r2.l2Domain() };
      const { winner } = await runHeight(d2, 1n, [d.seqs[0]!]);
      await endCommit(d2, 1n);
      await expect(r2.submitProof(1n, await proofFor(d2, 1n, winner, d.outsider.address), winner.block.pubdata, d.outsider.address))
        .to.be.revertedWithCustomError(r2, "Rollup__InvalidProof").withArgs(1n);
    });

    it("a late submitProof with an aggregator set but no on-time post standing is accepted late", async function () {
      const d = await networkHelpers.loadFixture(aggregatorFixture);
      const { winner } = await runHeight(d, 1n, [d.seqs[0]!]);
      await nextTxAt((await d.client.timeline(1n)).provingDeadline);
      const proof = await proofFor(d, 1n, winner, d.outsider.address);
      await d.aggregator.connect(d.outsider).postProof(1n, proof, d.outsider.address); // a late post does not count
      expect(await d.aggregator.onTimePosts(1n)).to.equal(0n);
      await expect(d.rollup.connect(d.outsider).submitProof(1n, proof, winner.block.pubdata, d.outsider.address))
        .to.emit(d.rollup, "ProofSubmitted").withArgs(1n, d.outsider.address, true);
      const h = await d.client.getHeight(1n);
      expect([h.status, h.late]).to.deep.equal([HeightStatus.Finalized, true]);
    });

    it("markProvenBatch from the aggregator: HeightNotDecided, AlreadyProven, HeightReorged for heights not pending; lateness follows postedAt; the reward is capped by the pool", async function () {
      const d = await networkHelpers.loadFixture(aggregatorFixture);
      const aggAddr = await d.aggregator.getAddress();
      await networkHelpers.impersonateAccount(aggAddr);
      await networkHelpers.setBalance(aggAddr, 10n ** 20n);
      const asAgg = d.rollup.connect(await ethers.getImpersonatedSigner(aggAddr));
      for (const h of [1n, 2n, 3n]) await runHeight(d, h, [d.seqs[Number(h) - 1]!]);
      const payee = d.prover.address;
      await expect(asAgg.markProvenBatch([4n], [payee], [0n], [0n], d.outsider.address, 0n))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__HeightNotDecided").withArgs(4n);
      const [t1, t2] = [await d.client.timeline(1n), await d.client.timeline(2n)];
      const huge = 10n ** 30n;
      const claimBefore = await d.client.claimable(d.outsider.address);
      // Height 1 "posted" at its proving deadline (late), height 2 before its own (on time).
      await expect(asAgg.markProvenBatch([1n, 2n], [payee, payee], [t1.provingDeadline, t2.provingDeadline - 1n], [7n, 7n], d.outsider.address, huge))
        .to.emit(d.rollup, "AggregationRewarded").withArgs(d.outsider.address, 2n, anyValue);
      expect((await d.client.getHeight(1n)).late).to.equal(true);
      expect((await d.client.getHeight(2n)).late).to.equal(false);
      expect(await d.client.lastFinalized()).to.equal(2n);
      // Everything left in the pool was paid, not the amount asked for.
      expect(await d.rollup.rewardPool()).to.equal(0n);
      expect((await d.client.claimable(d.outsider.address)) - claimBefore).to.be.greaterThan(0n).and.lessThan(huge);
      await expect(asAgg.markProvenBatch([1n], [payee], [0n], [0n], d.outsider.address, 0n))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyProven").withArgs(1n);
      await nextTxAt((await d.client.timeline(3n)).lateDeadline);
      await d.rollup.connect(d.outsider).triggerReorg(3n);
      await expect(asAgg.markProvenBatch([3n], [payee], [0n], [0n], d.outsider.address, 0n))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__HeightReorged").withArgs(3n);
      await networkHelpers.stopImpersonatingAccount(aggAddr);
      await expectBooksBalanced(d);
    });

    it("challengeVrfClaim: no key in force at the cutoff (two rotations since) reverts VrfClaimNotChallengeable", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const liar = d.seqs[2]!;
      await ensureSeed(d, 1n);
      await nextTxAt((await d.client.timeline(1n)).proposalStart);
      const fake = await proposeFalse(d, liar, 1n);
      await registerKey(d, liar, "liar-2"); // first rotation: at once
      await networkHelpers.mine(DEFAULT_STAKING.exitDelay);
      await registerKey(d, liar, "liar-3"); // second rotation, after exitDelay: the key at the cutoff is forgotten
      expect(await d.staking.keyHashAt(liar.address, await d.client.activationCutoff(1n))).to.equal(ethers.ZeroHash);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, liar.address, fake, liar.pk))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable").withArgs(1n, liar.address);
    });

    it("challengeVrfClaim of a sequencer already slashed to zero voids the proposal, refunds nothing (a tip is escrowed only at the commit) and slashes nothing", async function () {
      const d = await networkHelpers.loadFixture(bigSlashFixture);
      const liar = d.seqs[2]!;
      await ensureSeed(d, 1n);
      await nextTxAt((await d.client.timeline(1n)).proposalStart);
      const fake1 = await proposeFalse(d, liar, 1n);
      await ensureSeed(d, 2n);
      await nextTxAt((await d.client.timeline(2n)).proposalStart);
      const fake2 = await proposeFalse(d, liar, 2n, E18);
      await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, liar.address, fake1, liar.pk))
        .to.emit(d.rollup, "VrfClaimChallenged").withArgs(1n, liar.address, d.outsider.address, MIN);
      expect(await d.staking.stakeOf(liar.address)).to.equal(0n);
      const [bal, burnt] = [await d.token.balanceOf(d.outsider.address), await d.rollup.totalBurnt()];
      const tx = await d.rollup.connect(d.outsider).challengeVrfClaim(2n, liar.address, fake2, liar.pk);
      await expect(tx).to.emit(d.rollup, "VrfClaimChallenged").withArgs(2n, liar.address, d.outsider.address, 0n);
      await expect(tx).not.to.emit(d.staking, "Slashed");
      expect(await d.token.balanceOf(d.outsider.address)).to.equal(bal);
      expect(await d.rollup.totalBurnt()).to.equal(burnt);
      expect((await d.client.getProposal(2n, liar.address)).status).to.equal(ProposalStatus.Settled);
      expect(await d.client.claimable(liar.address)).to.equal(0n); // the offered tip (E18) was never escrowed
    });

    it("fundBalance: 0 reverts ZeroAmount; funds credit the sender's balance, a commit draws deposit and tip from it with no token transfer, claim withdraws the rest", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const s = d.seqs[0]!;
      await expect(d.rollup.connect(s.signer).fundBalance(0n)).to.be.revertedWithCustomError(d.rollup, "PullPayments__ZeroAmount");
      const [p] = await proposeAll(d, 1n, [s]);
      await revealAll(d, 1n, [p!]);
      const need = d.config.proverDeposit + p!.proverTip;
      await expect(d.rollup.connect(s.signer).fundBalance(need + 5n)).to.emit(d.rollup, "BalanceFunded").withArgs(s.address, need + 5n);
      expect(await d.client.claimable(s.address)).to.equal(need + 5n);
      const wallet = await d.token.balanceOf(s.address);
      await nextTxAt((await d.client.timeline(1n)).commitStart);
      const tx = d.rollup.connect(s.signer).commitProver(1n, s.address, "0x", p!.vrfProof);
      await expect(tx).to.emit(d.rollup, "ProverCommitted").withArgs(1n, s.address, s.address, s.address, d.config.proverDeposit, p!.proverTip, p!.score, true);
      await expect(tx).not.to.emit(d.token, "Transfer");
      expect(await d.token.balanceOf(s.address)).to.equal(wallet);
      expect([await d.client.claimable(s.address), await d.rollup.totalEscrowed()]).to.deep.equal([5n, need]);
      await expectBooksBalanced(d);
      await expect(d.rollup.connect(s.signer).claim()).to.emit(d.rollup, "Claimed").withArgs(s.address, 5n);
      expect(await d.token.balanceOf(s.address)).to.equal(wallet + 5n);
      await expectBooksBalanced(d);
    });

    it("setAggregator(0) by the deployer reverts ZeroAddress; fundRewards(0) reverts ZeroAmount", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      await expect(d.rollup.setAggregator(ethers.ZeroAddress)).to.be.revertedWithCustomError(d.rollup, "Rollup__ZeroAddress");
      await expect(d.rollup.fundRewards(0n)).to.be.revertedWithCustomError(d.rollup, "Rollup__ZeroAmount");
      expect(await d.rollup.aggregator()).to.equal(ethers.ZeroAddress);
    });

    it("fundRewards that would take the pool past 2^128 base units reverts SafeCastOverflowedUintDowncast (the pool shares a word with totalEscrowed) and changes nothing", async function () {
      const d = await networkHelpers.loadFixture(defaultFixture);
      const huge = 2n ** 128n;
      await d.token.mint(d.outsider.address, huge);
      await d.token.connect(d.outsider).approve(d.client.address, huge);
      const [pool, escrowed] = [await d.rollup.rewardPool(), await d.rollup.totalEscrowed()];
      await expect(d.rollup.connect(d.outsider).fundRewards(huge - pool))
        .to.be.revertedWithCustomError(d.rollup, "SafeCastOverflowedUintDowncast");
      expect([await d.rollup.rewardPool(), await d.rollup.totalEscrowed()]).to.deep.equal([pool, escrowed]);
      // Up to the bound, the pool takes it and totalEscrowed, in the same word, is untouched.
      await d.rollup.connect(d.outsider).fundRewards(huge - 1n - pool);
      expect([await d.rollup.rewardPool(), await d.rollup.totalEscrowed()]).to.deep.equal([huge - 1n, escrowed]);
      await expectBooksBalanced(d);
    });
  });

  describe("Staking", function () {
    it("Staking constructor: a zero token reverts ZeroAddress, a zero owner OwnableInvalidOwner, a zero minimum stake InvalidConfig, an exit delay above 2^32 - 1 InvalidConfig", async function () {
      const { owner, token, staking } = await networkHelpers.loadFixture(stakingFixture);
      const tokenAddr = await token.getAddress();
      await expect(ethers.deployContract("Staking", [ethers.ZeroAddress, MIN, MIN, 5n, owner.address])).to.be.revertedWithCustomError(staking, "Staking__ZeroAddress");
      await expect(ethers.deployContract("Staking", [tokenAddr, MIN, MIN, 5n, ethers.ZeroAddress]))
        .to.be.revertedWithCustomError(staking, "OwnableInvalidOwner").withArgs(ethers.ZeroAddress);
      for (const [seqMin, proverMin] of [[0n, MIN], [MIN, 0n]]) {
        await expect(ethers.deployContract("Staking", [tokenAddr, seqMin, proverMin, 5n, owner.address]))
          .to.be.revertedWithCustomError(staking, "Staking__InvalidConfig").withArgs("minStake");
      }
      // Exit blocks are stored in 48 bits: a larger delay could make initiateExit overflow and trap the stake.
      await expect(ethers.deployContract("Staking", [tokenAddr, MIN, MIN, 2n ** 32n, owner.address]))
        .to.be.revertedWithCustomError(staking, "Staking__InvalidConfig").withArgs("exitDelay");
      const longest = await ethers.deployContract("Staking", [tokenAddr, MIN, MIN, 2n ** 32n - 1n, owner.address]);
      expect(await longest.exitDelay()).to.equal(2n ** 32n - 1n);
    });

    it("setRollup: only the owner (OwnableUnauthorizedAccount), never address 0 (ZeroAddress)", async function () {
      const { alice, rollup, staking } = await networkHelpers.loadFixture(stakingFixture);
      await expect(staking.connect(alice).setRollup(rollup.address))
        .to.be.revertedWithCustomError(staking, "OwnableUnauthorizedAccount").withArgs(alice.address);
      await expect(staking.setRollup(ethers.ZeroAddress)).to.be.revertedWithCustomError(staking, "Staking__ZeroAddress");
      await expect(staking.setRollup(rollup.address)).to.emit(staking, "RollupSet").withArgs(rollup.address);
    });

    it("stake: amount 0 reverts ZeroAmount, role None reverts RoleMismatch(0, 0), staking while exiting reverts ExitAlreadyRequested", async function () {
      const { alice, staking } = await networkHelpers.loadFixture(stakingFixture);
      await expect(staking.connect(alice).stake(Role.Sequencer, 0n)).to.be.revertedWithCustomError(staking, "Staking__ZeroAmount");
      await expect(staking.connect(alice).stake(0, MIN)).to.be.revertedWithCustomError(staking, "Staking__RoleMismatch").withArgs(0, 0);
      await staking.connect(alice).stake(Role.Sequencer, MIN);
      await staking.connect(alice).initiateExit();
      await expect(staking.connect(alice).stake(Role.Sequencer, MIN))
        .to.be.revertedWithCustomError(staking, "Staking__ExitAlreadyRequested").withArgs(alice.address);
    });

    it("stake: a top-up above the minimum keeps activeFrom; after a slash below the minimum a top-up must reach it again and restarts activeFrom", async function () {
      const { alice, rollup, staking, chainId } = await networkHelpers.loadFixture(stakingFixture);
      await staking.setRollup(rollup.address);
      await staking.connect(alice).stake(Role.Sequencer, MIN);
      const { sk, pk } = vrfKeyFromSeed("alice-topup");
      await staking.connect(alice).registerVrfKey(pk, publicKeyG1Of(sk), popProve(sk, { chainId, verifier: await staking.getAddress(), owner: alice.address }));
      const since = await staking.activeSince(alice.address, Role.Sequencer);
      await networkHelpers.mine(5);
      await staking.connect(alice).stake(Role.Sequencer, E18);
      expect(await staking.activeSince(alice.address, Role.Sequencer)).to.equal(since);
      await staking.connect(rollup).slash(alice.address, MIN / 2n, rollup.address);
      expect(await staking.activeSince(alice.address, Role.Sequencer)).to.equal(ethers.MaxUint256); // below the minimum
      const have = MIN / 2n + E18;
      await expect(staking.connect(alice).stake(Role.Sequencer, E18))
        .to.be.revertedWithCustomError(staking, "Staking__StakeBelowMinimum").withArgs(have + E18, MIN);
      const r = await (await staking.connect(alice).stake(Role.Sequencer, MIN / 2n)).wait();
      expect(await staking.activeSince(alice.address, Role.Sequencer)).to.equal(BigInt(r!.blockNumber));
    });

    it("registerVrfKey: re-registering the caller's own key is a rotation that keeps it the key's owner", async function () {
      const { alice, staking, chainId } = await networkHelpers.loadFixture(stakingFixture);
      const { sk, pk } = vrfKeyFromSeed("alice-again");
      const pop = popProve(sk, { chainId, verifier: await staking.getAddress(), owner: alice.address });
      await staking.connect(alice).registerVrfKey(pk, publicKeyG1Of(sk), pop);
      const first = await staking.stakerOf(alice.address);
      await expect(staking.connect(alice).registerVrfKey(pk, publicKeyG1Of(sk), pop)).to.emit(staking, "VrfKeyRegistered");
      const again = await staking.stakerOf(alice.address);
      expect(again.keyHash).to.equal(first.keyHash);
      expect(again.prevKeyHash).to.equal(first.keyHash);
      expect(again.prevKeyFrom).to.equal(first.keyFrom);
      expect(await staking.keyOwner(first.keyHash)).to.equal(alice.address);
    });

    it("ownership (OpenZeppelin Ownable): only the owner transfers or renounces it, never to address 0; once renounced, setRollup is closed", async function () {
      const { owner, alice, rollup, staking } = await networkHelpers.loadFixture(stakingFixture);
      await expect(staking.connect(alice).transferOwnership(alice.address))
        .to.be.revertedWithCustomError(staking, "OwnableUnauthorizedAccount").withArgs(alice.address);
      await expect(staking.transferOwnership(ethers.ZeroAddress)).to.be.revertedWithCustomError(staking, "OwnableInvalidOwner").withArgs(ethers.ZeroAddress);
      await expect(staking.connect(alice).renounceOwnership()).to.be.revertedWithCustomError(staking, "OwnableUnauthorizedAccount").withArgs(alice.address);
      await expect(staking.transferOwnership(alice.address)).to.emit(staking, "OwnershipTransferred").withArgs(owner.address, alice.address);
      await expect(staking.connect(alice).renounceOwnership()).to.emit(staking, "OwnershipTransferred").withArgs(alice.address, ethers.ZeroAddress);
      await expect(staking.connect(alice).setRollup(rollup.address)).to.be.revertedWithCustomError(staking, "OwnableUnauthorizedAccount");
      expect(await staking.rollup()).to.equal(ethers.ZeroAddress);
    });

    it("initiateExit without a stake reverts NotStaked", async function () {
      const { bob, staking } = await networkHelpers.loadFixture(stakingFixture);
      await expect(staking.connect(bob).initiateExit()).to.be.revertedWithCustomError(staking, "Staking__NotStaked").withArgs(bob.address);
    });

    it("slash: recipient 0 reverts ZeroAddress, amount 0 moves nothing; withdraw after a full slash pays nothing and clears the record", async function () {
      const { alice, bob, rollup, token, staking } = await networkHelpers.loadFixture(stakingFixture);
      await staking.setRollup(rollup.address);
      await staking.connect(alice).stake(Role.Sequencer, MIN);
      await expect(staking.connect(rollup).slash(alice.address, 1n, ethers.ZeroAddress)).to.be.revertedWithCustomError(staking, "Staking__ZeroAddress");
      const bobBal = await token.balanceOf(bob.address);
      await expect(staking.connect(rollup).slash(alice.address, 0n, bob.address)).to.emit(staking, "Slashed").withArgs(alice.address, 0n, bob.address);
      expect(await token.balanceOf(bob.address)).to.equal(bobBal);
      expect(await staking.stakeOf(alice.address)).to.equal(MIN);
      await staking.connect(alice).initiateExit();
      await staking.connect(rollup).slash(alice.address, MIN, bob.address);
      await networkHelpers.mine(DEFAULT_STAKING.exitDelay);
      const bal = await token.balanceOf(alice.address);
      await expect(staking.connect(alice).withdraw()).to.emit(staking, "Withdrawn").withArgs(alice.address, 0n);
      expect(await token.balanceOf(alice.address)).to.equal(bal);
      const rec = await staking.stakerOf(alice.address);
      expect([rec.role, rec.amount, rec.exitAt]).to.deep.equal([0n, 0n, 0n]);
      expect(await staking.totalStaked()).to.equal(0n);
    });
  });

  describe("ProofAggregator", function () {
    it("ProofAggregator constructor: zero rollup or verifier reverts ZeroAddress, verifyWindow 0 reverts InvalidConfig, a verifier with another input count reverts VerifierMismatch", async function () {
      const d = await networkHelpers.loadFixture(aggregatorFixture);
      const bv = await d.batchVerifier.getAddress();
      const agg = d.aggregator;
      await expect(ethers.deployContract("ProofAggregator", [ethers.ZeroAddress, bv, AGG_CONFIG])).to.be.revertedWithCustomError(agg, "ProofAggregator__ZeroAddress");
      await expect(ethers.deployContract("ProofAggregator", [d.client.address, ethers.ZeroAddress, AGG_CONFIG])).to.be.revertedWithCustomError(agg, "ProofAggregator__ZeroAddress");
      await expect(ethers.deployContract("ProofAggregator", [d.client.address, bv, { ...AGG_CONFIG, verifyWindow: 0n }]))
        .to.be.revertedWithCustomError(agg, "ProofAggregator__InvalidConfig").withArgs("verifyWindow");
      const wrong = await ethers.deployContract("MockBatchVerifier", [6n + SLOTS]);
      await expect(ethers.deployContract("ProofAggregator", [d.client.address, await wrong.getAddress(), AGG_CONFIG]))
        .to.be.revertedWithCustomError(agg, "ProofAggregator__VerifierMismatch").withArgs(6n + SLOTS, 5n + SLOTS);
    });

    it("ProofAggregator.fundBalance: 0 reverts ZeroAmount; funds credit the sender's balance there (not the Rollup's) and claim withdraws them", async function () {
      const d = await networkHelpers.loadFixture(aggregatorFixture);
      await expect(d.aggregator.connect(d.outsider).fundBalance(0n)).to.be.revertedWithCustomError(d.aggregator, "PullPayments__ZeroAmount");
      await expect(d.aggregator.connect(d.outsider).fundBalance(7n)).to.emit(d.aggregator, "BalanceFunded").withArgs(d.outsider.address, 7n);
      expect([await d.aggregator.claimable(d.outsider.address), await d.client.claimable(d.outsider.address)]).to.deep.equal([7n, 0n]);
      await expect(d.aggregator.connect(d.outsider).claim()).to.emit(d.aggregator, "Claimed").withArgs(d.outsider.address, 7n);
      expect(await d.aggregator.totalClaimable()).to.equal(0n);
    });

    it("ProofAggregator.claim with nothing owed reverts NothingToClaim", async function () {
      const d = await networkHelpers.loadFixture(aggregatorFixture);
      await expect(d.aggregator.connect(d.outsider).claim()).to.be.revertedWithCustomError(d.aggregator, "PullPayments__NothingToClaim");
    });

    it("verifyBatch of a height proven meanwhile by submitProof reverts AlreadyProven; challengePostedProof of an on-time post drops it from onTimePosts", async function () {
      const d = await networkHelpers.loadFixture(aggregatorFixture);
      const { winner } = await runHeight(d, 1n, [d.seqs[0]!]);
      await endCommit(d, 1n);
      const good = await proofFor(d, 1n, winner, d.prover.address);
      const junk = mockProof([1n]);
      await d.aggregator.connect(d.prover).postProof(1n, good, d.prover.address);
      await d.aggregator.connect(d.outsider).postProof(1n, junk, d.prover.address);
      expect(await d.aggregator.onTimePosts(1n)).to.equal(2n);
      await expect(d.aggregator.connect(d.seqs[1]!.signer).challengePostedProof(1n, junk, d.prover.address, winner.block.pubdata))
        .to.emit(d.aggregator, "PostedProofRejected");
      expect(await d.aggregator.onTimePosts(1n)).to.equal(1n);
      await d.rollup.connect(d.outsider).submitProof(1n, good, winner.block.pubdata, d.prover.address);
      await expect(d.aggregator.verifyBatch([1n], [good], [d.prover.address], [winner.block.pubdata]))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyProven").withArgs(1n);
    });

    it("postProof over a fee-on-transfer token: a bond that arrives short reverts InsufficientReceived", async function () {
      const [owner, seq, poster] = await ethers.getSigners();
      const token = await ethers.deployContract("MockFeeOnTransferToken", [100n]); // 1%
      const staking = await ethers.deployContract("Staking", [await token.getAddress(), MIN, MIN, DEFAULT_STAKING.exitDelay, owner!.address]);
      const verifier = await ethers.deployContract("MockBlockVerifier");
      const chainId = (await ethers.provider.getNetwork()).chainId;
      const { sk, pk } = vrfKeyFromSeed("fee-agg-seq");
      for (const a of [seq!, poster!]) await token.mint(a.address, 10_000n * E18);
      await token.connect(seq!).approve(await staking.getAddress(), 2n ** 255n);
      await staking.connect(seq!).stake(Role.Sequencer, 2n * MIN);
      await staking.connect(seq!).registerVrfKey(pk, publicKeyG1Of(sk), popProve(sk, { chainId, verifier: await staking.getAddress(), owner: seq!.address }));
      // proverDeposit 0: a short deposit would stop the height before the post.
      const genesisBlock = BigInt(await ethers.provider.getBlockNumber()) + 12n;
      const config = defaultRollupConfig({ slots: SLOTS, genesisRoot: GENESIS_ROOT }, { ...TEST_CONFIG, genesisBlock, proverDeposit: 0n });
      const rollup = await deployRollup((await ethers.getSigners())[0], config, await staking.getAddress(), await verifier.getAddress());
      const client = new RollupClient(await rollup.getAddress(), ethers.provider);
      const bv = await ethers.deployContract("MockBatchVerifier", [5n + SLOTS]);
      const aggregator = await ethers.deployContract("ProofAggregator", [client.address, await bv.getAddress(), AGG_CONFIG]);
      await rollup.setAggregator(await aggregator.getAddress());
      await token.connect(poster!).approve(await aggregator.getAddress(), 2n ** 255n);

      const t = await client.timeline(1n);
      await ensureSeed({ client, outsider: poster! }, 1n);
      await nextTxAt(t.proposalStart);
      const block = makeBlock(1);
      const randomness = await client.randomnessOf(1n);
      const { proof } = vrfProve(sk, { chainId, verifier: client.address, randomness, height: 1n });
      const commitment = blockCommitment({ proposer: seq!.address, height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
      await rollup.connect(seq!).propose(1n, proof, commitment, 0, 0, 0, randomness);
      await nextTxAt(t.revealStart);
      await rollup.connect(seq!).reveal(1n, 0n, block.newRoot, block.pubdata, block.salt, dummySignatures(block.pubdata));
      await nextTxAt(t.commitStart);
      await rollup.connect(seq!).commitProver(1n, seq!.address, "0x", proof);
      await nextTxAt(t.commitEnd);
      const bond = AGG_CONFIG.postBond;
      await expect(aggregator.connect(poster!).postProof(1n, mockProof([1n]), poster!.address))
        .to.be.revertedWithCustomError(aggregator, "ProofAggregator__InsufficientReceived").withArgs(bond - bond / 100n, bond);
    });
  });
});
