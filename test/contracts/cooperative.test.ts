/**
 * The Cooperative design on the real contracts (verifier stand-in: MockBlockVerifier, which accepts a proof iff it
 * commits to the exact public inputs, so every test below also checks the unit statement the contract builds).
 * Seed 002's worked example, the election and acceptance rules, the attacks (copied proofs, burnt shares, foreign
 * VRF outputs, wrong design), the late rescue and the reorg of a height with a unit nobody proved.
 */
import { expect } from "chai";
import { concat, hexlify, keccak256, randomBytes, toBeHex } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { vrfKeyFromSeed, vrfProve, popProve, publicKeyG1Of } from "../../src/vrf/index.js";
import { Role, HeightStatus, blockCommitment, DEFAULT_STAKING, type ProofWords } from "../../src/client/index.js";
import { unitStatement, unitVrfInput, unitScore, proverReward, networkReward, placeInUnit, type UnitEntry } from "../../src/cooperative.js";
import { BURN_ADDRESS } from "../../src/protocol.js";
import {
  ethers,
  networkHelpers,
  deployFixture,
  nextTxAt,
  ensureSeed,
  vrfFor,
  mockProof,
  dummySignatures,
  booksBalance,
  E18,
  type Deployment,
  type Sequencer,
} from "./helpers.js";

const COOPERATIVE = 1n;

interface Prover {
  signer: HardhatEthersSigner;
  address: string;
  sk: bigint;
}

interface CoopBlock {
  pubdata: string;
  newRoot: bigint;
  roots: bigint[];
  salt: string;
}

interface CoopHeight {
  height: bigint;
  seq: Sequencer;
  block: CoopBlock;
  parentRoot: bigint;
  winnerOutput: bigint;
  randomness: bigint;
  vrfProof: [bigint, bigint, bigint, bigint];
}

/** A block of T slots, each a transfer word (from, to, amount, fee), and K - 1 arbitrary intermediate roots. */
function coopBlock(seed: number, T: number, K: number, fee: bigint): CoopBlock {
  const slots = [];
  for (let i = 0; i < T; i++) slots.push(concat([toBeHex(1 + i, 4), toBeHex(2 + i, 4), toBeHex(1000 + seed, 8), toBeHex(fee, 4)]));
  const root = (x: number) => BigInt(keccak256(toBeHex(seed * 1000 + x, 32))) >> 8n;
  return {
    pubdata: hexlify(concat(slots)),
    newRoot: root(999),
    roots: Array.from({ length: K - 1 }, (_, i) => root(i)),
    salt: hexlify(randomBytes(32)),
  };
}

/** Public inputs of unit `unit`: [rootIn, rootOut, unitFees, payee, domain, words..., feeBurnBps]. */
function unitInputs(h: CoopHeight, K: number, unit: number, payee: string, domain: bigint, feeBurnBps: bigint): bigint[] {
  return unitStatement({ pubdata: h.block.pubdata, units: K, unit, parentRoot: h.parentRoot, newRoot: h.block.newRoot, intermediateRoots: h.block.roots, payee, domain, feeBurnBps });
}

async function stakeProvers(d: Deployment, n: number): Promise<Prover[]> {
  const signers = await ethers.getSigners();
  const stakingAddr = await d.staking.getAddress();
  const out: Prover[] = [];
  for (let i = 0; i < n; i++) {
    const signer = signers[6 + i]!;
    const { sk, pk } = vrfKeyFromSeed(`coop-prover-${i}`);
    await d.token.mint(signer.address, 2_000n * E18);
    await d.token.connect(signer).approve(stakingAddr, DEFAULT_STAKING.minProverStake);
    await d.staking.connect(signer).stake(Role.Prover, DEFAULT_STAKING.minProverStake);
    const pop = popProve(sk, { chainId: d.chainId, verifier: stakingAddr, owner: signer.address });
    await d.staking.connect(signer).registerVrfKey(pk, publicKeyG1Of(sk), pop);
    out.push({ signer, address: signer.address, sk });
  }
  return out;
}

/** The first height whose activation cutoff is after everything staked so far (so the provers are eligible). */
async function firstEligibleHeight(d: Deployment): Promise<bigint> {
  const now = BigInt(await ethers.provider.getBlockNumber());
  let h = 1n;
  while ((await d.client.activationCutoff(h)) <= now) h++;
  return h;
}

/** Proposes, reveals and commits (with its roots and bond) one block of `seq` at `height`. */
async function runCoopHeight(
  d: Deployment,
  height: bigint,
  seq: Sequencer,
  block: CoopBlock,
  feeSplitBps: bigint,
): Promise<CoopHeight> {
  const t = await d.client.timeline(height);
  await ensureSeed(d, height);
  await nextTxAt(t.proposalStart);
  const parent = await d.client.chainTip();
  const { proof, output, randomness } = await vrfFor(d, seq, height);
  const commitment = blockCommitment({ proposer: seq.address, height, parent, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
  await d.client.connect(seq.signer).propose({ height, vrfProof: proof, commitment, feeSplitBps, proverTip: 0n, proverRewardShareBps: 0n, randomness });
  await nextTxAt(t.revealStart);
  await d.client.connect(seq.signer).reveal({ height, parent, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt, signatures: dummySignatures(block.pubdata) });
  await nextTxAt(t.commitStart);
  await d.rollup.connect(seq.signer).commitUnits(height, block.roots, proof);
  await nextTxAt(t.commitEnd);
  return { height, seq, block, parentRoot: await d.client.rootOf(parent), winnerOutput: output, randomness, vrfProof: proof };
}

/** A prover's unit submission: its VRF over the unit input, its score, and the mock proof of its inputs. */
function unitSubmission(d: Deployment, h: CoopHeight, K: number, unit: number, prover: Prover, feeBurnBps: bigint, payee = prover.address) {
  const input = unitVrfInput(h.randomness, h.winnerOutput, BigInt(unit));
  const vrf = vrfProve(prover.sk, { chainId: d.chainId, verifier: d.client.address, randomness: input, height: h.height });
  const proof: ProofWords = mockProof(unitInputs(h, K, unit, payee, d.domain, feeBurnBps));
  return {
    args: { height: h.height, unit: BigInt(unit), proof, payee, feeBurnBps, vrfProof: vrf.proof },
    score: unitScore(vrf.output, feeBurnBps),
  };
}

async function submitUnit(d: Deployment, h: CoopHeight, K: number, unit: number, prover: Prover, feeBurnBps: bigint, from?: HardhatEthersSigner) {
  const s = unitSubmission(d, h, K, unit, prover, feeBurnBps);
  await d.rollup.connect(from ?? prover.signer).submitUnitProof(s.args, h.block.pubdata, h.block.roots);
  return s.score;
}

async function claimable(d: Deployment, who: string): Promise<bigint> {
  return d.rollup.claimable(who);
}

describe("Cooperative design (seed 002) on the contracts, verifier stand-in", function () {
  this.timeout(600_000);

  it("reproduces seed 002's worked example: 31 units, 1000 tokens, FEE_SPLIT 80 %, 800e18 / 93 per proof, x 0.6 at FEE_BURN 40 %", async () => {
    const T = 31;
    const K = 31;
    const d = await deployFixture({
      provingDesign: COOPERATIVE, units: BigInt(K), slots: BigInt(T), blockReward: 1_000n * E18, provingWindow: 200n,
    });
    await d.rollup.fundRewards(2_000n * E18);
    const provers = await stakeProvers(d, 3);
    const height = await firstEligibleHeight(d);
    const seq = d.seqs[0]!;
    // Fees of 0 in every slot: the pot is exactly the block reward, 1000 tokens.
    const h = await runCoopHeight(d, height, seq, coopBlock(1, T, K, 0n), 8_000n);
    const feeBurns = [4_000n, 0n, 10_000n];
    const before = await Promise.all(provers.map((p) => claimable(d, p.address)));
    const seqBefore = await claimable(d, seq.address);
    const burntBefore = await claimable(d, BURN_ADDRESS);
    for (let unit = 0; unit < K; unit++) {
      for (const [i, p] of provers.entries()) await submitUnit(d, h, K, unit, p, feeBurns[i]!);
    }
    // Proven at the first proof of the last unit and finalized (its parent is final); paid after the deadline.
    expect((await d.client.getHeight(height)).status).to.equal(HeightStatus.Finalized);
    await nextTxAt((await d.client.timeline(height)).provingDeadline);
    await expect(d.rollup.settleUnits(height)).to.emit(d.rollup, "UnitsSettled");

    const network = 800n * E18;
    expect(networkReward(1_000n * E18, 8_000n)).to.equal(network);
    const perProof = network / 93n;
    expect(perProof).to.equal(8_602_150_537_634_408_602n); // 8.6 tokens
    expect(proverReward(network, 31n, 4_000n)).to.equal(5_161_290_322_580_645_161n); // 5.16 tokens
    for (const [i, p] of provers.entries()) {
      const expected = 31n * proverReward(network, 31n, feeBurns[i]!);
      expect((await claimable(d, p.address)) - before[i]!).to.equal(expected);
    }
    // The sequencer keeps 20 % and gets its bond back; the rest of the network reward is burnt, dust included.
    expect((await claimable(d, seq.address)) - seqBefore).to.equal(200n * E18 + d.config.proverDeposit);
    const paid = 31n * (proverReward(network, 31n, 4_000n) + proverReward(network, 31n, 0n));
    expect((await claimable(d, BURN_ADDRESS)) - burntBefore).to.equal(network - paid);
    const books = await booksBalance(d);
    expect(books.held).to.equal(books.owed);
    expect(await d.rollup.totalEscrowed()).to.equal(0n);
  });

  it("deployment: K must divide T (Sidecar has K = 1), and Cooperative's windows must end within the randomness rings", async () => {
    const [signer] = await ethers.getSigners();
    const { deployRollup } = await import("../../src/client/deploy.js");
    const { defaultRollupConfig } = await import("../../src/client/index.js");
    const d = await deployFixture();
    const staking = await d.staking.getAddress();
    const verifier = await d.verifier.getAddress();
    const cfg = (o: Record<string, bigint>) => defaultRollupConfig({ slots: 2n, genesisRoot: 1n }, o);
    const refused = async (o: Record<string, bigint>, field: string) => {
      let err: unknown;
      try {
        await deployRollup(signer!, cfg(o), staking, verifier);
      } catch (e) {
        err = e;
      }
      expect(String(err)).to.contain("Rollup__InvalidConfig").and.to.contain(field);
    };
    await refused({ units: 2n }, "units"); // Sidecar
    await refused({ provingDesign: 1n, units: 3n }, "units"); // 3 does not divide 2
    await refused({ provingDesign: 1n, units: 0n }, "units");
    await refused({ provingDesign: 1n, units: 2n, provingWindow: 100n, lateWindow: 9n }, "proving windows"); // > 12 periods of 9
    await deployRollup(signer!, cfg({ provingDesign: 1n, units: 2n, provingWindow: 98n, lateWindow: 10n }), staking, verifier);
  });

  it("a Sidecar Rollup refuses Cooperative's entry points", async () => {
    const d = await deployFixture();
    const proof = [0n, 0n, 0n, 0n] as [bigint, bigint, bigint, bigint];
    await expect(d.rollup.connect(d.seqs[0]!.signer).commitUnits(1n, [], proof)).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongDesign");
    const u = { height: 1n, unit: 0n, proof: mockProof([1n]), payee: d.outsider.address, feeBurnBps: 0n, vrfProof: proof };
    await expect(d.rollup.connect(d.outsider).submitUnitProof(u, "0x", [])).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongDesign");
  });

  describe("election and acceptance (T = 2, K = 2)", () => {
    const T = 2;
    const K = 2;
    let d: Deployment;
    let provers: Prover[];
    let h: CoopHeight;

    async function fixture() {
      const dd = await deployFixture({ provingDesign: COOPERATIVE, units: BigInt(K), slots: BigInt(T) });
      const pp = await stakeProvers(dd, 5);
      const height = await firstEligibleHeight(dd);
      const hh = await runCoopHeight(dd, height, dd.seqs[0]!, coopBlock(7, T, K, 5n), 5_000n);
      return { d: dd, provers: pp, h: hh };
    }

    beforeEach(async () => {
      ({ d, provers, h } = await networkHelpers.loadFixture(fixture));
    });

    it("refuses the other design's entry points and a commit with the wrong number of roots", async () => {
      await expect(d.rollup.connect(d.outsider).submitProof(h.height, mockProof([1n]), h.block.pubdata, d.outsider.address))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__WrongDesign");
      const t = await d.client.timeline(h.height + 1n);
      await ensureSeed(d, h.height + 1n);
      await nextTxAt(t.proposalStart);
      const seq = d.seqs[1]!;
      const block = coopBlock(8, T, K, 1n);
      const parent = await d.client.chainTip();
      const { proof, randomness } = await vrfFor(d, seq, h.height + 1n);
      const commitment = blockCommitment({ proposer: seq.address, height: h.height + 1n, parent, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
      await expect(d.rollup.connect(seq.signer).propose(h.height + 1n, proof, commitment, 0n, 1n, 0n, randomness))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__TermsNotInDesign");
      await d.client.connect(seq.signer).propose({ height: h.height + 1n, vrfProof: proof, commitment, feeSplitBps: 0n, proverTip: 0n, proverRewardShareBps: 0n, randomness });
      await nextTxAt(t.revealStart);
      await d.client.connect(seq.signer).reveal({ height: h.height + 1n, parent, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt, signatures: dummySignatures(block.pubdata) });
      await nextTxAt(t.commitStart);
      await expect(d.rollup.connect(seq.signer).commitProver(h.height + 1n, seq.address, "0x", proof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__WrongDesign");
      await expect(d.rollup.connect(seq.signer).commitUnits(h.height + 1n, [1n, 2n], proof))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__BadUnitRoots");
      await expect(d.rollup.setAggregator(d.outsider.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__WrongDesign");
    });

    it("a copied proof cannot change its payee or its FEE_BURN; a foreign or forged VRF output is refused", async () => {
      const [a, b, , , outsiderProver] = provers;
      const s = unitSubmission(d, h, K, 0, a!, 2_000n);
      // Copy a's proof words, put b as payee (b's own VRF proof): the statement differs, the proof fails.
      const copied = { ...unitSubmission(d, h, K, 0, b!, 2_000n).args, proof: s.args.proof };
      await expect(d.rollup.connect(b!.signer).submitUnitProof(copied, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProof");
      // Resubmit a's proof with FEE_BURN 100 % (burning a's share): the statement differs.
      const burnt = { ...s.args, feeBurnBps: 10_000n };
      await expect(d.rollup.connect(b!.signer).submitUnitProof(burnt, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProof");
      // a's VRF proof with b as payee: it is not b's output.
      const foreign = { ...unitSubmission(d, h, K, 0, b!, 0n).args, vrfProof: s.args.vrfProof };
      await expect(d.rollup.connect(b!.signer).submitUnitProof(foreign, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidVrfProof");
      // A VRF proof for another unit.
      const otherUnit = { ...s.args, vrfProof: unitSubmission(d, h, K, 1, a!, 2_000n).args.vrfProof };
      await expect(d.rollup.connect(a!.signer).submitUnitProof(otherUnit, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidVrfProof");
      // Wrong roots, wrong pubdata, unit out of range, FEE_BURN above 100 %, an unstaked payee.
      await expect(d.rollup.connect(a!.signer).submitUnitProof(s.args, h.block.pubdata, [123n]))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__UnitRootsMismatch");
      await expect(d.rollup.connect(a!.signer).submitUnitProof(s.args, coopBlock(9, T, K, 5n).pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__PubdataMismatch");
      await expect(d.rollup.connect(a!.signer).submitUnitProof({ ...s.args, unit: 2n }, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__BadUnit");
      await expect(d.rollup.connect(a!.signer).submitUnitProof({ ...s.args, feeBurnBps: 10_001n }, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__FeeBurnOutOfRange");
      await expect(d.rollup.connect(a!.signer).submitUnitProof({ ...s.args, payee: ethers.ZeroAddress }, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__ZeroAddress");
      const unstaked = { signer: d.outsider, address: d.outsider.address, sk: vrfKeyFromSeed("unstaked").sk };
      await expect(d.rollup.connect(d.outsider).submitUnitProof(unitSubmission(d, h, K, 0, unstaked, 0n).args, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__NotEligibleProver");
      // Nothing of the above changed the unit; the original is accepted, and only once.
      await d.rollup.connect(outsiderProver!.signer).submitUnitProof(s.args, h.block.pubdata, h.block.roots);
      await expect(d.rollup.connect(a!.signer).submitUnitProof(s.args, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__AlreadyInUnit");
      const set = await d.rollup.unitEntries(h.height, 0n);
      expect(set[0].payee).to.equal(a!.address); // sent by another account, paid to its author
    });

    it("keeps the three highest scores: a higher score displaces the lowest, a lower one is refused", async () => {
      const subs = provers.map((p, i) => unitSubmission(d, h, K, 0, p, BigInt(i) * 1_000n));
      let model: (UnitEntry | undefined)[] = [undefined, undefined, undefined];
      for (const [i, s] of subs.entries()) {
        const placed = placeInUnit(model, { payee: provers[i]!.address, feeBurnBps: s.args.feeBurnBps, score: s.score });
        const tx = d.rollup.connect(provers[i]!.signer).submitUnitProof(s.args, h.block.pubdata, h.block.roots);
        if ("refused" in placed) {
          await expect(tx).to.be.revertedWithCustomError(d.rollup, `Rollup__${placed.refused}`);
          continue;
        }
        await expect(tx).to.emit(d.rollup, "UnitProofAccepted")
          .withArgs(h.height, 0n, provers[i]!.address, s.args.feeBurnBps, s.score, placed.displaced ?? ethers.ZeroAddress, false);
        model = placed.set;
      }
      const onChain = await d.rollup.unitEntries(h.height, 0n);
      expect(onChain.map((e) => e.payee)).to.deep.equal(model.map((e) => e!.payee));
      // The paid set is the top three of the five scores.
      const top3 = subs.map((s, i) => ({ s: s.score, a: provers[i]!.address })).sort((x, y) => (x.s > y.s ? -1 : 1)).slice(0, 3).map((x) => x.a);
      expect([...onChain.map((e) => e.payee)].sort()).to.deep.equal([...top3].sort());
    });

    it("after the deadline only an unproven unit takes a proof: the late rescuer gets its share of the bond (capped at half an on-time proof's pay), the rest is burnt", async () => {
      const [a, b] = provers;
      await submitUnit(d, h, K, 0, a!, 0n);
      const t = await d.client.timeline(h.height);
      await nextTxAt(t.provingDeadline);
      // Unit 0 is closed; unit 1 is rescued by anyone (here an unstaked account, no VRF needed).
      await expect(submitUnit(d, h, K, 0, b!, 0n)).to.be.revertedWithCustomError(d.rollup, "Rollup__UnitClosed");
      const rescuer = { signer: d.outsider, address: d.outsider.address, sk: 1n };
      const burntBefore = await claimable(d, BURN_ADDRESS);
      const before = await claimable(d, d.outsider.address);
      const s = unitSubmission(d, h, K, 1, rescuer, 0n);
      await expect(d.rollup.connect(d.outsider).submitUnitProof(s.args, h.block.pubdata, h.block.roots))
        .to.emit(d.rollup, "BondSettled");
      const bond = d.config.proverDeposit;
      const pot = d.config.blockReward + 10n; // two slots of fee 5
      const network = networkReward(pot, 5_000n);
      const cap = network / (2n * 3n) / 2n;
      const share = (bond * d.config.lateProverShareBps) / 10_000n;
      const toRescuer = share < cap ? share : cap;
      expect(toRescuer).to.equal(cap); // 50 tokens of bond share against a cap of about 0.42
      expect((await claimable(d, d.outsider.address)) - before).to.equal(toRescuer);
      // Finalized after the deadline: the paid set (a's one proof) is final, paid by settleUnits (never inside the
      // finalization: a chain of late heights finalized at once must not pay 3 K proofs each in one call); the
      // missing proofs' shares are burnt with the bond's slashed part.
      expect((await d.rollup.unitsOf(h.height)).settled).to.equal(false);
      await d.rollup.settleUnits(h.height);
      expect((await d.rollup.unitsOf(h.height)).settled).to.equal(true);
      const paidA = proverReward(network, 2n, 0n);
      expect((await claimable(d, BURN_ADDRESS)) - burntBefore).to.equal(bond - toRescuer + network - paidA);
      const books = await booksBalance(d);
      expect(books.held).to.equal(books.owed);
    });

    it("attack (review F1, F2): withholding a unit to rescue it pays less than proving it on time, and a rescued unit takes no paid slot even while a soft close keeps the height open", async () => {
      const ranked = provers.map((p) => ({ p, score: unitSubmission(d, h, K, 0, p, 0n).score })).sort((x, y) => (x.score < y.score ? -1 : 1));
      const attacker = ranked[4]!.p;
      for (const { p } of ranked.slice(0, 3)) await submitUnit(d, h, K, 0, p, 0n);
      const t = await d.client.timeline(h.height);
      // The attacker displaces the lowest of unit 0 two blocks before the deadline (the height's close moves on),
      // holds its proof of unit 1 and rescues it at the deadline.
      await nextTxAt(t.provingDeadline - 2n);
      await submitUnit(d, h, K, 0, attacker, 0n);
      const closeAt = (await d.rollup.unitsOf(h.height)).closeAt;
      expect(closeAt).to.be.greaterThan(t.provingDeadline);
      const before = await claimable(d, attacker.address);
      await nextTxAt(t.provingDeadline);
      const rescue = unitSubmission(d, h, K, 1, attacker, 0n);
      await expect(d.rollup.connect(attacker.signer).submitUnitProof(rescue.args, h.block.pubdata, h.block.roots))
        .to.emit(d.rollup, "UnitRescuePaid");
      const network = networkReward(d.config.blockReward + 10n, 5_000n);
      const onTime = proverReward(network, BigInt(K), 0n); // what the same proof of unit 1 earned on time
      const rescueGain = (await claimable(d, attacker.address)) - before;
      expect(rescueGain).to.equal(network / (BigInt(K) * 3n) / 2n);
      expect(rescueGain < onTime, "withholding never pays more than proving on time").to.equal(true);
      // The double dip: the same proof again, now for a paid slot of the unit it rescued, before the extended close.
      await expect(d.rollup.connect(attacker.signer).submitUnitProof(rescue.args, h.block.pubdata, h.block.roots))
        .to.be.revertedWithCustomError(d.rollup, "Rollup__UnitClosed");
      // Unit 0's slots stay open until the close (the soft close is not undone).
      await nextTxAt(closeAt);
      await d.rollup.settleUnits(h.height);
      expect((await d.rollup.unitEntries(h.height, 1n)).every((e) => e.payee === ethers.ZeroAddress)).to.equal(true);
      const books = await booksBalance(d);
      expect(books.held).to.equal(books.owed);
    });

    it("attack (review F3): with two units rescued, each rescuer is paid for its unit (no war of attrition for the completing proof)", async () => {
      const [a, b] = provers;
      const t = await d.client.timeline(h.height);
      await nextTxAt(t.provingDeadline);
      const burntBefore = await claimable(d, BURN_ADDRESS);
      const [ba, bb] = [await claimable(d, a!.address), await claimable(d, b!.address)];
      await submitUnit(d, h, K, 0, a!, 0n); // first rescue: the height still waits for unit 1
      expect((await d.client.getHeight(h.height)).status).to.equal(HeightStatus.Pending);
      await submitUnit(d, h, K, 1, b!, 0n); // the completing rescue
      const network = networkReward(d.config.blockReward + 10n, 5_000n);
      const share = (d.config.proverDeposit * d.config.lateProverShareBps) / 10_000n;
      const cap = network / (BigInt(K) * 3n) / 2n;
      const each = share / 2n < cap ? share / 2n : cap;
      expect((await claimable(d, a!.address)) - ba).to.equal(each);
      expect((await claimable(d, b!.address)) - bb).to.equal(each);
      // The rest of the bond is burnt (the whole network reward too, once settled: no paid proof).
      expect((await claimable(d, BURN_ADDRESS)) - burntBefore).to.equal(d.config.proverDeposit - 2n * each);
      const books = await booksBalance(d);
      expect(books.held).to.equal(books.owed);
    });

    it("a height with a unit nobody proves is reorged after the late window: the sequencer's bond is slashed", async () => {
      const [a] = provers;
      await submitUnit(d, h, K, 0, a!, 0n);
      const t = await d.client.timeline(h.height);
      await nextTxAt(t.lateDeadline);
      const escrowBefore = await d.rollup.totalEscrowed();
      const bounty = (d.config.proverDeposit * d.config.reorgBountyBps) / 10_000n;
      const before = await claimable(d, d.outsider.address);
      await d.client.connect(d.outsider).triggerReorg(h.height);
      expect((await d.client.getHeight(h.height)).status).to.equal(HeightStatus.Reorged);
      expect(escrowBefore - (await d.rollup.totalEscrowed())).to.equal(d.config.proverDeposit);
      expect((await claimable(d, d.outsider.address)) - before).to.equal(bounty);
      await expect(submitUnit(d, h, K, 1, a!, 0n)).to.be.revertedWithCustomError(d.rollup, "Rollup__HeightReorged");
      const books = await booksBalance(d);
      expect(books.held).to.equal(books.owed);
    });

    it("soft close: a displacement near the close moves it, so a better score can still answer; settlement waits for it", async () => {
      // Rank the five provers by their plain VRF score for unit 0.
      const ranked = provers
        .map((p) => ({ p, score: unitSubmission(d, h, K, 0, p, 0n).score }))
        .sort((x, y) => (x.score < y.score ? -1 : 1));
      for (const { p } of ranked.slice(0, 3)) await submitUnit(d, h, K, 0, p, 0n);
      await submitUnit(d, h, K, 1, ranked[0]!.p, 0n); // unit 1 proven: the height finalizes
      expect((await d.client.getHeight(h.height)).status).to.equal(HeightStatus.Finalized);
      const t = await d.client.timeline(h.height);
      const guard = d.config.unitSoftCloseBlocks;
      // The 4th displaces the lowest two blocks before the deadline: the close moves to that block + guard.
      await nextTxAt(t.provingDeadline - 2n);
      await submitUnit(d, h, K, 0, ranked[3]!.p, 0n);
      const displacedAt = BigInt(await ethers.provider.getBlockNumber());
      expect((await d.rollup.unitsOf(h.height)).closeAt).to.equal(displacedAt + guard);
      // After the deadline, before the close: the best score still takes its slot; nothing settles yet.
      await nextTxAt(t.provingDeadline + 1n);
      await expect(d.rollup.settleUnits(h.height)).to.be.revertedWithCustomError(d.rollup, "Rollup__UnitsNotSettleable");
      await submitUnit(d, h, K, 0, ranked[4]!.p, 0n);
      const payees = (await d.rollup.unitEntries(h.height, 0n)).map((e) => e.payee);
      expect([...payees].sort()).to.deep.equal(ranked.slice(2).map((r) => r.p.address).sort());
      // At the close, the slots are final and paid.
      await nextTxAt((await d.rollup.unitsOf(h.height)).closeAt);
      await expect(submitUnit(d, h, K, 0, ranked[1]!.p, 10_000n)).to.be.revertedWithCustomError(d.rollup, "Rollup__UnitClosed");
      await expect(d.rollup.settleUnits(h.height)).to.emit(d.rollup, "UnitsSettled");
      await expect(d.rollup.settleUnits(h.height)).to.be.revertedWithCustomError(d.rollup, "Rollup__UnitsNotSettleable");
    });

    it("without the soft close (unitSoftCloseBlocks = 0) the slots close at the deadline whatever happened before it", async () => {
      const dd = await deployFixture({ provingDesign: COOPERATIVE, units: BigInt(K), slots: BigInt(T), unitSoftCloseBlocks: 0n });
      const pp = await stakeProvers(dd, 5);
      const hh = await runCoopHeight(dd, await firstEligibleHeight(dd), dd.seqs[0]!, coopBlock(11, T, K, 1n), 0n);
      const ranked = pp.map((p) => ({ p, score: unitSubmission(dd, hh, K, 0, p, 0n).score })).sort((x, y) => (x.score < y.score ? -1 : 1));
      for (const { p } of ranked.slice(0, 3)) await submitUnit(dd, hh, K, 0, p, 0n);
      await submitUnit(dd, hh, K, 1, ranked[0]!.p, 0n);
      const t = await dd.client.timeline(hh.height);
      await nextTxAt(t.provingDeadline - 1n);
      await submitUnit(dd, hh, K, 0, ranked[3]!.p, 0n); // a snipe in the last block
      expect((await dd.rollup.unitsOf(hh.height)).closeAt).to.equal(0n);
      await expect(submitUnit(dd, hh, K, 0, ranked[4]!.p, 0n)).to.be.revertedWithCustomError(dd.rollup, "Rollup__UnitClosed");
    });

    it("fuzz: random submissions (valid, invalid, repeated, low) keep at most 3 paid per unit, the top 3 accepted scores, and conserve tokens", async () => {
      // mulberry32: a seeded PRNG, so that a failure replays.
      let state = 0x5eed;
      const rand = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const models: (UnitEntry | undefined)[][] = [[undefined, undefined, undefined], [undefined, undefined, undefined]];
      const accepted: UnitEntry[][] = [[], []];
      const seen = { refused: 0, invalid: 0, displaced: 0 };
      for (let i = 0; i < 40; i++) {
        const unit = Math.floor(rand() * K);
        const p = provers[Math.floor(rand() * provers.length)]!;
        const feeBurnBps = BigInt(Math.floor(rand() * 10_001));
        const s = unitSubmission(d, h, K, unit, p, feeBurnBps);
        const invalid = rand() < 0.2;
        const args = invalid ? { ...s.args, proof: mockProof([BigInt(i)]) } : s.args;
        const tx = d.rollup.connect(p.signer).submitUnitProof(args, h.block.pubdata, h.block.roots);
        const placed = placeInUnit(models[unit]!, { payee: p.address, feeBurnBps, score: s.score });
        if ("refused" in placed) {
          seen.refused++;
          await expect(tx).to.be.revertedWithCustomError(d.rollup, `Rollup__${placed.refused}`);
        } else if (invalid) {
          seen.invalid++;
          await expect(tx).to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidProof");
        } else {
          if (placed.displaced) seen.displaced++;
          await tx;
          models[unit] = placed.set;
          accepted[unit]!.push({ payee: p.address, feeBurnBps, score: s.score });
        }
        const onChain = await d.rollup.unitEntries(h.height, BigInt(unit));
        const filled = onChain.filter((e) => e.payee !== ethers.ZeroAddress);
        expect(filled.length).to.be.at.most(3);
        expect(onChain.map((e) => e.payee)).to.deep.equal(models[unit]!.map((e) => e?.payee ?? ethers.ZeroAddress));
        const top = [...accepted[unit]!].sort((x, y) => (x.score > y.score ? -1 : x.score < y.score ? 1 : 0)).slice(0, 3);
        expect(filled.map((e) => e.score).sort()).to.deep.equal(top.map((e) => e.score).sort());
      }
      // Settle: what the network reward paid and burnt adds up, and the books balance.
      const t = await d.client.timeline(h.height);
      await nextTxAt(t.provingDeadline);
      const status = (await d.client.getHeight(h.height)).status;
      expect(status).to.equal(HeightStatus.Finalized); // every unit got a valid proof in this sequence
      // The sequence exercised every path.
      expect(seen.refused).to.be.greaterThan(0);
      expect(seen.invalid).to.be.greaterThan(0);
      expect(seen.displaced).to.be.greaterThan(0);
      const rx = await (await d.rollup.settleUnits(h.height)).wait();
      const ev = rx!.logs.map((l) => { try { return d.rollup.interface.parseLog(l); } catch { return null; } }).find((x) => x?.name === "UnitsSettled")!;
      const [, network, paid, burnt, proofs] = ev.args as unknown as bigint[];
      expect(paid + burnt).to.equal(network);
      expect(network).to.equal(networkReward(d.config.blockReward + 10n, 5_000n));
      const expectedPaid = models.flat().reduce((a, e) => a + (e ? proverReward(network!, BigInt(K), e.feeBurnBps) : 0n), 0n);
      expect(paid).to.equal(expectedPaid);
      expect(proofs).to.equal(BigInt(models.flat().filter(Boolean).length));
      const books = await booksBalance(d);
      expect(books.held).to.equal(books.owed);
      expect(await d.rollup.totalEscrowed()).to.equal(0n);
    });
  });
});
