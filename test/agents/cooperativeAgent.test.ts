/**
 * The cooperative prover agent (src/agents/cooperativeProver.ts) on a spawned Hardhat node with the REAL unit
 * verifier (UnitVerifier_U1_D8: T = 2, K = 2, D = 8, the committed Unit(1, 8) circuit, INSECURE dev setup) and real
 * unit proofs. One height is driven by hand: a staked sequencer proposes, reveals a block of real signed L2 transfers
 * (with their signatures, so the block is rebuilt from L1 alone) and commits its intermediate roots; four staked
 * provers run the agent (one with FEE_BURN 20 %). Checks: the height is finalized by unit proofs; each unit's paid set
 * is the top three scores (the agents' VRF over the unit input, computed here independently); after the close one
 * agent settles and each paid proof is paid reward x (1 - FEE_BURN) / (K x 3); the counters add up. One agent is
 * crashed right after its first proof and restarted on its store: it does not prove that unit again.
 *
 * Needs build/circuits/U1_D8 and build/setup/unit_U1_D8 (`npx tsx scripts/build-circuits.ts --unit --S 1 --D 8`).
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify, randomBytes, type JsonRpcProvider, type Wallet } from "ethers";
import { CooperativeProverAgent, Logger, connectL1, formatLog, type CooperativeProverOptions } from "../../src/agents/index.js";
import { checkCooperativeOptions } from "../../src/agents/cooperativeProver.js";
import { devWallet, startHardhatNode, type HardhatNode } from "../../src/agents/devnet.js";
import { DEFAULT_STAKING, HeightStatus, RollupClient, Role, StakingClient, blockCommitment, defaultRollupConfig } from "../../src/client/index.js";
import { deployRollup } from "../../src/client/deploy.js";
import { networkReward, proverReward, unitScore, unitVrfInput } from "../../src/cooperative.js";
import { encodeBlockSignatures, executeBlockUnits, initL2, l2Domain, stateFromGenesis } from "../../src/l2/index.js";
import { devGenesis, sampleTransfers } from "../../src/l2/sample.js";
import { popProve, publicKeyG1Of, vrfKeyFromSeed, vrfProve } from "../../src/vrf/index.js";
import { artifactsFor } from "../../src/zk/artifacts.js";
import { AgentError } from "../../src/agents/common.js";
import { DevToken__factory, Staking__factory, UnitVerifier_U1_D8__factory } from "../../types/ethers-contracts/index.js";

const T = 2;
const K = 2;
const D = 8;
const E18 = 10n ** 18n;
const ACCOUNTS = 3;
const art = artifactsFor({ T: T / K, D, kind: "unit" });

function testLogger(name: string): Logger {
  const level = (process.env.FERNET_TEST_LOG ?? "warn") as "error" | "warn" | "info" | "debug";
  return new Logger(name, level, (r) => process.stderr.write("      " + formatLog(r) + "\n"));
}

async function waitFor(what: string, timeoutMs: number, pred: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("agents/cooperativeProver (real unit proofs, T = 2, K = 2, D = 8)", function () {
  this.timeout(240_000);
  let node: HardhatNode | undefined;
  let provider: JsonRpcProvider | undefined;
  let dir = "";
  const agents: CooperativeProverAgent[] = [];

  before(function () {
    if (!existsSync(art.wasmPath) || !existsSync(art.zkeyPath)) {
      throw new Error(`unit circuit not built: run npx tsx scripts/build-circuits.ts --unit --S ${T / K} --D ${D}`);
    }
    dir = mkdtempSync(join(tmpdir(), "fernet-coop-agent-"));
  });

  after(async function () {
    for (const a of agents) await a.stop().catch(() => {});
    provider?.destroy();
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses bad options with a typed error", () => {
    const ok: CooperativeProverOptions = {
      name: "p", rpcUrl: "http://127.0.0.1:1", rollup: "0x" + "11".repeat(20), privateKey: "0x" + "22".repeat(32), vrfSeed: "s",
      T, D, K, genesis: [], storePath: "x", wasmPath: "w", zkeyPath: "z",
    };
    expect(() => checkCooperativeOptions(ok)).to.not.throw();
    for (const patch of [
      { K: 3 }, { T: 0 }, { feeBurnBps: 10_001 }, { feeBurnBps: -1 }, { feeBurnBps: 1.5 }, { feeBurnStrategy: "greedy" as never },
      { rollup: "0x12" }, { name: "" }, { provingTimeL1Blocks: -1 }, { fromHeight: 0n },
    ]) {
      let err: unknown;
      try {
        checkCooperativeOptions({ ...ok, ...patch } as CooperativeProverOptions);
      } catch (e) {
        err = e;
      }
      expect(err, Object.keys(patch).join()).to.be.instanceOf(AgentError);
      expect((err as AgentError).code).to.equal("BAD_CONFIG");
    }
  });

  it("four agents prove a height unit by unit; the top three per unit are paid at settlement; a crashed agent resumes without proving twice", async () => {
    const started = Date.now();
    await initL2();
    node = await startHardhatNode({});
    provider = await connectL1(node.url, 100);
    const mine = async (n: bigint) => {
      if (n > 0n) await provider!.send("hardhat_mine", ["0x" + n.toString(16)]);
    };
    const mineTo = async (block: bigint) => mine(block - 1n - BigInt(await provider!.getBlockNumber()));
    const chainId = (await provider.getNetwork()).chainId;
    const deployer = devWallet(0, undefined, provider);
    const seq = devWallet(1, undefined, provider);
    const provers: Wallet[] = [2, 3, 4, 5].map((i) => devWallet(i, undefined, provider));
    const seeds = provers.map((_, i) => `coop-agent-prover-${i}`);
    const feeBurns = [0n, 0n, 2_000n, 0n];

    // Contracts: token, staking (sequencer + 4 provers staked with VRF keys), the real unit verifier, the Rollup.
    const token = await new DevToken__factory(deployer).deploy("Fernet Dev", "FDEV", deployer.address);
    await token.waitForDeployment();
    const staking = await new Staking__factory(deployer).deploy(
      await token.getAddress(), DEFAULT_STAKING.minSequencerStake, DEFAULT_STAKING.minProverStake, DEFAULT_STAKING.exitDelay, deployer.address,
    );
    await staking.waitForDeployment();
    const stakingAddr = await staking.getAddress();
    for (const w of [seq, ...provers, deployer]) await (await token.mint(w.address, 10_000n * E18)).wait();
    const seqVrf = vrfKeyFromSeed("coop-agent-sequencer");
    await new StakingClient(stakingAddr, seq).registerSequencer(DEFAULT_STAKING.minSequencerStake, seqVrf.sk);
    for (const [i, p] of provers.entries()) {
      const { sk, pk } = vrfKeyFromSeed(seeds[i]!);
      await (await token.connect(p).approve(stakingAddr, DEFAULT_STAKING.minProverStake)).wait();
      const sc = new StakingClient(stakingAddr, p);
      await sc.stake(Role.Prover, DEFAULT_STAKING.minProverStake);
      await sc.registerVrfKey(pk, publicKeyG1Of(sk), popProve(sk, { chainId, verifier: stakingAddr, owner: p.address }));
    }
    const verifier = await new UnitVerifier_U1_D8__factory(deployer).deploy();
    await verifier.waitForDeployment();
    const genesis = devGenesis(ACCOUNTS, 1_000_000_000n);
    const genesisState = stateFromGenesis(genesis, D);
    const config = defaultRollupConfig({ slots: BigInt(T), genesisRoot: genesisState.root }, {
      proposalBlocks: 3n, revealBlocks: 3n, commitBlocks: 3n, provingWindow: 40n, lateWindow: 10n,
      provingDesign: 1n, units: BigInt(K), genesisBlock: BigInt(await provider.getBlockNumber()) + 30n,
    });
    const rollup = await deployRollup(deployer, config, stakingAddr, await verifier.getAddress());
    const rollupAddr = await rollup.getAddress();
    await (await staking.setRollup(rollupAddr)).wait();
    await (await token.connect(seq).approve(rollupAddr, 2n ** 255n)).wait();
    await (await token.approve(rollupAddr, 2n ** 255n)).wait();
    const client = new RollupClient(rollupAddr, provider);
    await client.connect(deployer).fundRewards(1_000n * E18);

    // The first height all the stakes count for.
    let height = 1n;
    const now = BigInt(await provider.getBlockNumber());
    while ((await client.activationCutoff(height)) <= now) height++;
    const t = await client.timeline(height);

    // The agents start before the height (they look at it once its commit phase is over).
    const base = {
      rpcUrl: node.url, rollup: rollupAddr, T, D, K, genesis, wasmPath: art.wasmPath, zkeyPath: art.zkeyPath, pollMs: 100,
      provingTimeL1Blocks: 4, proverThreads: 1, fromHeight: height,
    };
    const opts: CooperativeProverOptions[] = provers.map((p, i) => ({
      ...base, name: `coop-${i}`, privateKey: p.privateKey, vrfSeed: seeds[i]!, feeBurnBps: feeBurns[i], storePath: join(dir, `coop-${i}.sqlite`),
      log: testLogger(`coop-${i}`),
    }));
    for (const o of opts) agents.push(await CooperativeProverAgent.start(o));
    // Agent 0 crashes right after its first proof (before or while sending it) and is restarted on its store.
    let crashedStats: ReturnType<CooperativeProverAgent["stats"]> | undefined;
    let crashedUnit = -1;
    const crashed = new Promise<void>((resolve) => {
      agents[0]!.once("proof", (e: { unit: number }) => {
        crashedUnit = e.unit;
        const a = agents[0]!;
        void a.crash().then(() => {
          crashedStats = a.stats();
          resolve();
        });
      });
    });

    // The sequencer's height: seed, proposal, reveal of a real block with its signatures, commit of the roots
    // (`badRoots`: roots that are not the block's, which the contract cannot tell).
    const seqClient = client.connect(seq);
    const domain = l2Domain(chainId, rollupAddr);
    const driveHeight = async (h: bigint, state: typeof genesisState, badRoots?: bigint[]) => {
      const th = await client.timeline(h);
      await mineTo(await client.seedWindowStart(h));
      if (!(await client.getHeight(h)).seedSet) await client.connect(deployer).recordRandomness(h);
      await mineTo(th.proposalStart);
      const parent = await client.chainTip();
      const txs = sampleTransfers(state, ACCOUNTS, T, domain);
      const { block, units } = executeBlockUnits(state, txs, T, K, domain);
      const randomness = await client.randomnessOf(h);
      const seqProof = vrfProve(seqVrf.sk, { chainId, verifier: rollupAddr, randomness, height: h });
      const salt = hexlify(randomBytes(32));
      const pubdata = hexlify(block.pubdata);
      const commitment = blockCommitment({ proposer: seq.address, height: h, parent, newRoot: block.newRoot, pubdata, salt });
      await seqClient.propose({ height: h, vrfProof: seqProof.proof, commitment, feeSplitBps: 5_000n, proverTip: 0n, proverRewardShareBps: 0n, randomness });
      await mineTo(th.revealStart);
      await seqClient.reveal({ height: h, parent, newRoot: block.newRoot, pubdata, salt, signatures: encodeBlockSignatures(txs, T) });
      await mineTo(th.commitStart);
      await seqClient.commitUnits({ height: h, intermediateRoots: badRoots ?? units.intermediateRoots, vrfProof: seqProof.proof });
      await mineTo(th.commitEnd);
      return { block, randomness, seqProof, t: th };
    };
    const { block, randomness, seqProof } = await driveHeight(height, genesisState);
    // From here blocks come on their own (the agents' transactions mine too).
    await provider.send("evm_setIntervalMining", [1000]);
    const setupDone = Date.now();

    await crashed;
    agents[0] = await CooperativeProverAgent.start({ ...opts[0]!, fromHeight: undefined, name: "coop-0b" });
    const reproved: number[] = [];
    agents[0].on("proof", (e: { unit: number }) => reproved.push(e.unit));

    // The scores each prover has per unit (its VRF over the unit input), computed here from the chain's values.
    const score = (i: number, unit: number) => {
      const input = unitVrfInput(randomness, seqProof.output, BigInt(unit));
      return unitScore(vrfProve(vrfKeyFromSeed(seeds[i]!).sk, { chainId, verifier: rollupAddr, randomness: input, height }).output, feeBurns[i]!);
    };
    const top3 = (unit: number) => [0, 1, 2, 3].sort((a, b) => (score(b, unit) > score(a, unit) ? 1 : -1)).slice(0, 3).map((i) => provers[i]!.address).sort();

    // Every unit's paid set fills with the top three scores.
    await waitFor("each unit's paid set is the top three", 150_000, async () => {
      for (let u = 0; u < K; u++) {
        const payees = (await client.unitEntries(height, BigInt(u))).map((e) => e.payee).sort();
        if (payees.join() !== top3(u).join()) return false;
      }
      return true;
    });
    const proven = Date.now();
    const info = await client.getHeight(height);
    expect(info.status).to.equal(HeightStatus.Finalized);
    const before = await Promise.all(provers.map((p) => client.claimable(p.address)));
    // Close: jump to the proving deadline (no displacement came near it: no soft close), then an agent settles.
    const unitsBefore = await client.unitsOf(height);
    expect(unitsBefore.finalized).to.equal(true);
    await mineTo((unitsBefore.closeAt !== 0n ? unitsBefore.closeAt : t.provingDeadline) + 1n);
    await waitFor("the height settled", 30_000, async () => (await client.unitsOf(height)).settled);

    // Payment: network reward = FEE_SPLIT of (block reward + fees); each paid proof reward x (1 - FEE_BURN) / (K x 3).
    const network = networkReward(config.blockReward + block.totalFees, 5_000n);
    for (const [i, p] of provers.entries()) {
      let expected = 0n;
      for (let u = 0; u < K; u++) if (top3(u).includes(p.address)) expected += proverReward(network, BigInt(K), feeBurns[i]!);
      expect((await client.claimable(p.address)) - before[i]!, `prover ${i}`).to.equal(expected);
    }
    expect(new Set([...top3(0), ...top3(1)]).size).to.be.at.least(2);

    // Counters: one settlement in all; every proof sent or wasted; every send accepted or refused.
    await new Promise((r) => setTimeout(r, 1500));
    const stats = agents.map((a) => a.stats());
    const all = [crashedStats!, ...stats];
    const sum = (k: keyof (typeof all)[number]) => all.reduce((s, x) => s + x[k], 0);
    expect(sum("settled")).to.equal(1);
    for (const s of all) expect(s.submitted).to.equal(s.accepted + s.refused + s.failed);
    // Six paid slots (a crashed send may land uncounted: the restarted agent finds it in the entries).
    expect(sum("accepted")).to.be.at.least(5);
    // Every proof made was sent or counted wasted: exactly once by the agents that ran through (a send that failed may
    // be sent again). The crashed agent's one proof is counted by the crashed agent and its restart together once,
    // twice (its send was still in flight when the restart read the entries, so the restart sent the stored proof
    // again: refused or wasted) or not at all (found already in the entries after the restart).
    const out = (s: (typeof all)[number]) => s.submitted + s.wasted;
    for (const [i, s] of stats.entries()) {
      if (i === 0) continue;
      expect(out(s) >= s.proofsMade && out(s) <= s.proofsMade + s.failed, `agent ${i}: ${out(s)} sent or wasted, ${s.proofsMade} made`).to.equal(true);
    }
    const restartExtra = out(crashedStats!) + out(stats[0]!) - crashedStats!.proofsMade - stats[0]!.proofsMade - stats[0]!.failed;
    expect(restartExtra >= -1 && restartExtra <= 1, `crashed + restarted agent: ${restartExtra} sent or wasted beyond the proofs made`).to.equal(true);
    expect(sum("unprovable")).to.equal(0);
    expect(sum("rescues")).to.equal(0);
    // Agent 0 crashed after its first proof: the restarted agent did not prove that unit again (the stored proof was
    // sent, or found in the entries).
    expect(crashedStats!.proofsMade).to.equal(1);
    expect(reproved).to.not.include(crashedUnit);
    const held = (await Promise.all([0, 1].map((u) => client.unitEntries(height, BigInt(u))))); // cleared by the settlement
    expect(held.flat()).to.have.length(0);
    process.stderr.write(
      `      setup ${((setupDone - started) / 1000).toFixed(1)} s, proving to top-3 ${((proven - setupDone) / 1000).toFixed(1)} s; ` +
        `unit proofs (s): ${agents.flatMap((a) => a.proofSeconds.map((x) => x.toFixed(2))).join(" ")}; stats ${JSON.stringify(all)}\n`,
    );

    // A rescue: nobody proves the next height by its proving deadline (no agent runs); an agent started after it
    // proves both units late: the height is finalized, the rescuer is paid per rescued unit out of the bond.
    for (const a of agents.splice(0)) await a.stop();
    await provider.send("evm_setIntervalMining", [0]); // from here only transactions mine: each agent round is one head
    const nextHeight = async (after: bigint) => {
      const b = BigInt(await provider!.getBlockNumber());
      let h = after + 1n;
      while ((await client.seedWindowStart(h)) <= b + 1n) h++;
      return h;
    };
    const h2 = await nextHeight(height);
    const r2 = await driveHeight(h2, block.state);
    await mineTo(r2.t.provingDeadline + 1n);
    expect((await client.getHeight(h2)).status).to.equal(HeightStatus.Pending);
    const rescuerBefore = await client.claimable(provers[1]!.address);
    const rescuer = await CooperativeProverAgent.start({ ...opts[1]!, name: "rescuer", storePath: join(dir, "rescuer.sqlite"), fromHeight: h2 });
    agents.push(rescuer);
    await waitFor("the late height rescued", 60_000, async () => (await client.getHeight(h2)).status === HeightStatus.Finalized);
    await waitFor("the rescuer counted both rescues", 10_000, () => rescuer.stats().rescues === 2);
    expect(rescuer.stats()).to.deep.include({ proofsMade: 2, submitted: 2, accepted: 2, rescues: 2, refused: 0, wasted: 0 });
    // Each rescued unit's rescuer is paid min(its share of lateProverShare x bond, half an on-time proof's pay).
    const fin = (await client.contract.queryFilter(client.contract.filters.HeightFinalized(h2)))[0]!;
    const cap = fin.args.proverReward / (2n * 3n) / 2n;
    const share = (config.proverDeposit * config.lateProverShareBps) / 10_000n / 2n;
    expect((await client.claimable(provers[1]!.address)) - rescuerBefore).to.equal(2n * (share < cap ? share : cap));

    // An unprovable height: the sequencer commits roots that are not its block's (the contract cannot tell); the
    // agent rebuilds the block, finds the mismatch, counts it and proves nothing.
    const h3 = await nextHeight(h2);
    await driveHeight(h3, r2.block.state, [123n]);
    await mine(1n);
    await waitFor("the bad roots found", 20_000, () => rescuer.stats().unprovable === 1);
    await mine(1n);
    await new Promise((r) => setTimeout(r, 500));
    expect(rescuer.stats()).to.deep.include({ proofsMade: 2, submitted: 2, unprovable: 1 });
    process.stderr.write(`      total ${((Date.now() - started) / 1000).toFixed(1)} s; rescuer ${JSON.stringify(rescuer.stats())}\n`);
  });
});
