/**
 * Staking: minimum stake, balance-delta accounting (fee-on-transfer token), VRF key registration with proof of
 * possession, exit queue, slashing by the rollup only.
 */
import { expect } from "chai";
import { ethers, networkHelpers, E18 } from "./helpers.js";
import { vrfKeyFromSeed, popProve, publicKeyG1Of } from "../../src/vrf/index.js";
import { Role, DEFAULT_STAKING, StakingClient } from "../../src/client/index.js";

const MIN = DEFAULT_STAKING.minSequencerStake;
const DELAY = DEFAULT_STAKING.exitDelay;

async function stakingFixture() {
  const [owner, alice, bob, rollup] = await ethers.getSigners();
  const token = await ethers.deployContract("DevToken", ["Fernet Dev", "FDEV", owner!.address]);
  const staking = await ethers.deployContract("Staking", [await token.getAddress(), MIN, MIN, DELAY, owner!.address]);
  const feeToken = await ethers.deployContract("MockFeeOnTransferToken", [100n]); // 1% per transfer
  const feeStaking = await ethers.deployContract("Staking", [await feeToken.getAddress(), MIN, MIN, DELAY, owner!.address]);
  for (const s of [alice!, bob!]) {
    await token.mint(s.address, 10_000n * E18);
    await token.connect(s).approve(await staking.getAddress(), 2n ** 255n);
    await feeToken.mint(s.address, 10_000n * E18);
    await feeToken.connect(s).approve(await feeStaking.getAddress(), 2n ** 255n);
  }
  await staking.setRollup(rollup!.address);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { owner: owner!, alice: alice!, bob: bob!, rollup: rollup!, token, staking, feeToken, feeStaking, chainId };
}

describe("Staking", function () {
  it("stakes with a minimum and registers a VRF key with proof of possession", async function () {
    const { alice, bob, staking, chainId } = await networkHelpers.loadFixture(stakingFixture);
    await expect(staking.connect(alice).stake(Role.Sequencer, MIN - 1n))
      .to.be.revertedWithCustomError(staking, "Staking__StakeBelowMinimum").withArgs(MIN - 1n, MIN);
    await expect(staking.connect(alice).stake(Role.Sequencer, MIN)).to.emit(staking, "Staked").withArgs(alice.address, Role.Sequencer, MIN, MIN);
    expect(await staking.isActiveSequencer(alice.address)).to.equal(false); // no key yet
    await expect(staking.connect(alice).stake(Role.Prover, MIN)).to.be.revertedWithCustomError(staking, "Staking__RoleMismatch");

    const { sk, pk } = vrfKeyFromSeed("alice");
    const verifier = await staking.getAddress();
    // A proof of possession bound to another owner does not register the key for alice.
    const popForBob = popProve(sk, { chainId, verifier, owner: bob.address });
    await expect(staking.connect(alice).registerVrfKey(pk, publicKeyG1Of(sk), popForBob)).to.be.revertedWithCustomError(staking, "Staking__InvalidProofOfPossession");
    const pop = popProve(sk, { chainId, verifier, owner: alice.address });
    await expect(staking.connect(alice).registerVrfKey(pk, publicKeyG1Of(sk), pop)).to.emit(staking, "VrfKeyRegistered");
    expect(await staking.isActiveSequencer(alice.address)).to.equal(true);
    expect(await staking.vrfKeyOf(alice.address)).to.deep.equal(pk);
    // Bob cannot take alice's key even with a valid proof for himself (he does not know sk here, but check the guard).
    await expect(staking.connect(bob).registerVrfKey(pk, publicKeyG1Of(sk), popForBob)).to.be.revertedWithCustomError(staking, "Staking__VrfKeyTaken");
  });

  it("stores the VRF key as contract code that reads back exactly, and with too little gas for that code reverts KeyStoreFailed instead of recording an unreadable key", async function () {
    const { alice, bob, staking, chainId } = await networkHelpers.loadFixture(stakingFixture);
    const verifier = await staking.getAddress();
    const { sk, pk, pkG1 } = vrfKeyFromSeed("alice-code");
    const pop = popProve(sk, { chainId, verifier, owner: alice.address });
    const ZEROS = [0n, 0n, 0n, 0n];
    expect(await staking.vrfKeyOf(alice.address)).to.deep.equal(ZEROS); // none yet
    const needed = await staking.connect(alice).registerVrfKey.estimateGas(pk, publicKeyG1Of(sk), pop);
    // Sweep gas limits below what the call needs: each attempt reverts (out of gas, or KeyStoreFailed when CREATE
    // ran out: then the call still has 1/64 of its gas to revert), and nothing is ever recorded.
    let keyStoreFailed = 0;
    for (let cut = 2_000n; cut <= 60_000n; cut += 2_000n) {
      let reason = "";
      try {
        await (await staking.connect(alice).registerVrfKey(pk, publicKeyG1Of(sk), pop, { gasLimit: needed - cut })).wait();
      } catch (e) {
        reason = String((e as Error).message);
      }
      expect(reason, `gas limit ${needed - cut}`).to.not.equal("");
      if (reason.includes("Staking__KeyStoreFailed")) keyStoreFailed++;
      expect((await staking.stakerOf(alice.address)).keyHash).to.equal("0x" + "00".repeat(32));
      expect(await staking.vrfKeyOf(alice.address)).to.deep.equal(ZEROS);
    }
    expect(keyStoreFailed, "some limit lets CREATE fail and the call revert KeyStoreFailed").to.be.greaterThan(0);
    await staking.connect(alice).registerVrfKey(pk, publicKeyG1Of(sk), pop, { gasLimit: needed });
    const rec = await staking.stakerOf(alice.address);
    expect(await staking.vrfKeyOf(alice.address)).to.deep.equal(pk);
    expect(await staking.vrfG1KeyOf(alice.address)).to.deep.equal(pkG1);
    // The code is STOP then the key and its G1 twin: calling it does nothing (it holds no value, runs no logic).
    expect(await ethers.provider.getCode(rec.keyCode)).to.equal("0x00" + [...pk, ...pkG1].map((w) => w.toString(16).padStart(64, "0")).join(""));
    await (await bob.sendTransaction({ to: rec.keyCode, data: "0x12345678" })).wait();
    expect(await staking.vrfKeyOf(alice.address)).to.deep.equal(pk);
    expect(await staking.vrfKeyOf(bob.address)).to.deep.equal(ZEROS);
  });

  it("keeps the previous VRF key (keyHashAt) and allows one rotation per exitDelay (KeyRotationTooSoon)", async function () {
    const { alice, bob, staking, chainId } = await networkHelpers.loadFixture(stakingFixture);
    const verifier = await staking.getAddress();
    const { AbiCoder, keccak256 } = await import("ethers");
    const keyHash = (pk: readonly bigint[]) => keccak256(AbiCoder.defaultAbiCoder().encode(["uint256[4]"], [pk]));
    const reg = async (seed: string) => {
      const { sk, pk } = vrfKeyFromSeed(seed);
      const r = await (await staking.connect(alice).registerVrfKey(pk, publicKeyG1Of(sk), popProve(sk, { chainId, verifier, owner: alice.address }))).wait();
      return { pk, hash: keyHash(pk), block: BigInt(r!.blockNumber) };
    };
    const ZERO = "0x" + "00".repeat(32);
    await staking.connect(alice).stake(Role.Sequencer, MIN);
    expect(await staking.keyHashAt(alice.address, 10n ** 9n)).to.equal(ZERO); // no key yet
    const k1 = await reg("alice-1");
    // In force from the block after its registration.
    expect(await staking.keyHashAt(alice.address, k1.block)).to.equal(ZERO);
    expect(await staking.keyHashAt(alice.address, k1.block + 1n)).to.equal(k1.hash);
    // The first rotation is always allowed, even at once; the previous key is kept.
    const k2 = await reg("alice-2");
    expect(k2.block).to.equal(k1.block + 1n);
    expect(await staking.activeSince(alice.address, Role.Sequencer)).to.equal(k2.block);
    expect(await staking.keyHashAt(alice.address, k2.block)).to.equal(k1.hash);
    expect(await staking.keyHashAt(alice.address, k2.block + 1n)).to.equal(k2.hash);
    expect(await staking.keyHashAt(alice.address, k1.block)).to.equal(ZERO);
    const rec = await staking.stakerOf(alice.address);
    expect([rec.keyHash, rec.keyFrom, rec.prevKeyHash, rec.prevKeyFrom]).to.deep.equal([k2.hash, k2.block, k1.hash, k1.block]);
    // A second rotation within exitDelay of the previous one reverts and changes nothing.
    const { sk: sk3, pk: pk3 } = vrfKeyFromSeed("alice-3");
    const pop3 = popProve(sk3, { chainId, verifier, owner: alice.address });
    await expect(staking.connect(alice).registerVrfKey(pk3, publicKeyG1Of(sk3), pop3))
      .to.be.revertedWithCustomError(staking, "Staking__KeyRotationTooSoon").withArgs(k2.block + DELAY);
    await networkHelpers.mineUpTo(k2.block + DELAY - 2n);
    await expect(staking.connect(alice).registerVrfKey(pk3, publicKeyG1Of(sk3), pop3))
      .to.be.revertedWithCustomError(staking, "Staking__KeyRotationTooSoon").withArgs(k2.block + DELAY); // lands at availableAt - 1
    expect(await staking.stakerOf(alice.address)).to.deep.equal(rec);
    expect(await staking.vrfKeyOf(alice.address)).to.deep.equal(k2.pk);
    // From availableAt on it is allowed; the key before the previous one is forgotten.
    await networkHelpers.mineUpTo(k2.block + DELAY - 1n); // (the reverted call mined no block)
    const k3 = await reg("alice-3");
    expect(k3.block).to.equal(k2.block + DELAY);
    expect(await staking.keyHashAt(alice.address, k3.block)).to.equal(k2.hash);
    expect(await staking.keyHashAt(alice.address, k3.block + 1n)).to.equal(k3.hash);
    expect(await staking.keyHashAt(alice.address, k2.block)).to.equal(ZERO);
    // A replaced key is free for others again (bob registers alice's first key under his own proof).
    const { sk: sk1, pk: pk1 } = vrfKeyFromSeed("alice-1");
    await staking.connect(bob).stake(Role.Sequencer, MIN);
    await expect(staking.connect(bob).registerVrfKey(pk1, publicKeyG1Of(sk1), popProve(sk1, { chainId, verifier, owner: bob.address }))).to.emit(staking, "VrfKeyRegistered");
  });

  it("StakingClient.registerSequencer approves, stakes and registers the VRF key in one call", async function () {
    const { bob, staking } = await networkHelpers.loadFixture(stakingFixture);
    const client = new StakingClient(await staking.getAddress(), ethers.provider).connect(bob);
    const { sk, pk } = vrfKeyFromSeed("bob");
    await client.registerSequencer(MIN, sk);
    expect(await client.isActiveSequencer(bob.address)).to.equal(true);
    expect(await staking.vrfKeyOf(bob.address)).to.deep.equal(pk);
  });

  it("keeps a stake in 128 bits: a stake that would pass 2^128 - 1 reverts and books nothing; a stake of exactly 2^128 - 1 is kept", async function () {
    const { alice, token, staking } = await networkHelpers.loadFixture(stakingFixture);
    const max = 2n ** 128n - 1n;
    await token.mint(alice.address, max);
    await staking.connect(alice).stake(Role.Sequencer, MIN);
    const top = max - MIN;
    await expect(staking.connect(alice).stake(Role.Sequencer, top + 1n))
      .to.be.revertedWithCustomError(staking, "SafeCastOverflowedUintDowncast").withArgs(128, max + 1n);
    expect(await staking.stakeOf(alice.address)).to.equal(MIN);
    expect(await staking.totalStaked()).to.equal(MIN);
    await staking.connect(alice).stake(Role.Sequencer, top);
    expect(await staking.stakeOf(alice.address)).to.equal(max);
    expect(await staking.totalStaked()).to.equal(max);
    expect((await staking.stakerOf(alice.address)).amount).to.equal(max);
  });

  it("counts what arrives from a fee-on-transfer token, so the books never exceed the balance", async function () {
    const { alice, feeToken, feeStaking } = await networkHelpers.loadFixture(stakingFixture);
    const amount = 2n * MIN;
    const received = amount - amount / 100n;
    await feeStaking.connect(alice).stake(Role.Sequencer, amount);
    expect((await feeStaking.stakerOf(alice.address)).amount).to.equal(received);
    expect(await feeStaking.totalStaked()).to.equal(received);
    expect(await feeToken.balanceOf(await feeStaking.getAddress())).to.equal(received);
    await feeStaking.connect(alice).stake(Role.Sequencer, 1000n); // tops up an existing stake, net of the fee
    expect((await feeStaking.stakerOf(alice.address)).amount).to.equal(received + 990n);
    expect(await feeToken.balanceOf(await feeStaking.getAddress())).to.equal(await feeStaking.totalStaked());
    // A first stake whose net arrival is below the minimum is refused.
    const [, , bob] = await ethers.getSigners();
    await expect(feeStaking.connect(bob!).stake(Role.Sequencer, MIN))
      .to.be.revertedWithCustomError(feeStaking, "Staking__StakeBelowMinimum").withArgs(MIN - MIN / 100n, MIN);
  });

  it("exit queue: early withdrawal reverts with WithdrawTooEarly and changes nothing; later it pays out", async function () {
    const { alice, token, staking } = await networkHelpers.loadFixture(stakingFixture);
    await staking.connect(alice).stake(Role.Sequencer, MIN);
    await expect(staking.connect(alice).withdraw()).to.be.revertedWithCustomError(staking, "Staking__ExitNotRequested");
    await staking.connect(alice).initiateExit();
    const exitAt = (await staking.stakerOf(alice.address)).exitAt;
    expect(exitAt).to.equal(BigInt(await ethers.provider.getBlockNumber()) + DELAY);
    await expect(staking.connect(alice).initiateExit()).to.be.revertedWithCustomError(staking, "Staking__ExitAlreadyRequested");
    expect(await staking.isActiveSequencer(alice.address)).to.equal(false);
    const before = { bal: await token.balanceOf(alice.address), rec: await staking.stakerOf(alice.address), total: await staking.totalStaked() };
    await expect(staking.connect(alice).withdraw())
      .to.be.revertedWithCustomError(staking, "Staking__WithdrawTooEarly")
      .withArgs(BigInt(await ethers.provider.getBlockNumber()) + 1n, exitAt);
    expect({ bal: await token.balanceOf(alice.address), rec: await staking.stakerOf(alice.address), total: await staking.totalStaked() }).to.deep.equal(before);
    await networkHelpers.mineUpTo(exitAt - 1n);
    await expect(staking.connect(alice).withdraw()).to.emit(staking, "Withdrawn").withArgs(alice.address, MIN);
    expect(await token.balanceOf(alice.address)).to.equal(before.bal + MIN);
    expect(await staking.totalStaked()).to.equal(0n);
  });

  it("provers stake in their own role (for later designs)", async function () {
    const { bob, staking } = await networkHelpers.loadFixture(stakingFixture);
    await staking.connect(bob).stake(Role.Prover, MIN);
    expect(await staking.isActiveProver(bob.address)).to.equal(true);
    expect(await staking.isActiveSequencer(bob.address)).to.equal(false);
    await expect(staking.connect(bob).stake(Role.Sequencer, MIN)).to.be.revertedWithCustomError(staking, "Staking__RoleMismatch").withArgs(2, 1);
    await staking.connect(bob).initiateExit();
    expect(await staking.isActiveProver(bob.address)).to.equal(false);
  });

  it("only the rollup can slash, never more than the stake", async function () {
    const { owner, alice, bob, rollup, token, staking } = await networkHelpers.loadFixture(stakingFixture);
    await staking.connect(alice).stake(Role.Sequencer, MIN);
    await expect(staking.connect(bob).slash(alice.address, 1n, bob.address)).to.be.revertedWithCustomError(staking, "Staking__Unauthorized").withArgs(bob.address);
    await expect(staking.connect(rollup).slash(alice.address, MIN + 1n, bob.address)).to.be.revertedWithCustomError(staking, "Staking__SlashExceedsStake");
    const bobBal = await token.balanceOf(bob.address);
    await expect(staking.connect(rollup).slash(alice.address, MIN / 2n, bob.address)).to.emit(staking, "Slashed");
    expect(await token.balanceOf(bob.address)).to.equal(bobBal + MIN / 2n);
    expect((await staking.stakerOf(alice.address)).amount).to.equal(MIN / 2n);
    await expect(staking.connect(owner).setRollup(bob.address)).to.be.revertedWithCustomError(staking, "Staking__RollupAlreadySet");
  });
});
