/**
 * The Rollup over a fee-on-transfer token: every pull is booked at what arrived (balance delta), so the books
 * never owe more than the contract holds; a deposit that arrives short is refused.
 */
import { expect } from "chai";
import { ethers, networkHelpers, E18, nextTxAt, GENESIS_ROOT, SLOTS, TEST_CONFIG, makeBlock, ensureSeed, dummySignatures } from "./helpers.js";
import { vrfKeyFromSeed, vrfProve, popProve, publicKeyG1Of } from "../../src/vrf/index.js";
import { RollupClient, Role, blockCommitment, defaultRollupConfig, DEFAULT_STAKING } from "../../src/client/index.js";
import { deployRollup, deployRollupLibraries } from "../../src/client/deploy.js";

async function feeFixture() {
  const [owner, seq] = await ethers.getSigners();
  const token = await ethers.deployContract("MockFeeOnTransferToken", [100n]); // 1%
  const staking = await ethers.deployContract("Staking", [await token.getAddress(), DEFAULT_STAKING.minSequencerStake, DEFAULT_STAKING.minProverStake, DEFAULT_STAKING.exitDelay, owner!.address]);
  const verifier = await ethers.deployContract("MockBlockVerifier");
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const { sk, pk } = vrfKeyFromSeed("fee-seq");
  await token.mint(seq!.address, 10_000n * E18);
  await token.mint(owner!.address, 10_000n * E18);
  await token.connect(seq!).approve(await staking.getAddress(), 2n ** 255n);
  await staking.connect(seq!).stake(Role.Sequencer, 2n * DEFAULT_STAKING.minSequencerStake);
  await staking.connect(seq!).registerVrfKey(pk, publicKeyG1Of(sk), popProve(sk, { chainId, verifier: await staking.getAddress(), owner: seq!.address }));
  // The Rollup's linked libraries first, so that the blocks counted from here are as before the split.
  const rollupLibs = await deployRollupLibraries((await ethers.getSigners())[0]);
  const genesisBlock = BigInt(await ethers.provider.getBlockNumber()) + 12n; // the key is active before activationCutoff(1)
  const config = defaultRollupConfig({ slots: SLOTS, genesisRoot: GENESIS_ROOT }, { ...TEST_CONFIG, genesisBlock });
  const rollup = await deployRollup((await ethers.getSigners())[0], config, await staking.getAddress(), await verifier.getAddress(), rollupLibs);
  await token.connect(seq!).approve(await rollup.getAddress(), 2n ** 255n);
  await token.approve(await rollup.getAddress(), 2n ** 255n);
  return { token, rollup, seq: seq!, sk, chainId, client: new RollupClient(await rollup.getAddress(), ethers.provider) };
}

describe("Rollup over a fee-on-transfer token", function () {
  it("books tips and rewards at what arrived and refuses a short deposit; a deposit drawn from the balance here arrives whole", async function () {
    const { token, rollup, seq, sk, chainId, client } = await networkHelpers.loadFixture(feeFixture);
    await rollup.fundRewards(1_000n * E18);
    expect(await rollup.rewardPool()).to.equal(990n * E18);
    const booksBalanced = async () =>
      expect(await token.balanceOf(client.address)).to.equal((await rollup.totalEscrowed()) + (await rollup.totalClaimable()) + (await rollup.rewardPool()));

    const t = await client.timeline(1n);
    await ensureSeed({ client, outsider: seq }, 1n);
    await nextTxAt(t.proposalStart + 1n);
    const block = makeBlock(1);
    const randomness = await client.randomnessOf(1n);
    const { proof } = vrfProve(sk, { chainId, verifier: client.address, randomness, height: 1n });
    const commitment = blockCommitment({ proposer: seq.address, height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt });
    await client.connect(seq).propose({ height: 1n, vrfProof: proof, commitment, feeSplitBps: 0n, proverTip: 10n * E18, proverRewardShareBps: 0n, randomness });
    // The tip is only offered at propose: nothing moves until the commit.
    const offered = await client.getProposal(1n, seq.address);
    expect([offered.proverTip, offered.tipEscrowed, await rollup.totalEscrowed()]).to.deep.equal([10n * E18, false, 0n]);
    await nextTxAt(t.revealStart);
    await client.connect(seq).reveal({ height: 1n, parent: 0n, newRoot: block.newRoot, pubdata: block.pubdata, salt: block.salt, signatures: dummySignatures(block.pubdata) });
    await nextTxAt(t.commitStart);
    // Pulled with transferFrom, the deposit arrives 1% short: refused.
    await expect(rollup.connect(seq).commitProver(1n, seq.address, "0x", proof))
      .to.be.revertedWithCustomError(rollup, "Rollup__InsufficientReceived").withArgs(99n * E18, 100n * E18);
    // Funded once into the balance here (booked at what arrived), the deposit is drawn whole; the tip takes the
    // rest of the balance (3.95) and pulls the remainder (6.05, of which 5.9895 arrives): booked at what arrived.
    await expect(rollup.connect(seq).fundBalance(105n * E18)).to.emit(rollup, "BalanceFunded").withArgs(seq.address, 10395n * E18 / 100n);
    const tipBooked = 395n * E18 / 100n + (605n * E18 / 100n) * 99n / 100n;
    await expect(rollup.connect(seq).commitProver(1n, seq.address, "0x", proof))
      .to.emit(rollup, "ProverCommitted").withArgs(1n, seq.address, seq.address, seq.address, 100n * E18, tipBooked, await client.scoreOf(1n, seq.address), true);
    const p = await client.getProposal(1n, seq.address);
    expect([p.proverTip, p.tipEscrowed, p.deposit]).to.deep.equal([tipBooked, true, 100n * E18]);
    expect(await rollup.totalEscrowed()).to.equal(100n * E18 + tipBooked);
    expect(await rollup.claimable(seq.address)).to.equal(0n);
    await booksBalanced();
  });
});
