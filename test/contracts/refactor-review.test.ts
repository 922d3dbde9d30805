/**
 * Adversarial review of the Rollup split (a7d6de3 -> facade + namespaced libraries + the Sidecar seam). Each test
 * mounts one attack or checks one equivalence on the real contracts; tests named "FINDING" show a behaviour that
 * differs from a7d6de3; the others pass because the split preserved the behaviour.
 */
import { expect } from "chai";
import { AbiCoder, Contract, keccak256, randomBytes, toUtf8Bytes, type Log } from "ethers";
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
  endCommit,
  proofFor,
  makeBlock,
  vrfFor,
  booksBalance,
  publicInputs,
  mockProof,
  type Deployment,
  type Proposed,
} from "./helpers.js";
import { vrfOutput } from "../../src/vrf/index.js";
import { HeightStatus, ProposalStatus, blockCommitment } from "../../src/client/index.js";
import { deployRollup, deployRollupLibraries } from "../../src/client/deploy.js";

const coder = AbiCoder.defaultAbiCoder();
const BURN = "0x000000000000000000000000000000000000dEaD";

/** keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff (ERC-7201). */
function erc7201(id: string): bigint {
  const inner = BigInt(keccak256(toUtf8Bytes(id))) - 1n;
  return BigInt(keccak256(coder.encode(["uint256"], [inner]))) & ~0xffn;
}

/** Slot of mapping[key] for a mapping at `slot`. */
function mapSlot(key: bigint | string, keyType: "uint256" | "address", slot: bigint): bigint {
  return BigInt(keccak256(coder.encode([keyType, "uint256"], [key, slot])));
}

async function word(d: Deployment, slot: bigint): Promise<bigint> {
  return BigInt(await ethers.provider.getStorage(d.client.address, slot));
}

/** The conservation invariant: the Rollup holds exactly escrow + claimable + pool. */
async function expectBooks(d: Deployment): Promise<void> {
  const { held, owed } = await booksBalance(d);
  expect(owed, "totalEscrowed + totalClaimable + rewardPool").to.equal(held);
}

/** The Rollup's own events in `logs`, in order, as [name, args]. */
function rollupEvents(d: Deployment, logs: readonly Log[]): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  for (const l of logs) {
    if (l.address.toLowerCase() !== d.client.address.toLowerCase()) continue;
    const parsed = d.rollup.interface.parseLog(l);
    if (parsed) out.push([parsed.name, [...parsed.args]]);
  }
  return out;
}

/** Commit of `p` with the deposit funded by `funder` (its EIP-712 consent), naming `funder` as the prover. */
async function commitFundedBy(d: Deployment, height: bigint, p: Proposed, funder: Deployment["prover"]) {
  const sig = await d.client.signProverCommitment(funder, height, p.seq.address);
  await nextTxAt((await d.client.timeline(height)).commitStart);
  return d.client.connect(p.seq.signer).commitProver({ height, prover: funder.address, proverSignature: sig, vrfProof: p.vrfProof });
}

describe("refactor review: the split Rollup against a7d6de3", function () {
  it("storage: each namespace sits at its ERC-7201 slot, no two collide, and the packed words hold what the views say", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    await ensureSeed(d, 1n); // before the extra mint and approvals below push us past the seed window
    const ids = ["Config", "Chain", "Proposals", "Sidecar", "Rewards", "Ledger", "Randomness"].map((n) => `fernet-rollup.storage.${n}`);
    const slots = ids.map(erc7201);
    expect(new Set(slots.map(String)).size).to.equal(slots.length);
    const [configSlot, chainSlot, proposalsSlot, sidecarSlot, rewardsSlot, ledgerSlot] = slots as [bigint, bigint, bigint, bigint, bigint, bigint];
    // The constants in the libraries are these slots: the treasury's words are what its views return.
    expect(await word(d, rewardsSlot)).to.equal(await d.rollup.rewardPool());
    expect(await word(d, rewardsSlot + 1n)).to.equal(await d.rollup.totalEscrowed());
    expect(await word(d, ledgerSlot + 1n)).to.equal(await d.rollup.totalClaimable());
    expect(await word(d, configSlot)).to.not.equal(0n); // genesisBlock and the phase lengths
    // Chain: 64 height records of 2 words (ChainLib.HEIGHT_RING), the ring of 128 chain entries (uint64, 32 words),
    // then the chain's length (genesis only). Record 0 is genesis: status Finalized (3), height tag 0.
    expect(await word(d, chainSlot + 160n)).to.equal(1n);
    expect(await word(d, chainSlot)).to.equal(3n);

    const s = d.seqs[1]!;
    const tip = 2n ** 96n - 1n; // the largest tip the design word holds
    await d.token.mint(s.address, tip);
    await d.token.connect(s.signer).approve(d.client.address, 2n ** 255n);
    const [p] = await proposeAll(d, 1n, [s], { proverTip: tip, proverRewardShareBps: 10_000n, feeSplitBps: [4_321n] });
    const committed = blockCommitment({ proposer: s.address, height: 1n, parent: 0n, newRoot: p!.block.newRoot, pubdata: p!.block.pubdata, salt: p!.block.salt });
    const proposed = await d.client.getProposal(1n, s.address);
    expect([proposed.commitmentOrPubdataHash, proposed.commitment, proposed.pubdataHash]).to.deep.equal([committed, committed, undefined]);
    await revealAll(d, 1n, [p!]);
    await d.token.connect(d.prover).approve(d.client.address, 2n ** 255n);
    await commitFundedBy(d, 1n, p!, d.prover);

    // Proposal word 0: the commitment until the reveal, keccak256(pubdata) from then on (the reveal writes no new word).
    const prop = mapSlot(s.address, "address", mapSlot(1n, "uint256", proposalsSlot));
    expect(await word(d, prop)).to.equal(BigInt(keccak256(p!.block.pubdata)));
    expect((await d.rollup.getProposal(1n, s.address)).commitmentOrPubdataHash).to.equal(keccak256(p!.block.pubdata));
    expect((await d.client.getProposal(1n, s.address)).pubdataHash).to.equal(keccak256(p!.block.pubdata));
    // Word 1 the VRF output, word 2 the new root, word 3: parent (64) | feeSplitBps (16) | status (8) | designTerms
    // (128) = escrowed << 112 | tip << 16 | share | height (32, the ring's tag). Nothing after it. The slot is
    // keyed by height % ProposalLib.RING (1 here).
    expect(await word(d, prop + 2n)).to.equal(p!.block.newRoot);
    expect(await word(d, prop + 4n)).to.equal(0n);
    const w4 = await word(d, prop + 3n);
    expect(w4 & (2n ** 64n - 1n)).to.equal(0n);
    expect((w4 >> 64n) & 0xffffn).to.equal(4_321n);
    expect((w4 >> 80n) & 0xffn).to.equal(BigInt(ProposalStatus.Committed));
    const terms = (w4 >> 88n) & (2n ** 128n - 1n);
    expect(terms).to.equal((1n << 112n) | (tip << 16n) | 10_000n); // escrowed at the commit
    expect(w4 >> 216n).to.equal(1n); // the height tag, and nothing past it
    expect((await d.rollup.getProposal(1n, s.address)).designTerms).to.equal(terms);
    // Sidecar terms: prover (160) | deposit (88) | proverFunded (8), one word.
    const t = await word(d, mapSlot(s.address, "address", mapSlot(1n, "uint256", sidecarSlot)));
    expect(ethers.getAddress("0x" + (t & (2n ** 160n - 1n)).toString(16).padStart(40, "0"))).to.equal(d.prover.address);
    expect((t >> 160n) & (2n ** 88n - 1n)).to.equal(d.config.proverDeposit);
    expect(t >> 248n).to.equal(1n);
    expect(await d.rollup.totalEscrowed()).to.equal(tip + d.config.proverDeposit);
    await expectBooks(d);

    // The tip round-trips: a loser/void path is not available to the winner, so finalize it and check the prover
    // was credited the whole tip (on time: the deposit goes back to the prover, who funded it).
    await endCommit(d, 1n);
    const before = await d.rollup.claimable(d.prover.address);
    await d.client.connect(d.outsider).submitProof({ height: 1n, proof: await proofFor(d, 1n, p!, d.outsider.address), pubdata: p!.block.pubdata, payee: d.outsider.address });
    const pot = d.config.blockReward + p!.block.fee;
    const burnt = (pot * 4_321n) / 10_000n;
    expect((await d.rollup.claimable(d.prover.address)) - before).to.equal(tip + (pot - burnt) + d.config.proverDeposit);
    expect(await d.rollup.totalEscrowed()).to.equal(0n);
    await expectBooks(d);
    // Height 1's record, slot 1 of the height ring (2 words each): status Finalized (8) | late (8) | height (32) |
    // parent (32) | winner (160).
    const rec = await word(d, chainSlot + 2n);
    expect(rec & 0xffn).to.equal(3n);
    expect((rec >> 16n) & 0xffffffffn).to.equal(1n);
    expect((rec >> 48n) & 0xffffffffn).to.equal(0n);
    expect(ethers.getAddress("0x" + (rec >> 80n).toString(16).padStart(40, "0"))).to.equal(s.address);
  });

  it("packing: a tip of 2^96 is refused (SafeCast to the design word's uint96, as a7d6de3's proverTip) and nothing is escrowed", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const s = d.seqs[0]!;
    await ensureSeed(d, 1n);
    await d.token.mint(s.address, 2n ** 96n);
    await nextTxAt((await d.client.timeline(1n)).proposalStart);
    const { proof, randomness } = await vrfFor(d, s, 1n);
    const block = makeBlock(1);
    const commitment = blockCommitment({ proposer: s.address, height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
    const safeCast = new Contract(d.client.address, ["error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)"], ethers.provider);
    await expect(d.rollup.connect(s.signer).propose(1n, proof, commitment, 1_000, 2n ** 96n, 2_000, randomness))
      .to.be.revertedWithCustomError(safeCast, "SafeCastOverflowedUintDowncast").withArgs(96n, 2n ** 96n);
    expect((await d.client.getProposal(1n, s.address)).status).to.equal(ProposalStatus.None);
    expect(await d.rollup.totalEscrowed()).to.equal(0n);
    await expectBooks(d);
  });

  it("finding (low, fixed): a proverDeposit of 2^88 or more is refused at deployment with Rollup__InvalidConfig; the largest that fits is accepted", async function () {
    // Sidecar stores the deposit in 88 bits: before the fix such a Rollup deployed and then every commitProver
    // reverted SafeCastOverflowedUintDowncast(88, deposit), so no height could ever be decided.
    const d = await networkHelpers.loadFixture(defaultFixture);
    const [owner] = await ethers.getSigners();
    const staking = await d.staking.getAddress();
    const verifier = await d.verifier.getAddress();
    await expect(deployRollup(owner!, { ...d.config, genesisBlock: 0n, proverDeposit: 2n ** 88n }, staking, verifier))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__InvalidConfig").withArgs("proverDeposit");
    // The largest deposit below 2^88 that the hot config word holds (16 significant digits, ConfigLib.Hot).
    const largest = 3_094_850_098_213_450n * 10n ** 11n;
    expect(largest < 2n ** 88n && largest * 10n > 2n ** 88n).to.equal(true);
    const ok = await deployRollup(owner!, { ...d.config, genesisBlock: 0n, proverDeposit: largest }, staking, verifier);
    expect((await ok.config()).proverDeposit).to.equal(largest);
  });

  it("FINDING (informational): propose with an empty commitment AND an out-of-range share now reverts Rollup__EmptyCommitment (a7d6de3: ProverRewardShareOutOfRange first)", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const s = d.seqs[0]!;
    await ensureSeed(d, 1n);
    const t = await d.client.timeline(1n);
    await nextTxAt(t.proposalStart);
    const { proof, randomness } = await vrfFor(d, s, 1n);
    const zero = "0x" + "00".repeat(32);
    await expect(d.rollup.connect(s.signer).propose(1n, proof, zero, 1_000, E18, 10_001, randomness))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__EmptyCommitment");
    // Each error alone is still refused with its own name.
    const block = makeBlock(1);
    const commitment = blockCommitment({ proposer: s.address, height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
    await expect(d.rollup.connect(s.signer).propose(1n, proof, commitment, 1_000, E18, 10_001, randomness))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__ProverRewardShareOutOfRange").withArgs(10_001n, 10_000n);
  });

  it("linked libraries: no state-changing entry of SidecarLib, FinalityLib, ProofLib or ProposalLib runs when called directly (call protection); views run on the library's own empty storage", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const libs = await deployRollupLibraries(d.owner);
    const attacker = d.outsider;
    const sel = (sig: string) => keccak256(toUtf8Bytes(sig)).slice(0, 10);
    const enc = (types: string[], values: unknown[]) => coder.encode(types, values).slice(2);
    const a = attacker.address;
    const calls: [string, string][] = [
      [libs.sidecarLib, sel("refund(uint256,address)") + enc(["uint256", "address"], [1n, a])],
      [libs.sidecarLib, sel("commit(IERC20,bytes32,uint256,address,address,bytes)") + enc(["address", "bytes32", "uint256", "address", "address", "bytes"], [await d.token.getAddress(), "0x" + "00".repeat(32), 1n, a, a, "0x"])],
      [libs.sidecarLib, sel("settleReorg(uint256,address,uint256[],address[],address)") + enc(["uint256", "address", "uint256[]", "address[]", "address"], [1n, a, [], [], a])],
      [libs.finalityLib, sel("reorg(uint256,uint256,address)") + enc(["uint256", "uint256", "address"], [1n, 0n, a])],
      [libs.finalityLib, sel("markProvenBatch(uint256[],address[],uint256[],uint256[])") + enc(["uint256[]", "address[]", "uint256[]", "uint256[]"], [[], [], [], []])],
      [libs.proofLib, sel("acceptProof(IBlockVerifier,uint256,uint256,uint256[8],bytes,address)") + enc(["address", "uint256", "uint256", "uint256[8]", "bytes", "address"], [a, 0n, 1n, [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n], "0x", a])],
      [libs.proposalLib, sel("enterRanking(IStaking,uint256,address,uint256[4])") + enc(["address", "uint256", "address", "uint256[4]"], [a, 1n, a, [0n, 0n, 0n, 0n]])],
      [libs.proposalLib, sel("voidFalseClaim(IStaking,uint256,address,uint256[4],uint256[4],uint256)") + enc(["address", "uint256", "address", "uint256[4]", "uint256[4]", "uint256"], [a, 1n, a, [0n, 0n, 0n, 0n], [0n, 0n, 0n, 0n], 0n])],
    ];
    for (const [to, data] of calls) {
      // markProvenBatch([]) would succeed on empty storage if the guard were missing. (Finalization and
      // settleFinalized are internal: they run only inside submitProof / markProvenBatch.)
      await expect(attacker.sendTransaction({ to, data, gasLimit: 1_000_000n }), `${to} ${data.slice(0, 10)}`).to.be.revert(ethers);
    }
    // The guard, not a bad selector: the view entry dispatches and answers from the library's own storage.
    const proofLib = new Contract(libs.proofLib, ["function publicInputsOf(uint256,bytes,address,uint256) view returns (uint256[])", "error Rollup__HeightNotDecided(uint256 height)"], attacker);
    await expect(proofLib.getFunction("publicInputsOf").staticCall(1n, "0x", a, 0n))
      .to.be.revertedWithCustomError(proofLib, "Rollup__HeightNotDecided").withArgs(1n);
    await expectBooks(d);
  });

  it("reorg of a prover-funded missed height: the funding prover, winning a descendant as sequencer, gets no share; tips and deposits go to the right accounts; events in a7d6de3's order", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const [A, B, C] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0], Deployment["seqs"][0]];
    // Height 1: A's block, its deposit funded by B (B signs the ProverCommitment and is named prover).
    const [p1] = await proposeAll(d, 1n, [A]);
    await revealAll(d, 1n, [p1!]);
    await nextTxAt((await d.client.timeline(1n)).commitStart);
    const rc = await commitFundedBy(d, 1n, p1!, B.signer);
    const committed = rollupEvents(d, rc!.logs).find(([n]) => n === "ProverCommitted")!;
    expect(committed[1][3]).to.equal(B.address); // depositor (derived from proverFunded)
    expect((await d.rollup.proverTermsOf(1n, A.address)).proverFunded).to.equal(true);
    // Heights 2 (B) and 3 (C) build on it.
    const [p2] = await proposeAll(d, 2n, [B]);
    await revealAll(d, 2n, [p2!]);
    await commitAll(d, 2n, [p2!]);
    const [p3] = await proposeAll(d, 3n, [C]);
    await revealAll(d, 3n, [p3!]);
    await commitAll(d, 3n, [p3!]);
    await endCommit(d, 3n);
    expect(await d.client.pendingHeights()).to.deep.equal([1n, 2n, 3n]);
    await expectBooks(d);

    const claim = async () => Promise.all([A, B, C].map((s) => d.rollup.claimable(s.address)).concat(d.rollup.claimable(d.outsider.address)));
    const before = await claim();
    const pool = await d.rollup.rewardPool();
    await nextTxAt((await d.client.timeline(1n)).lateDeadline);
    const tx = await d.rollup.connect(d.outsider).triggerReorg(1n);
    const r = (await tx.wait())!;
    const after = await claim();
    const dep = d.config.proverDeposit;
    const bounty = (dep * 500n) / 10_000n;
    const share = dep - bounty; // one eligible descendant (C): B is the missed height's depositor
    const tip = 2n * E18;
    expect(after[0]! - before[0]!).to.equal(tip); // A: its tip back, nothing of the slashed deposit
    expect(after[1]! - before[1]!).to.equal(tip + dep); // B: height 2's escrow back, no share
    expect(after[2]! - before[2]!).to.equal(tip + dep + share); // C
    expect(after[3]! - before[3]!).to.equal(bounty);
    expect(await d.rollup.rewardPool()).to.equal(pool); // no dust with one eligible
    expect(await d.rollup.totalEscrowed()).to.equal(0n);
    await expectBooks(d);
    expect(rollupEvents(d, r.logs)).to.deep.equal([
      ["HeightReorgedOut", [1n, A.address, 0n]],
      ["EscrowReleased", [3n, C.address, tip, dep]],
      ["HeightReorgedOut", [3n, C.address, share]],
      ["EscrowReleased", [2n, B.address, tip, dep]],
      ["HeightReorgedOut", [2n, B.address, 0n]],
      ["ChainReorged", [1n, 0n, 2n, dep, bounty]],
    ]);
    for (const h of [1n, 2n, 3n]) expect((await d.client.getHeight(h)).status).to.equal(HeightStatus.Reorged);
    // Nothing is left to release twice.
    for (const [h, s] of [[1n, A], [2n, B], [3n, C]] as const) {
      await expect(d.rollup.release(h, s.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__NotReleasable");
    }
  });

  it("challengeVrfClaim of a committed, prover-funded non-winner: tip to the sequencer, deposit to the funding prover, stake split half/half, totalBurnt counts the burnt half", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const [s0, , liar] = d.seqs as [Deployment["seqs"][0], Deployment["seqs"][0], Deployment["seqs"][0]];
    await ensureSeed(d, 1n);
    const [honest] = await proposeAll(d, 1n, [s0]);
    // A fake "proof" whose claimed output ranks below the honest one: it is never verified at the commit.
    let fake: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
    for (;;) {
      fake = [BigInt(ethers.hexlify(randomBytes(31))), BigInt(ethers.hexlify(randomBytes(31))), 0n, 0n];
      if (vrfOutput(fake) < honest!.output / 2n) break;
    }
    const block = makeBlock(77);
    const commitment = blockCommitment({ proposer: liar.address, height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
    const liarTip = 3n * E18;
    await d.client.connect(liar.signer).propose({ height: 1n, vrfProof: fake, commitment, feeSplitBps: 1_000n, proverTip: liarTip, proverRewardShareBps: 0n, randomness: await d.client.randomnessOf(1n) });
    const liarProp: Proposed = { seq: liar, vrfProof: fake, block, parent: 0n, output: vrfOutput(fake), score: 0n, feeSplitBps: 1_000n, proverTip: liarTip, proverRewardShareBps: 0n, randomness: 0n };
    await revealAll(d, 1n, [honest!, liarProp]);
    await commitAll(d, 1n, [honest!]);
    const rc = await commitFundedBy(d, 1n, liarProp, d.prover);
    expect(rollupEvents(d, rc!.logs).find(([n]) => n === "ProverCommitted")![1].slice(3)).to.deep.equal([d.prover.address, d.config.proverDeposit, liarTip, await d.client.scoreOf(1n, liar.address), false]);
    await expectBooks(d);

    const stake = await d.staking.stakeOf(liar.address);
    const [liarC, proverC, burntBefore, burnBal, challengerBal] = await Promise.all([
      d.rollup.claimable(liar.address), d.rollup.claimable(d.prover.address), d.rollup.totalBurnt(), d.token.balanceOf(BURN), d.token.balanceOf(d.outsider.address),
    ]);
    const tx = await d.rollup.connect(d.outsider).challengeVrfClaim(1n, liar.address, fake, liar.pk);
    const r = (await tx.wait())!;
    const amount = d.config.vrfClaimSlash < stake ? d.config.vrfClaimSlash : stake;
    expect(rollupEvents(d, r.logs)).to.deep.equal([
      ["EscrowReleased", [1n, liar.address, liarTip, d.config.proverDeposit]],
      ["VrfClaimChallenged", [1n, liar.address, d.outsider.address, amount]],
    ]);
    expect((await d.rollup.claimable(liar.address)) - liarC).to.equal(liarTip);
    expect((await d.rollup.claimable(d.prover.address)) - proverC).to.equal(d.config.proverDeposit);
    expect((await d.token.balanceOf(d.outsider.address)) - challengerBal).to.equal(amount / 2n);
    expect((await d.token.balanceOf(BURN)) - burnBal).to.equal(amount - amount / 2n);
    expect((await d.rollup.totalBurnt()) - burntBefore).to.equal(amount - amount / 2n);
    expect(await d.staking.stakeOf(liar.address)).to.equal(stake - amount);
    expect((await d.client.getProposal(1n, liar.address)).status).to.equal(ProposalStatus.Settled);
    // Settled: no second refund, no second challenge.
    await endCommit(d, 1n);
    await expect(d.rollup.release(1n, liar.address)).to.be.revertedWithCustomError(d.rollup, "Rollup__NotReleasable");
    await expect(d.rollup.connect(d.outsider).challengeVrfClaim(1n, liar.address, fake, liar.pk))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__VrfClaimNotChallengeable");
    expect(await d.rollup.totalEscrowed()).to.equal(2n * E18 + d.config.proverDeposit); // the winner's escrow only
    await expectBooks(d);
  });

  it("late finalization with decoded terms: the rescuer takes tip + prover pot + lateProverShare of the deposit, the rest of the deposit goes to the pool", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const s = d.seqs[2]!;
    const tip = 5n * E18 + 12_345n;
    const [p] = await proposeAll(d, 1n, [s], { proverTip: tip, proverRewardShareBps: 3_333n, feeSplitBps: [2_500n] });
    await revealAll(d, 1n, [p!]);
    await commitAll(d, 1n, [p!]);
    const t = await d.client.timeline(1n);
    await nextTxAt(t.provingDeadline);
    const pool = await d.rollup.rewardPool();
    const before = await Promise.all([d.rollup.claimable(s.address), d.rollup.claimable(d.outsider.address), d.rollup.claimable(BURN)]);
    const rcpt = await d.client.connect(d.outsider).submitProof({ height: 1n, proof: await proofFor(d, 1n, p!, d.outsider.address), pubdata: p!.block.pubdata, payee: d.outsider.address });
    const after = await Promise.all([d.rollup.claimable(s.address), d.rollup.claimable(d.outsider.address), d.rollup.claimable(BURN)]);
    const dep = d.config.proverDeposit;
    const sub = d.config.submissionReward;
    const pot = d.config.blockReward + p!.block.fee;
    const burnt = (pot * 2_500n) / 10_000n;
    const proverPot = ((pot - burnt) * 3_333n) / 10_000n;
    const toRescuer = (dep * 5_000n) / 10_000n;
    expect(after[0]! - before[0]!).to.equal(pot - burnt - proverPot); // the sequencer: no deposit back (late)
    expect(after[1]! - before[1]!).to.equal(sub + toRescuer + tip + proverPot);
    expect(after[2]! - before[2]!).to.equal(burnt);
    expect(await d.rollup.rewardPool()).to.equal(pool - sub - pot + (dep - toRescuer));
    const ev = rollupEvents(d, rcpt.logs);
    expect(ev.map(([n]) => n)).to.deep.equal(["ProofSubmitted", "LateProofSettled", "HeightFinalized"]);
    expect(ev[1]![1]).to.deep.equal([1n, d.outsider.address, toRescuer, dep - toRescuer]);
    expect(ev[2]![1]).to.deep.equal([1n, s.address, d.outsider.address, d.outsider.address, pot - burnt - proverPot, tip + proverPot, sub]);
    expect(await d.rollup.totalEscrowed()).to.equal(0n);
    await expectBooks(d);
  });

  it("Rollup and ProofAggregator keep separate ledgers in the same LedgerLib slot: a claim on one never pays or debits the other", async function () {
    const d = await networkHelpers.loadFixture(defaultFixture);
    const s = d.seqs[0]!;
    const [p] = await proposeAll(d, 1n, [s]);
    await revealAll(d, 1n, [p!]);
    await commitAll(d, 1n, [p!]);
    // The aggregator is set after the commit (setAggregator may come any time), so that its deployment does not
    // push the fixture past height 1's seed window.
    const nPub = 5n + (await d.rollup.config()).slots;
    const mockBatch = await ethers.deployContract("MockBatchVerifier", [nPub]);
    const cfg = { postBond: 5n * E18, verifyWindow: 60n, batchReward: 2n * E18, batchRewardPerHeight: E18 };
    const agg = await ethers.deployContract("ProofAggregator", [d.client.address, await mockBatch.getAddress(), cfg]);
    const aggAddr = await agg.getAddress();
    await d.rollup.setAggregator(aggAddr);
    await d.token.connect(d.outsider).approve(aggAddr, 2n ** 255n);
    const aggBooks = async () => expect((await agg.totalBonds()) + (await agg.totalClaimable())).to.equal(await d.token.balanceOf(aggAddr));

    await endCommit(d, 1n);
    const payee = d.outsider.address;
    const proof = mockProof(publicInputs(await d.client.rootOf(0n), p!.block.newRoot, p!.block.pubdata, payee, d.domain));
    await agg.connect(d.outsider).postProof(1n, proof, payee);
    await aggBooks();
    // The outsider sends the batch: submission reward + aggregation reward in the Rollup's ledger, its bond back
    // in the aggregator's.
    await agg.connect(d.outsider).verifyBatch([1n], [proof], [payee], [p!.block.pubdata]);
    expect((await d.client.getHeight(1n)).status).to.equal(HeightStatus.Finalized);
    const onRollup = await d.rollup.claimable(payee);
    const onAgg = await agg.claimable(payee);
    expect(onAgg).to.equal(cfg.postBond);
    expect(onRollup).to.equal(d.config.submissionReward + cfg.batchReward + cfg.batchRewardPerHeight);
    expect(await agg.totalClaimable()).to.equal(onAgg);
    await expectBooks(d);
    await aggBooks();

    const bal = await d.token.balanceOf(payee);
    await agg.connect(d.outsider).claim();
    expect((await d.token.balanceOf(payee)) - bal).to.equal(onAgg);
    expect(await d.rollup.claimable(payee)).to.equal(onRollup); // untouched
    await expect(agg.connect(d.outsider).claim()).to.be.revertedWithCustomError(agg, "PullPayments__NothingToClaim");
    await d.rollup.connect(d.outsider).claim();
    expect((await d.token.balanceOf(payee)) - bal).to.equal(onAgg + onRollup);
    expect(await d.token.balanceOf(aggAddr)).to.equal(0n);
    await expectBooks(d);
    await aggBooks();
    // Only the aggregator marks heights proven.
    await expect(d.rollup.connect(d.outsider).markProvenBatch([2n], [payee], [0n], [0n], payee, E18))
      .to.be.revertedWithCustomError(d.rollup, "Rollup__Unauthorized").withArgs(payee);
  });
});
