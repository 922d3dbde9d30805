/**
 * Record / replay (src/scenario/record.ts, replay.ts) against real Hardhat nodes, no proving: a run recorded through
 * the proxy (the devnet deployment with Ignition, mints, registrations, then two competing proposals in one block,
 * reveals, and a commitProver whose VRF proof is checked against the height's randomness) is replayed on a fork of
 * the first node made at the log's start block and on a fresh node, with no divergence; a tampered log diverges, and
 * so does a replay that records another seed (another prevrandao) without pinning it.
 */
import { expect } from "chai";
import { JsonRpcProvider, Transaction, hexlify, randomBytes, type Wallet } from "ethers";
import { blockCommitment, RollupClient } from "../../src/client/index.js";
import { connectL1, deployDevnet, devWallet, startHardhatNode, type Deployment, type HardhatNode } from "../../src/agents/index.js";
import { vrfKeyFromSeed, vrfProve } from "../../src/vrf/index.js";
import { startRecorder, type Recorder, type ReplayLog } from "../../src/scenario/record.js";
import { replayLog, startReplayNode } from "../../src/scenario/replay.js";

const T = 2;
const D = 8;

describe("scenario record / replay", function () {
  this.timeout(240_000);
  let origin: HardhatNode;
  let recorder: Recorder;
  let provider: JsonRpcProvider;
  let d: Deployment;
  let log: ReplayLog;
  const nodes: HardhatNode[] = [];
  const seqs: { wallet: Wallet; seed: string }[] = [];

  /** Mines empty blocks until the next block is `n`. */
  async function mineUntilNext(n: bigint): Promise<void> {
    const head = BigInt(await provider.getBlockNumber());
    if (head + 1n < n) await provider.send("hardhat_mine", ["0x" + (n - 1n - head).toString(16)]);
  }

  before(async () => {
    origin = await startHardhatNode();
    recorder = await startRecorder(origin.url);
    provider = await connectL1(recorder.url, 50);
    const actors = {
      deployer: devWallet(0, undefined, provider),
      sequencers: [1, 2].map((i) => ({ name: `seq-${i}`, wallet: devWallet(i, undefined, provider), vrfSeed: `replay-seq-${i}` })),
      provers: [{ name: "prover-1", wallet: devWallet(3, undefined, provider) }],
    };
    for (const s of actors.sequencers) seqs.push({ wallet: s.wallet, seed: s.vrfSeed });
    // Automine during the setup (one block per transaction), as the devnet does.
    d = await deployDevnet({ provider, actors, T, D, accounts: 4, overrides: { proposalBlocks: 3n, revealBlocks: 3n, commitBlocks: 3n } });
    const c = d.config;
    const chainId = d.chainId;

    // Node-control calls the log must carry.
    await provider.send("hardhat_setBalance", [devWallet(9).address, "0x1234"]);
    await provider.send("hardhat_setCoinbase", [devWallet(8).address]);
    // eth_sendTransaction: from an impersonated account, and from one of the node's unlocked accounts.
    const someone = "0x00000000000000000000000000000000000f0e11";
    await provider.send("hardhat_impersonateAccount", [someone]);
    await provider.send("hardhat_setBalance", [someone, "0xde0b6b3a7640000"]);
    await provider.waitForTransaction(await provider.send("eth_sendTransaction", [{ from: someone, to: devWallet(9).address, value: "0x1000" }]));
    await provider.waitForTransaction(await provider.send("eth_sendTransaction", [{ from: devWallet(7).address, to: someone, value: "0x2000" }]));
    // A transaction sent around the recorder, straight to the node: the log takes it from the chain.
    const direct = new JsonRpcProvider(origin.url, undefined, { staticNetwork: true });
    await (await devWallet(6, undefined, direct).sendTransaction({ to: someone, value: 7n })).wait();
    direct.destroy();

    // Height 1: both sequencers propose in the same block (automine off, then mine).
    await mineUntilNext(c.genesisBlock);
    const randomness1 = await new RollupClient(d.rollup, provider).randomnessOf(1n);
    const pubdata = new Uint8Array(20 * T);
    const props = seqs.map((s) => {
      const salt = hexlify(randomBytes(32));
      const newRoot = d.genesisState.root;
      const vrf = vrfProve(vrfKeyFromSeed(s.seed).sk, { chainId, verifier: d.rollup, randomness: randomness1, height: 1n });
      return { s, salt, newRoot, vrf, commitment: blockCommitment({ proposer: s.wallet.address, height: 1n, parent: 0n, newRoot, pubdata, salt }) };
    });
    await provider.send("evm_setAutomine", [false]);
    const sent = [];
    for (const p of props) {
      const rc = new RollupClient(d.rollup, p.s.wallet);
      sent.push(await rc.contract.propose(1n, p.vrf.proof, p.commitment, 100n, 0n, 0n, randomness1));
    }
    await provider.send("evm_mine", []);
    for (const t of sent) expect((await t.wait())!.status).to.equal(1);
    await provider.send("evm_setAutomine", [true]);

    // Reveal phase: both reveal. Commit phase: both commit (the leader's VRF proof is checked against the randomness).
    await mineUntilNext(c.genesisBlock + c.proposalBlocks);
    for (const p of props) {
      await new RollupClient(d.rollup, p.s.wallet).reveal({ height: 1n, parent: 0n, newRoot: p.newRoot, pubdata, salt: p.salt, signatures: "0x" });
    }
    await mineUntilNext(c.genesisBlock + c.proposalBlocks + c.revealBlocks);
    await provider.send("evm_increaseTime", [30]);
    for (const p of props) {
      const r = await new RollupClient(d.rollup, p.s.wallet).commitProver({ height: 1n, prover: p.s.wallet.address, vrfProof: p.vrf.proof });
      expect(r.status).to.equal(1);
    }
    // Height 2 opens on top of height 1 (its randomness mixes in height 1's winner): one proposal.
    await mineUntilNext(c.genesisBlock + c.proposalBlocks + c.revealBlocks + c.commitBlocks);
    const rc2 = new RollupClient(d.rollup, seqs[0]!.wallet);
    const randomness2 = await rc2.randomnessOf(2n);
    const vrf2 = vrfProve(vrfKeyFromSeed(seqs[0]!.seed).sk, { chainId, verifier: d.rollup, randomness: randomness2, height: 2n });
    await rc2.propose({ height: 2n, vrfProof: vrf2.proof, commitment: hexlify(randomBytes(32)), feeSplitBps: 0n, proverTip: 0n, proverRewardShareBps: 0n, randomness: randomness2 });
    await provider.send("hardhat_mine", ["0x3"]);
    log = await recorder.log();
  });

  after(async () => {
    provider?.destroy();
    await recorder?.stop();
    for (const n of nodes) await n.stop();
    await origin?.stop();
  });

  it("records every block after the start with its transactions, receipts, the randomness of each height and the controls", () => {
    expect(log.version).to.equal(1);
    expect(log.startBlock).to.equal(0);
    expect(log.blocks.map((b) => b.number)).to.deep.equal(Array.from({ length: log.endBlock }, (_, i) => i + 1));
    const txs = log.blocks.flatMap((b) => b.txs);
    expect(txs.length).to.be.greaterThan(20);
    expect(txs.filter((t) => t.source === "chain").map((t) => t.kind)).to.deep.equal(["raw"]);
    expect(txs.filter((t) => t.kind === "unsigned").map((t) => t.source)).to.deep.equal(["recorder", "recorder"]);
    expect(log.blocks.some((b) => b.txs.length === 2)).to.equal(true);
    expect(log.rollup).to.equal(d.rollup.toLowerCase());
    expect(log.pinned.randomness.map((p) => p.height)).to.deep.equal([1, 2]);
    expect(log.controls.map((c) => c.method)).to.include.members(["hardhat_setBalance", "hardhat_setCoinbase", "hardhat_impersonateAccount", "evm_setAutomine", "evm_mine", "hardhat_mine", "evm_increaseTime"]);
    expect(log.warnings).to.deep.equal(["1 transaction(s) on chain were not sent through the recorder (taken from the chain)"]);
    expect(log.final.views.length).to.be.greaterThan(5);
    expect(log.final.accounts.find((a) => a.address === d.rollup.toLowerCase())?.storageHash).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("replays on a fork of the recorded node made at the log's start block with no divergence", async () => {
    const fork = await startReplayNode(log, { fork: origin.url });
    nodes.push(fork);
    const r = await replayLog(log, fork.url);
    expect(r.divergences).to.deep.equal([]);
    expect(r.txs).to.equal(log.blocks.reduce((s, b) => s + b.txs.length, 0));
    expect(r.blocks).to.equal(log.blocks.length);
    expect(r.pinned.map((p) => p.height)).to.deep.equal([1, 2]);
    // The seed is the block's prevrandao, which the replay sets to the recorded one: the pin writes the same value.
    expect(r.pinned.every((p) => BigInt(p.replayComputed) === BigInt(p.recorded))).to.equal(true);
    expect(r.interventions).to.have.length(2);
    // The seed word found on the chain is the one the source lays out: RandomnessLib's ring of seeds
    // (contracts/libraries/RandomnessLib.sol), word h % 32 in its ERC-7201 namespace.
    expect(r.pinned.map((p) => p.base)).to.deep.equal(["RandomnessLib", "RandomnessLib"]);
    // A fork cannot prove its storage: the storage roots are the one thing not compared there.
    expect(r.notes.join()).to.match(/storage roots of \d+ contract\(s\) not compared/);
    console.log(`      fork replay: ${r.txs} txs in ${r.blocks} blocks, ${r.ms} ms`);
  });

  it("replays on a fresh node with no divergence", async () => {
    const fresh = await startReplayNode(log);
    nodes.push(fresh);
    const r = await replayLog(log, fresh.url);
    expect(r.divergences).to.deep.equal([]);
    expect(r.pinned).to.have.length(2);
    expect(r.notes, "a fresh node proves its storage: every contract's storage root compared").to.deep.equal([]);
    console.log(`      fresh replay: ${r.txs} txs in ${r.blocks} blocks, ${r.ms} ms`);
  });

  it("reports the divergence of a tampered log (a mint's calldata changed and re-signed)", async () => {
    const tampered = JSON.parse(JSON.stringify(log)) as ReplayLog;
    const token = d.token.toLowerCase();
    // The first mint(address, uint256): change the amount's last non-zero byte (same calldata gas: the deployment
    // estimated the gas limit exactly, and a zero byte turned non-zero would run out of gas instead).
    const t = tampered.blocks.flatMap((b) => b.txs).find((x) => x.to === token && x.raw && Transaction.from(x.raw).data.startsWith("0x40c10f19"))!;
    const tx = Transaction.from(t.raw!);
    const bytes = Buffer.from(tx.data.slice(2), "hex");
    let k = bytes.length - 1;
    while (bytes[k] === 0) k--;
    bytes[k] = bytes[k] === 0xff ? 0xfe : bytes[k]! + 1;
    const data = "0x" + bytes.toString("hex");
    const unsigned = Transaction.from({ ...tx.toJSON(), signature: undefined, hash: undefined, data });
    unsigned.signature = null;
    t.raw = await devWallet(0).signTransaction(unsigned);
    const fresh = await startReplayNode(tampered);
    nodes.push(fresh);
    const r = await replayLog(tampered, fresh.url);
    console.log(r.divergences.slice(0, 8).map((x) => `      | ${x}`).join("\n"));
    expect(r.divergences.length).to.be.greaterThan(0);
    expect(r.divergences.join("\n")).to.match(/replayed as .*recorded/);
    expect(r.divergences.join("\n")).to.match(/log 0 .* data/);
    expect(r.divergences.join("\n")).to.match(new RegExp(`final state: storage of ${token} differs`));
  });

  it("with another prevrandao where a seed was recorded, the leader's commitProver fails unless the seed is pinned (why the pin exists)", async () => {
    // A node that does not reproduce prevrandao records another seed: height 1's VRF proofs no longer verify.
    const otherRandao = (l: ReplayLog): ReplayLog => {
      const x = JSON.parse(JSON.stringify(l)) as ReplayLog;
      const at = x.pinned.randomness.find((p) => p.height === 1)!.block;
      const b = x.blocks.find((y) => y.number === at)!;
      b.prevRandao = "0x" + "ab".repeat(32);
      return x;
    };
    const unpinned = otherRandao(log);
    unpinned.pinned.randomness = [];
    const fork = await startReplayNode(unpinned, { fork: origin.url });
    nodes.push(fork);
    const r = await replayLog(unpinned, fork.url);
    console.log(r.divergences.slice(0, 6).map((x) => `      | ${x}`).join("\n"));
    expect(r.divergences.some((x) => /status 0, recorded 1/.test(x))).to.equal(true);
    // Pinned, the recorded seed is written back after that block: the commits go through as recorded.
    const pinned = otherRandao(log);
    const fork2 = await startReplayNode(pinned, { fork: origin.url });
    nodes.push(fork2);
    const r2 = await replayLog(pinned, fork2.url);
    expect(r2.divergences.some((x) => /status 0, recorded 1/.test(x)), r2.divergences.join("\n")).to.equal(false);
    expect(r2.pinned.find((p) => p.height === 1)!.replayComputed).to.not.equal(r2.pinned.find((p) => p.height === 1)!.recorded);
  });
});

describe("scenario recorder proxy", function () {
  this.timeout(60_000);

  it("forwards a JSON-RPC batch unchanged and records the sends and control calls in it, with their answers", async () => {
    const node = await startHardhatNode();
    const rec = await startRecorder(node.url);
    try {
      const w = devWallet(5);
      const raw = await w.signTransaction({ type: 2, chainId: 31337n, nonce: 0, to: devWallet(6).address, value: 1n, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n });
      const body = [
        { jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] },
        { jsonrpc: "2.0", id: "two", method: "eth_sendRawTransaction", params: [raw] },
        { jsonrpc: "2.0", id: 3, method: "hardhat_setBalance", params: [devWallet(7).address, "0x10"] },
        { jsonrpc: "2.0", id: 4, method: "eth_sendRawTransaction", params: [raw] },
      ];
      const res = await fetch(rec.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const answers = (await res.json()) as { id: unknown; result?: unknown; error?: { message: string } }[];
      expect(answers.map((a) => a.id)).to.deep.equal([1, "two", 3, 4]);
      expect(answers[1]!.result).to.equal(Transaction.from(raw).hash);
      expect(answers[3]!.error, "the same transaction twice is refused").to.not.equal(undefined);
      const calls = rec.calls();
      expect(calls.map((c) => c.method)).to.deep.equal(["eth_sendRawTransaction", "hardhat_setBalance", "eth_sendRawTransaction"]);
      expect(calls[0]!.result).to.equal(Transaction.from(raw).hash);
      expect(calls[2]!.error?.message).to.be.a("string");
      const log = await rec.log();
      expect(log.refused).to.have.length(1);
      expect(log.blocks.flatMap((b) => b.txs).map((t) => t.hash)).to.deep.equal([Transaction.from(raw).hash!.toLowerCase()]);
      expect(log.controls.map((c) => c.method)).to.deep.equal(["hardhat_setBalance"]);
    } finally {
      await rec.stop();
      await node.stop();
    }
  });
});
