/**
 * Finding 8: a staked account posts a false maximal VRF claim (a proposal with a random "proof" whose output is the
 * best of many tries, and the highest fee split). The honest sequencer checks the logged proof off chain and does
 * not defer to it at any step: it proposes (a false claim does not make a sequencer below the propose threshold
 * skip), challenges the claim in the reveal phase (the claimer's proposal is voided before it can reveal or commit,
 * its stake slashed to the honest sequencer), reveals and commits at once in one transaction (not in the last block
 * of the commit phase, as it would behind a verified better claim) and wins the height.
 */
import { expect } from "chai";
import { Contract, hexlify, randomBytes } from "ethers";
import { DEFAULT_STAKING, ProposalStatus, Role, RollupClient, StakingClient, blockCommitment } from "../../src/client/index.js";
import { L2Chain, devWallet } from "../../src/agents/index.js";
import { executeBlock, l2Domain } from "../../src/l2/index.js";
import { vrfKeyFromSeed, vrfOutput } from "../../src/vrf/index.js";
import { T, startNet, waitFor, type Net } from "./helpers.js";

describe("integration: a false VRF claim (finding 8)", function () {
  this.timeout(600_000);
  let net: Net;

  before(async () => {
    net = await startNet({ sequencers: 1, provers: 1 });
  });
  after(async () => {
    await net?.stop();
  });

  it("neither stalls nor wins: the honest sequencer commits at once and the claimer is slashed", async () => {
    const E18 = 10n ** 18n;
    const liar = devWallet(7, undefined, net.provider);
    const honest = net.sequencers[0]!;
    const token = new Contract(net.deployment.token, ["function mint(address,uint256)", "function approve(address,uint256) returns (bool)"], devWallet(0, undefined, net.provider));
    await (await token.getFunction("mint")(liar.address, 5_000n * E18)).wait();
    const staking = new StakingClient(net.deployment.staking, liar);
    await staking.registerSequencer(DEFAULT_STAKING.minSequencerStake, vrfKeyFromSeed("liar").sk);
    await (await (token.connect(liar) as Contract).getFunction("approve")(net.deployment.rollup, 2n ** 255n)).wait();
    const since = await staking.contract.activeSince(liar.address, Role.Sequencer);
    const stakeBefore = await staking.contract.stakeOf(liar.address);

    // The first height whose seed window opens after the liar became active (and with time to prepare).
    const rc = new RollupClient(net.deployment.rollup, liar);
    const cfg = net.deployment.config;
    const head = BigInt(await net.provider.getBlockNumber());
    let h = 1n;
    while ((await rc.activationCutoff(h)) <= since || (await rc.timeline(h)).proposalStart <= head + 2n) h++;
    const t = await rc.timeline(h);

    // A "maximal" claim: the best output of many random proofs, with the highest fee split.
    let proof: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
    for (let i = 0; i < 256; i++) {
      const p: [bigint, bigint, bigint, bigint] = [BigInt(hexlify(randomBytes(32))), BigInt(hexlify(randomBytes(32))), 0n, 0n];
      if (vrfOutput(p) > vrfOutput(proof)) proof = p;
    }
    await waitFor(`proposal phase of height ${h}`, 120_000, async () => BigInt(await net.provider.getBlockNumber()) + 1n >= t.proposalStart);
    const parent = await rc.chainTip();
    const parentState = await new L2Chain(net.client, net.deployment.genesisState).stateAt(parent);
    const empty = executeBlock(parentState, [], T, l2Domain(net.deployment.chainId, net.deployment.rollup));
    const pubdata = hexlify(empty.pubdata);
    const salt = hexlify(randomBytes(32));
    const commitment = blockCommitment({ proposer: liar.address, height: h, parent, newRoot: empty.newRoot, pubdata, salt });
    await rc.propose({ height: h, vrfProof: proof, commitment, feeSplitBps: cfg.maxFeeSplitBps, proverTip: 0n, proverRewardShareBps: 0n, randomness: await rc.randomnessOf(h) });
    // The end of the proposal phase: no reveal (hence no challenge) can have landed yet.
    await waitFor(`reveal phase of height ${h}`, 120_000, async () => BigInt(await net.provider.getBlockNumber()) + 1n >= t.revealStart);
    const liarScore = await rc.scoreOf(h, liar.address);
    const honestScore = await rc.scoreOf(h, honest.address);
    expect(honestScore, "the honest sequencer proposed").to.be.greaterThan(0n);
    expect(liarScore > honestScore, "the false claim outranks the honest proposal on paper").to.equal(true);

    const c = net.client.contract;
    await waitFor("the false claim challenged", 60_000, async () => (await c.queryFilter(c.filters.VrfClaimChallenged(h, liar.address), Number(t.revealStart))).length > 0);
    const [ch] = await c.queryFilter(c.filters.VrfClaimChallenged(h, liar.address), Number(t.revealStart));
    expect(BigInt(ch!.blockNumber), "challenged in the reveal phase").to.be.lessThan(t.commitStart);
    // Voided: settled with no output, the liar can no longer reveal or commit it.
    const voided = await net.client.getProposal(h, liar.address);
    expect(voided.status).to.equal(ProposalStatus.Settled);
    expect(voided.vrfOutput).to.equal(0n);

    await waitFor(`height ${h} decided`, 120_000, async () => BigInt(await net.provider.getBlockNumber()) >= t.commitEnd);
    const info = await net.client.getHeight(h);
    expect(info.winner.toLowerCase(), "the honest sequencer won").to.equal(honest.address.toLowerCase());
    const [committed] = await c.queryFilter(c.filters.ProverCommitted(h), Number(t.commitStart));
    expect(committed, "a commit").to.not.equal(undefined);
    expect(BigInt(committed!.blockNumber), "committed at once, not in the last block of the phase").to.be.lessThan(t.commitEnd - 1n);
    // The honest block was revealed with that commit (revealAndCommitProver, the agents' default), in the same transaction.
    const [revealed] = await c.queryFilter(c.filters.Revealed(h, honest.address), Number(t.revealStart));
    expect(revealed, "the honest sequencer revealed").to.not.equal(undefined);
    expect(revealed!.transactionHash, "revealed with its commit").to.equal(committed!.transactionHash);
    expect(ch!.args.challenger.toLowerCase()).to.equal(honest.address.toLowerCase());
    expect(ch!.args.slashed).to.equal(cfg.vrfClaimSlash);
    expect(await staking.contract.stakeOf(liar.address)).to.equal(stakeBefore - cfg.vrfClaimSlash);
  });
});
