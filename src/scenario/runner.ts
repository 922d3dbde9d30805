/**
 * Scenario runner: plays a scenario (src/scenario/schema.ts) on its own Hardhat node (default), on a running node
 * (`rpc`), or on a fork of a chain (`fork`, `forkBlock`: a `hardhat node --fork` child), with the devnet plumbing of
 * src/agents/devnet.ts (deployment, funding and registration, agents, transaction generator). Every L1 client of
 * the run goes through the recorder (src/scenario/record.ts, a JSON-RPC proxy), so every transaction sent is in
 * `<out>/l1-log.json` and the run can be replayed (`replayScenario`). At the end the figures are computed from L1
 * events (src/scenario/collect.ts), the expectations checked, and the report written (src/scenario/report.ts).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { AbiCoder, Contract, isAddress, keccak256, type JsonRpcProvider, type Signer, type Wallet } from "ethers";
import {
  AggregatorAgent, Logger, PROJECT_ROOT, ProverAgent, SequencerAgent, TxGenerator, connectL1, deployDevnet, devWallet, errText,
  freePort, startHardhatNode, startIntervalMining, ZERO_ADDRESS, type DevnetActors, type Deployment, type HardhatNode, type LogRecord,
} from "../agents/index.js";
import { initL2, stateFromGenesis } from "../l2/index.js";
import { devGenesis } from "../l2/sample.js";
import { vrfKeyFromSeed } from "../vrf/index.js";
import { DEFAULT_AGGREGATOR, DEFAULT_STAKING, HeightStatus, RollupClient, StakingClient } from "../client/index.js";
import { AGENT_DEFAULTS, DEVNET_DEFAULTS } from "../defaults.js";
import { E18 } from "../protocol.js";

import type { ScenarioFigures, ScenarioMode } from "./figures.js";
import { ScenarioError, strategyText, validateScenario, type Scenario } from "./schema.js";
import { proverHooks, sequencerHooks, type Clock } from "./strategies.js";
import { collectFigures } from "./collect.js";
import { evaluate } from "./expectations.js";
import { startRecorder, type ReplayLog } from "./record.js";
import { replayLog, startReplayNode } from "./replay.js";
import { writeReport } from "./report.js";
import { seededRandom } from "./random.js";

const ZERO_HASH = "0x" + "00".repeat(32);

export interface RunOptions {
  scenario: Scenario;
  /** Output folder (report.md, figures.json, charts/, l1-log.json, run.json). */
  outDir: string;
  /** Use this running node (must allow evm_* mining calls and hardhat_setBalance or funded dev accounts). */
  rpc?: string;
  /** Fork this chain with a spawned `hardhat node --fork URL [--fork-block-number N]`. */
  fork?: string;
  forkBlock?: number;
  /**
   * Use the contracts already at this Rollup address (with `rpc` or `fork`) instead of deploying: the actors are
   * funded by minting as the token's owner (impersonated when it is not the deployer), registered if needed, and the
   * scenario's heights count from the first height that opens after the attach (the Rollup's parameters apply).
   */
  rollup?: string;
  /** Skip the contract compile (artifacts and types/ must exist). */
  noCompile?: boolean;
  /** Record L1 traffic through the recorder (default true). */
  record?: boolean;
  log?: Logger;
  /** One line per L1 block (default: none). */
  progress?: (line: string) => void;
}

/** What `run.json` holds: enough to recompute the figures of a replay and compare outcomes. */
export interface RunMeta {
  scenario: Scenario;
  mode: ScenarioMode;
  l1Url: string;
  forkUrl?: string;
  forkBlock?: number;
  chainId: string;
  deployment: { rollup: string; staking: string; token: string; verifier: string; aggregator?: string; deployBlock: number; genesisBlock: number };
  /** Block before the first transaction of the run (a fork of the original node at this block replays it). */
  startBlock: number;
  endBlock: number;
  /** Scenario height h is Rollup height h + heightOffset (0 unless attached with `rollup`). */
  heightOffset: number;
  names: Record<string, string>;
  actors: ScenarioFigures["actors"];
}

export interface RunResult {
  figures: ScenarioFigures;
  passed: boolean;
  outDir: string;
  meta: RunMeta;
  logPath?: string;
}

// ------------------------------------------------------------------------------------ outputs

/** Writes report.md, figures.json and charts/ (src/scenario/report.ts). */
export async function writeOutputs(outDir: string, figures: ScenarioFigures): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await writeReport(outDir, figures);
}

// ------------------------------------------------------------------------------------ helpers


const ETH_FLOOR = 10n ** 21n; // 1000 ETH

async function ensureFunded(provider: JsonRpcProvider, addresses: string[], log: Logger): Promise<void> {
  for (const a of addresses) {
    if ((await provider.getBalance(a)) >= ETH_FLOOR) continue;
    try {
      await provider.send("hardhat_setBalance", [a, "0x" + (10n ** 22n).toString(16)]);
    } catch (e) {
      throw new ScenarioError("$", `dev account ${a} has little ETH and hardhat_setBalance failed: ${errText(e)}`);
    }
    log.info("funded dev account with hardhat_setBalance", { address: a });
  }
}

function scenarioParams(s: Scenario): Record<string, string | number> {
  const p: Record<string, string | number> = {
    T: s.circuit.T, D: s.circuit.D, proposalBlocks: s.params.proposalBlocks, revealBlocks: s.params.revealBlocks, commitBlocks: s.params.commitBlocks,
    provingWindow: s.params.provingWindow, lateWindow: s.params.lateWindow, proverDeposit: s.params.proverDeposit.toString(),
    blockReward: s.params.blockReward.toString(), submissionReward: s.params.submissionReward.toString(), blockTimeMs: s.l1.blockTimeMs,
    accounts: s.load.accounts, txRate: s.load.txRate, seed: s.seed, stopHeights: s.stop.heights,
  };
  if (s.aggregator) Object.assign(p, { aggregatorMinBatch: s.aggregator.minBatch, verifyWindow: s.aggregator.verifyWindow, postBond: s.aggregator.postBond.toString() });
  return p;
}

/** JSON with bigints as decimal strings. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x), 2) + "\n";
}

// ------------------------------------------------------------------------------------ attach

const TOKEN_ABI = [
  "function owner() view returns (address)", "function mint(address to, uint256 amount)", "function balanceOf(address) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)", "function approve(address spender, uint256 amount) returns (bool)",
];

/**
 * Uses a deployment already on the chain (a fork of a chain that has the contracts, or a running node): checks the
 * circuit and the L2 genesis against the Rollup, funds the actors by minting as the token's owner (impersonated with
 * hardhat_impersonateAccount when it is not dev account 0), registers the sequencers that are not (their VRF key is
 * derived from their name, as in a deploying run), approves the Rollup (and the ProofAggregator) and tops up the
 * reward pool.
 */
async function attachDeployment(a: {
  provider: JsonRpcProvider; rollup: string; actors: DevnetActors; aggWallet: Wallet; scenario: Scenario; log: Logger;
}): Promise<Deployment> {
  const { provider, actors, scenario: s, log } = a;
  if (!isAddress(a.rollup)) throw new ScenarioError("--rollup", `not an address: ${a.rollup}`);
  if ((await provider.getCode(a.rollup)) === "0x") throw new ScenarioError("--rollup", `no contract at ${a.rollup} on this chain`);
  const client = new RollupClient(a.rollup, provider);
  const config = await client.config();
  if (Number(config.slots) !== s.circuit.T) throw new ScenarioError("$.circuit.T", `the Rollup at ${a.rollup} has T = ${config.slots}, the scenario says ${s.circuit.T}`);
  await initL2();
  const genesis = devGenesis(s.load.accounts, 1_000_000_000n);
  const genesisState = stateFromGenesis(genesis, s.circuit.D);
  if (genesisState.root !== config.genesisRoot) {
    throw new ScenarioError("$.load.accounts", `the dev genesis with ${s.load.accounts} accounts (D = ${s.circuit.D}) does not give the Rollup's genesis root: the L2 state cannot be rebuilt`);
  }
  const c = client.contract;
  const stakingAddr = await c.staking();
  const staking = new StakingClient(stakingAddr, provider);
  const tokenAddr = await staking.contract.token();
  const verifier = await c.verifier();
  const agg = await c.aggregator();
  const aggregator = agg === ZERO_ADDRESS ? undefined : agg;
  if (s.aggregator && !aggregator) throw new ScenarioError("$.aggregator", `the Rollup at ${a.rollup} has no ProofAggregator`);
  if (!s.aggregator && aggregator) log.warn("the Rollup has a ProofAggregator but the scenario does not use it: proofs are submitted directly");
  const p = s.params;
  const differs = [["proposalBlocks", config.proposalBlocks, p.proposalBlocks], ["revealBlocks", config.revealBlocks, p.revealBlocks], ["commitBlocks", config.commitBlocks, p.commitBlocks],
    ["provingWindow", config.provingWindow, p.provingWindow], ["lateWindow", config.lateWindow, p.lateWindow], ["proverDeposit", config.proverDeposit, p.proverDeposit]]
    .filter(([, x, y]) => BigInt(x as bigint) !== BigInt(y as bigint));
  if (differs.length) log.warn("attached: the Rollup's parameters apply, not the scenario's", Object.fromEntries(differs.map(([k, x]) => [k as string, String(x)])));

  // Funding: mint as the token's owner.
  const token = new Contract(tokenAddr, TOKEN_ABI, provider);
  const owner = (await token.getFunction("owner")()) as string;
  let minter: Signer;
  if (owner.toLowerCase() === actors.deployer.address.toLowerCase()) minter = actors.deployer;
  else {
    await provider.send("hardhat_impersonateAccount", [owner]);
    await provider.send("hardhat_setBalance", [owner, "0x" + (10n ** 21n).toString(16)]);
    minter = await provider.getSigner(owner);
    log.info("minting as the impersonated token owner", { owner });
  }
  const mint = (token.connect(minter) as Contract).getFunction("mint");
  const wallets = [...actors.sequencers.map((x) => x.wallet), ...actors.provers.map((x) => x.wallet), ...(aggregator ? [a.aggWallet] : [])];
  const stakeOf = new Map(actors.sequencers.map((x) => [x.wallet.address, x.stake ?? DEFAULT_STAKING.minSequencerStake]));
  for (const w of wallets) {
    const want = 10_000n * E18 + (stakeOf.get(w.address) ?? 0n);
    const have = (await token.getFunction("balanceOf")(w.address)) as bigint;
    if (have < want) await (await mint(w.address, want - have)).wait();
  }
  const pool = DEVNET_DEFAULTS.rewardPool;
  await (await mint(actors.deployer.address, pool)).wait();
  for (const q of actors.sequencers) {
    const info = await staking.contract.stakerOf(q.wallet.address);
    const { pk } = vrfKeyFromSeed(q.vrfSeed);
    const keyHash = keccak256(AbiCoder.defaultAbiCoder().encode(["uint256[4]"], [pk]));
    if (info.keyHash === ZERO_HASH) await staking.connect(q.wallet).registerSequencer(q.stake ?? DEFAULT_STAKING.minSequencerStake, vrfKeyFromSeed(q.vrfSeed).sk);
    else if (info.keyHash !== keyHash) throw new ScenarioError("$.sequencers", `${q.name} (${q.wallet.address}) is registered with another VRF key on this chain`);
  }
  for (const w of wallets) {
    for (const spender of [a.rollup, ...(aggregator ? [aggregator] : [])]) {
      if (((await token.getFunction("allowance")(w.address, spender)) as bigint) < 2n ** 254n) await (await (token.connect(w) as Contract).getFunction("approve")(spender, 2n ** 255n)).wait();
    }
  }
  await (await (token.connect(actors.deployer) as Contract).getFunction("approve")(a.rollup, pool)).wait();
  await new RollupClient(a.rollup, actors.deployer).fundRewards(pool);
  const head = await provider.getBlockNumber();
  log.info("attached", { rollup: a.rollup, head, genesisBlock: config.genesisBlock });
  return { rollup: a.rollup, staking: stakingAddr, token: tokenAddr, verifier, aggregator, config, chainId: (await provider.getNetwork()).chainId, deployBlock: head, genesis, genesisState };
}

// ------------------------------------------------------------------------------------ run

/** Plays the scenario and writes its outputs. Throws on infrastructure failures; expectations decide `passed`. */
export async function runScenario(o: RunOptions): Promise<RunResult> {
  const s = o.scenario;
  const log = o.log ?? new Logger("scenario", "warn");
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const mode: ScenarioMode = o.fork ? "fork" : o.rpc ? "rpc" : "local";
  const say = o.progress ?? (() => {});
  const cleanup: (() => Promise<void>)[] = [];
  /** The agents and the generator: stopped before the figures are computed. */
  const stops: (() => Promise<void>)[] = [];
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "fernet-scenario-"));
  cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  let node: HardhatNode | undefined;
  try {
    // 1. Circuit and contracts.
    const { buildCircuit } = await import("../zk/build.js");
    const build = await buildCircuit({ T: s.circuit.T, D: s.circuit.D });
    if (!o.noCompile) {
      const hre = (await import("hardhat")).default;
      await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    }

    // 2. L1: own node, a fork, or a running node; the recorder in front of it.
    let l1Url: string;
    if (o.rpc) l1Url = o.rpc;
    else {
      say(o.fork ? `starting a Hardhat node forking ${o.fork}${o.forkBlock !== undefined ? ` at block ${o.forkBlock}` : ""}` : "starting a Hardhat node");
      node = await startHardhatNode({ log, fork: o.fork, forkBlock: o.forkBlock, port: await freePort() });
      l1Url = node.url;
    }
    const recorder = o.record === false ? undefined : await startRecorder(l1Url);
    if (recorder) cleanup.push(() => recorder.stop());
    const url = recorder?.url ?? l1Url;
    const provider = await connectL1(url, 100);
    cleanup.push(async () => provider.destroy());
    const direct = await connectL1(l1Url, 100);
    cleanup.push(async () => direct.destroy());
    const chainId = (await provider.getNetwork()).chainId;

    // 3. Actors (Hardhat's mnemonic: 0 deployer, then sequencers, provers, aggregator) and the deployment.
    const N = s.sequencers.length;
    const M = s.provers.length;
    const actors = {
      deployer: devWallet(0, undefined, provider),
      sequencers: s.sequencers.map((q, i) => ({ name: q.name, wallet: devWallet(1 + i, undefined, provider), vrfSeed: `scenario-${q.name}`, stake: q.stake })),
      provers: s.provers.map((p, i) => ({ name: p.name, wallet: devWallet(1 + N + i, undefined, provider) })),
    };
    const aggWallet = devWallet(1 + N + M, undefined, provider);
    await ensureFunded(provider, [actors.deployer.address, ...actors.sequencers.map((x) => x.wallet.address), ...actors.provers.map((x) => x.wallet.address), aggWallet.address], log);
    await provider.send("evm_setIntervalMining", [0]).catch(() => {});
    await provider.send("evm_setAutomine", [true]).catch(() => {});
    const startBlock = await provider.getBlockNumber();
    say(`deploying on chain ${chainId} (${mode}) from block ${startBlock}: ${N} sequencers, ${M} provers${s.aggregator ? ", aggregator" : ""}`);
    const d = o.rollup
      ? await attachDeployment({ provider, rollup: o.rollup, actors, aggWallet, scenario: s, log })
      : await deployDevnet({
      provider, actors, T: s.circuit.T, D: s.circuit.D, accounts: s.load.accounts, log,
      overrides: {
        proposalBlocks: BigInt(s.params.proposalBlocks), revealBlocks: BigInt(s.params.revealBlocks), commitBlocks: BigInt(s.params.commitBlocks),
        provingWindow: BigInt(s.params.provingWindow), lateWindow: BigInt(s.params.lateWindow), proverDeposit: s.params.proverDeposit,
        blockReward: s.params.blockReward, submissionReward: s.params.submissionReward,
      },
      aggregator: s.aggregator !== undefined,
      aggregatorParams: s.aggregator ? ({ verifyWindow: BigInt(s.aggregator.verifyWindow), postBond: s.aggregator.postBond } as Partial<typeof DEFAULT_AGGREGATOR>) : undefined,
    });
    await startIntervalMining(provider, s.l1.blockTimeMs);
    const period = d.config.proposalBlocks + d.config.revealBlocks + d.config.commitBlocks;
    // Attached: the scenario's height 1 is the first Rollup height whose proposal phase opens after the setup.
    const nextBlock = BigInt(await provider.getBlockNumber()) + 1n;
    const heightOffset = o.rollup && nextBlock >= d.config.genesisBlock ? Number((nextBlock - d.config.genesisBlock) / period) + 1 : 0;
    const clock: Clock = { genesisBlock: d.config.genesisBlock, period, heightOffset };
    if (heightOffset) say(`attached to rollup ${d.rollup}: scenario height 1 is Rollup height ${heightOffset + 1}`);
    say(`rollup ${d.rollup}; height 1 opens at L1 block ${d.config.genesisBlock}; one L1 block every ${s.l1.blockTimeMs} ms`);

    // 4. Agents with their strategies.
    const seqPorts = await Promise.all(actors.sequencers.map(() => freePort()));
    const seqUrls = seqPorts.map((p) => `http://127.0.0.1:${p}`);
    const postProofs = s.aggregator !== undefined;
    const common = {
      rpcUrl: url, rollup: d.rollup, T: s.circuit.T, D: s.circuit.D, genesis: d.genesis, pollMs: AGENT_DEFAULTS.pollMs, postProofs,
      wasmPath: resolve(PROJECT_ROOT, build.wasmPath), zkeyPath: resolve(PROJECT_ROOT, build.setup.zkeyPath),
    };
    const provers: ProverAgent[] = [];
    for (const [i, p] of actors.provers.entries()) {
      const spec = s.provers[i]!;
      const h = proverHooks(spec, clock);
      const a = await ProverAgent.start({
        ...common, name: p.name, privateKey: p.wallet.privateKey, storePath: join(dataDir, `${p.name}.sqlite`), sequencerRpcUrls: seqUrls,
        price: h.price, withholdAt: h.withholdAt, invalidProofAt: h.invalidProofAt, offline: h.offline, log: log.child(p.name),
      });
      provers.push(a);
      stops.push(() => a.stop());
    }
    const sequencers: SequencerAgent[] = [];
    for (const [i, q] of actors.sequencers.entries()) {
      const h = sequencerHooks(s.sequencers[i]!, clock);
      const a = await SequencerAgent.start({
        ...common, name: q.name, privateKey: q.wallet.privateKey, vrfSeed: q.vrfSeed, storePath: join(dataDir, `${q.name}.sqlite`),
        rpcPort: seqPorts[i], proverUrls: provers.map((p) => p.quoteUrl), log: log.child(q.name),
        noRevealAt: h.noRevealAt, offline: h.offline, feeSplitBps: h.feeSplitBps, proverTip: h.proverTip,
      });
      sequencers.push(a);
      stops.push(() => a.stop());
    }
    if (s.aggregator) {
      const agg = await AggregatorAgent.start({
        name: "aggregator", rpcUrl: url, rollup: d.rollup, privateKey: aggWallet.privateKey, vkey: build.setup.vkey,
        fromBlock: BigInt(d.deployBlock), pollMs: AGENT_DEFAULTS.aggregatorPollMs, minBatch: s.aggregator.minBatch, log: log.child("aggregator"),
      });
      stops.push(() => agg.stop());
    }
    const gen = new TxGenerator(seqUrls, s.load.accounts, log.child("txgen"), seededRandom(s.seed));
    gen.start(s.load.txRate);
    stops.push(async () => gen.stop());

    // 5. Until every height up to stop.heights is settled, or the limits.
    const client = new RollupClient(d.rollup, direct);
    const lastTimeline = await client.timeline(BigInt(s.stop.heights + heightOffset));
    const deadline = started + s.stop.timeoutSeconds * 1000;
    const maxBlock = Number(d.config.genesisBlock) + s.stop.maxL1Blocks;
    let lastHead = -1;
    let endReason = "";
    const settled = new Set<number>();
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const head = await direct.getBlockNumber();
      if (head === lastHead) {
        if (Date.now() > deadline) {
          endReason = `timeout after ${s.stop.timeoutSeconds} s`;
          break;
        }
        continue;
      }
      lastHead = head;
      for (let h = heightOffset + 1; h <= heightOffset + s.stop.heights; h++) {
        if (settled.has(h)) continue;
        const st = (await client.getHeight(BigInt(h))).status;
        const t = await client.timeline(BigInt(h));
        if (st === HeightStatus.Finalized || st === HeightStatus.Reorged || (st === HeightStatus.None && BigInt(head) >= t.commitEnd)) settled.add(h);
      }
      const { height, phase } = await client.clockAt(BigInt(head));
      say(`L1 ${head} | height ${height} phase ${phase} | settled ${settled.size}/${s.stop.heights} | txs sent ${gen.stats.sent}`);
      if (settled.size === s.stop.heights && BigInt(head) >= lastTimeline.commitEnd) {
        endReason = `heights 1..${s.stop.heights} settled`;
        break;
      }
      if (head >= maxBlock) {
        endReason = `maxL1Blocks (${s.stop.maxL1Blocks}) reached`;
        break;
      }
      if (Date.now() > deadline) {
        endReason = `timeout after ${s.stop.timeoutSeconds} s`;
        break;
      }
    }
    log.info("run ended", { reason: endReason });
    say(`run ended: ${endReason}`);

    // 6. Stop the agents, then freeze the chain (no more blocks) and compute the figures from L1.
    gen.stop();
    for (const f of stops.splice(0).reverse()) await f().catch((e) => log.warn("stop failed", { error: errText(e) }));
    await direct.send("evm_setIntervalMining", [0]).catch(() => {});
    const endBlock = await direct.getBlockNumber();
    const names = new Map<string, string>();
    names.set(actors.deployer.address.toLowerCase(), "deployer");
    for (const q of actors.sequencers) names.set(q.wallet.address.toLowerCase(), q.name);
    for (const p of actors.provers) names.set(p.wallet.address.toLowerCase(), p.name);
    if (s.aggregator) names.set(aggWallet.address.toLowerCase(), "aggregator");
    const actorList: ScenarioFigures["actors"] = [
      ...s.sequencers.map((q, i) => ({ name: q.name, role: "sequencer" as const, address: actors.sequencers[i]!.wallet.address, strategy: strategyText(q.strategies) })),
      ...s.provers.map((p, i) => ({ name: p.name, role: "prover" as const, address: actors.provers[i]!.wallet.address, strategy: `${strategyText(p.strategies)}; price ${fmt(p.price)}, cost ${fmt(p.cost)}` })),
      ...(s.aggregator ? [{ name: "aggregator", role: "aggregator" as const, address: aggWallet.address, strategy: `honest; challenges invalid posts; minBatch ${s.aggregator.minBatch}` }] : []),
      { name: "deployer", role: "user" as const, address: actors.deployer.address, strategy: `deploys, funds the reward pool; ${s.load.accounts} L2 accounts, ${s.load.txRate} tx/s` },
    ];
    const deployment = { rollup: d.rollup, staking: d.staking, token: d.token, verifier: d.verifier, aggregator: d.aggregator, deployBlock: d.deployBlock, genesisBlock: Number(d.config.genesisBlock) };
    const meta: RunMeta = {
      scenario: s, mode, l1Url, forkUrl: o.fork, forkBlock: o.forkBlock, chainId: chainId.toString(), deployment, startBlock, endBlock, heightOffset,
      names: Object.fromEntries(names), actors: actorList,
    };
    const figures = await figuresOf(direct, meta, { startedAt, wallSeconds: (Date.now() - started) / 1000 });
    figures.params.endReason = endReason;
    writeFileSync(join(outDir, "run.json"), toJson(meta));
    let logPath: string | undefined;
    if (recorder) {
      logPath = join(outDir, "l1-log.json");
      writeFileSync(logPath, toJson(await recorder.log({ rollup: d.rollup, endBlock })));
    }
    await writeOutputs(outDir, figures);
    // A node we did not start is given back mining on demand (automine), as a fresh Hardhat node is.
    if (o.rpc) await direct.send("evm_setAutomine", [true]).catch(() => {});
    return { figures, passed: figures.expectations.every((e) => e.passed), outDir, meta, logPath };
  } finally {
    for (const f of [...cleanup, ...stops].reverse()) await f().catch(() => {});
    await node?.stop();
    const { closeProver } = await import("../zk/prover.js");
    await closeProver().catch(() => {});
  }
}

function fmt(wei: bigint): string {
  const f = (wei % E18).toString().padStart(18, "0").replace(/0+$/, "");
  return `${wei / E18}${f ? "." + f : ""}`;
}

/** The figures of a run (or of its replay: same meta, another node) from L1 events, with the expectations checked. */
export async function figuresOf(
  provider: JsonRpcProvider, meta: RunMeta, run: { startedAt: string; wallSeconds: number; startBlock?: number; endBlock?: number; l1Url?: string; mode?: ScenarioMode; forkUrl?: string; forkBlock?: number },
): Promise<ScenarioFigures> {
  const s = meta.scenario;
  const startBlock = run.startBlock ?? meta.startBlock;
  const endBlock = run.endBlock ?? (await provider.getBlockNumber());
  const c = await collectFigures({
    provider, rollup: meta.deployment.rollup, aggregator: meta.deployment.aggregator, startBlock: startBlock + 1, endBlock,
    heights: s.stop.heights, firstHeight: (meta.heightOffset ?? 0) + 1, names: new Map(Object.entries(meta.names)),
  });
  const cfg = c.config;
  const figures: ScenarioFigures = {
    scenario: s.name, description: s.description, mode: run.mode ?? meta.mode, l1Url: run.l1Url ?? meta.l1Url,
    forkUrl: run.forkUrl ?? meta.forkUrl, forkBlock: run.forkBlock ?? meta.forkBlock,
    startBlock, endBlock, startedAt: run.startedAt, wallSeconds: Math.round(run.wallSeconds * 10) / 10,
    params: {
      ...scenarioParams(s),
      // The deployed Rollup's parameters (the scenario's when it deployed; the chain's when it attached).
      proposalBlocks: Number(cfg.proposalBlocks), revealBlocks: Number(cfg.revealBlocks), commitBlocks: Number(cfg.commitBlocks),
      provingWindow: Number(cfg.provingWindow), lateWindow: Number(cfg.lateWindow), proverDeposit: cfg.proverDeposit.toString(),
      blockReward: cfg.blockReward.toString(), submissionReward: cfg.submissionReward.toString(),
      genesisBlock: meta.deployment.genesisBlock, rollup: meta.deployment.rollup, heightOffset: meta.heightOffset ?? 0,
    },
    actors: meta.actors, heights: c.heights, ledger: c.ledger, gasByPhase: c.gasByPhase, expectations: [],
  };
  figures.expectations = evaluate(s.expect, figures, meta.heightOffset ?? 0);
  return figures;
}

/** Reads `run.json` (next to an l1-log.json) back, scenario amounts as bigints again. */
export function readRunMeta(file: string): RunMeta {
  const raw = JSON.parse(readFileSync(file, "utf8")) as RunMeta & { scenario: unknown };
  // The stored scenario has bigints as strings: validate it again (amount fields accept decimal strings).
  const scenario = validateScenario(reviveScenario(raw.scenario));
  return { ...raw, scenario };
}

/** Turns a stored (validated) scenario back into a document `validateScenario` accepts. */
function reviveScenario(v: unknown): unknown {
  const s = v as Scenario & Record<string, unknown>;
  const strat = (list: { kind: string; price?: unknown; heights?: unknown; windows?: unknown }[]) => list.map((x) => Object.fromEntries(Object.entries(x).filter(([, y]) => y !== undefined)));
  return {
    name: s.name, description: s.description, seed: s.seed, circuit: s.circuit, params: s.params, l1: s.l1, load: s.load,
    sequencers: s.sequencers.map((q) => Object.fromEntries(Object.entries({ name: q.name, stake: q.stake, feeSplitBps: q.feeSplitBps === undefined ? undefined : Number(q.feeSplitBps), proverTip: q.proverTip, strategy: strat(q.strategies as never) }).filter(([, y]) => y !== undefined))),
    provers: s.provers.map((p) => ({ name: p.name, price: p.strategies.some((x) => x.kind === "belowCost") ? undefined : p.price, cost: p.cost, strategy: strat(p.strategies as never) })).map((p) => Object.fromEntries(Object.entries(p).filter(([, y]) => y !== undefined))),
    aggregator: s.aggregator, stop: s.stop, expect: s.expect.map((e) => Object.fromEntries(Object.entries(e).filter(([, y]) => y !== undefined))),
  };
}

// ------------------------------------------------------------------------------------ replay

export interface ReplayOptions {
  /** The recorded l1-log.json; run.json and figures.json are read from the same folder. */
  logPath: string;
  outDir: string;
  rpc?: string;
  fork?: string;
  forkBlock?: number;
  log?: Logger;
  progress?: (line: string) => void;
}

export interface ReplayResult {
  figures: ScenarioFigures;
  /** From the replayer (transactions) and from comparing the outcomes with the original run (heights, ledger). */
  divergences: string[];
  passed: boolean;
}

/** Outcome differences between two runs of the same scenario: per-height outcome, winner, prover; ledger totals. */
export function compareOutcomes(a: ScenarioFigures, b: ScenarioFigures): string[] {
  const out: string[] = [];
  const hb = new Map(b.heights.map((h) => [h.height, h]));
  for (const x of a.heights) {
    const y = hb.get(x.height);
    if (!y) {
      out.push(`height ${x.height}: ${x.outcome} in the original run, missing in the replay`);
      continue;
    }
    for (const k of ["outcome", "sequencer", "prover", "txs"] as const) {
      if (x[k] !== y[k]) out.push(`height ${x.height}: ${k} ${String(x[k])} in the original run, ${String(y[k])} in the replay`);
    }
  }
  const totals = (f: ScenarioFigures) => {
    const m = new Map<string, bigint>();
    for (const l of f.ledger) m.set(`${l.actor} ${l.kind}`, (m.get(`${l.actor} ${l.kind}`) ?? 0n) + BigInt(l.amount));
    return m;
  };
  const ta = totals(a);
  const tb = totals(b);
  for (const k of new Set([...ta.keys(), ...tb.keys()])) {
    if ((ta.get(k) ?? 0n) !== (tb.get(k) ?? 0n)) out.push(`ledger ${k}: ${ta.get(k) ?? 0n} in the original run, ${tb.get(k) ?? 0n} in the replay`);
  }
  for (const x of a.expectations) {
    const y = b.expectations.find((e) => e.text === x.text);
    if (y && y.passed !== x.passed) out.push(`expectation "${x.text}": ${x.passed ? "passed" : "failed"} in the original run, ${y.passed ? "passed" : "failed"} in the replay`);
  }
  return out;
}

/**
 * Replays a recorded run (src/scenario/replay.ts sends the recorded transactions) on a fresh local node, a running
 * node, or a fork, then recomputes the figures there and compares the outcome with the original run's.
 */
export async function replayScenario(o: ReplayOptions): Promise<ReplayResult> {
  const log = o.log ?? new Logger("replay", "warn");
  const say = o.progress ?? (() => {});
  const started = Date.now();
  const dir = dirname(resolve(o.logPath));
  const meta = readRunMeta(join(dir, "run.json"));
  const original = JSON.parse(readFileSync(join(dir, "figures.json"), "utf8")) as ScenarioFigures;
  const recorded = JSON.parse(readFileSync(o.logPath, "utf8")) as ReplayLog;
  let node: HardhatNode | undefined;
  let provider: JsonRpcProvider | undefined;
  try {
    let url: string;
    if (o.rpc) url = o.rpc;
    else {
      // A fork is made at the log's start block (the chain as it was before the run); a fresh node needs a log from block 0.
      const start = recorded.startBlock;
      if (o.forkBlock !== undefined && o.forkBlock !== start) log.warn("--fork-block ignored: a replay forks at the log's start block", { startBlock: start });
      say(o.fork ? `starting a Hardhat node forking ${o.fork} at block ${start}` : "starting a fresh Hardhat node");
      node = await startReplayNode(recorded, { fork: o.fork });
      url = node.url;
    }
    say(`replaying ${o.logPath} on ${url}`);
    const r = await replayLog(recorded, url);
    provider = await connectL1(url, 100);
    await provider.send("evm_setIntervalMining", [0]).catch(() => {});
    await provider.send("evm_setAutomine", [false]).catch(() => {});
    const figures = await figuresOf(provider, meta, {
      startedAt: new Date(started).toISOString(), wallSeconds: (Date.now() - started) / 1000, startBlock: meta.startBlock,
      endBlock: Math.min(meta.endBlock, await provider.getBlockNumber()), l1Url: url, mode: o.fork ? "fork" : o.rpc ? "rpc" : "local",
      forkUrl: o.fork, forkBlock: o.forkBlock,
    });
    figures.description = `${figures.description ?? ""}${figures.description ? " " : ""}(replay of ${o.logPath})`.trim();
    const divergences = [...r.divergences, ...compareOutcomes(original, figures)];
    figures.replay = { log: resolve(o.logPath), divergences, interventions: r.interventions, txs: r.txs, blocks: r.blocks };
    mkdirSync(o.outDir, { recursive: true });
    await writeOutputs(o.outDir, figures);
    writeFileSync(join(o.outDir, "divergences.json"), toJson(divergences));
    return { figures, divergences, passed: divergences.length === 0 && figures.expectations.every((e) => e.passed) };
  } finally {
    provider?.destroy();
    await node?.stop();
  }
}
