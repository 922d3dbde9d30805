/**
 * Local devnet plumbing, assembled by the network builder (src/network) for the devnet, the scenarios and the
 * integration tests: a Hardhat node child process, deployment of the generated verifier adapter + DevToken + Staking
 * + Rollup (+ batch verifier + ProofAggregator) with the Ignition module deploy/modules/Devnet.ts (in-process Hardhat,
 * network `devnet` pointed at the node's URL), minting, funding and registration of sequencers and provers (ethers),
 * an L2 transaction generator, and the run summary computed from L1 events.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  HDNodeWallet, JsonRpcProvider, Mnemonic, Wallet, Contract, type InterfaceAbi, type Signer,
} from "ethers";
import { initL2, l2Domain, signTransfer, stateFromGenesis, type GenesisAccount, type L2State } from "../l2/index.js";
import { devGenesis, devKey } from "../l2/sample.js";
import { ProvingDesign, commitsFromLogs, defaultRollupConfig, DEFAULT_AGGREGATOR, DEFAULT_STAKING, HeightStatus, RollupClient, StakingClient, type RollupConfig } from "../client/index.js";
import { vrfKeyFromSeed } from "../vrf/index.js";
import { L2RpcClient, RpcError } from "../node/index.js";
import { artifactsFor } from "../zk/artifacts.js";
import { AgentError, type L1TxRecord, type Logger } from "./common.js";
import { devnetModule } from "../../deploy/modules/Devnet.js";
import { DEVNET_DEFAULTS } from "../defaults.js";
import { E18 } from "../protocol.js";
import { L1Node } from "../l1/node.js";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** A free TCP port on 127.0.0.1 (the OS picks; released before returning). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface HardhatNode {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `hardhat node` with the project's Node (process.execPath: Hardhat 3 needs Node 22) on 127.0.0.1 and waits
 * until it answers JSON-RPC.
 */
export async function startHardhatNode(opts: {
  port?: number; log?: Logger; timeoutMs?: number;
  /** Hardhat network of the node (default `node`; `replay` mines its mempool in arrival order, hardhat.config.ts). */
  network?: string;
  /** Fork this JSON-RPC URL (`--fork`), at `forkBlock` (`--fork-block-number`; default its head). */
  fork?: string; forkBlock?: number;
  /** Extra environment of the node process. */
  env?: Record<string, string>;
} = {}): Promise<HardhatNode> {
  const port = opts.port || (await freePort());
  const require = createRequire(import.meta.url);
  // hardhat's "exports" hide dist/: find its bin through package.json.
  const pkgPath = require.resolve("hardhat/package.json");
  const cli = join(dirname(pkgPath), (JSON.parse(readFileSync(pkgPath, "utf8")) as { bin: { hardhat: string } }).bin.hardhat);
  const args = [cli, ...(opts.network ? ["--network", opts.network] : []), "node", "--hostname", "127.0.0.1", "--port", String(port)];
  if (opts.fork) args.push("--fork", opts.fork, ...(opts.forkBlock !== undefined ? ["--fork-block-number", String(opts.forkBlock)] : []));
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env },
  });
  const node = await awaitNodeUp(child, `http://127.0.0.1:${port}`, "hardhat node", opts.timeoutMs ?? 120_000, 250);
  opts.log?.info("hardhat node up", { url: node.url, pid: child.pid });
  return node;
}

/**
 * Waits until a spawned L1 node (Hardhat's, anvil) answers `eth_chainId` on `url`, keeping its last output for the
 * error; returns its handle, whose `stop` sends SIGTERM, then SIGKILL after 3 s. Shared by every node the project
 * spawns.
 */
export async function awaitNodeUp(child: ChildProcess, url: string, name: string, timeoutMs: number, pollMs: number): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new AgentError("BAD_CONFIG", `${name} exited (${child.exitCode}): ${output}`);
    try {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new AgentError("BAD_CONFIG", `${name} did not answer on ${url}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

/** Dev account `i` of the mnemonic (Hardhat's default accounts). */
export function devWallet(i: number, mnemonic = HARDHAT_MNEMONIC, provider?: JsonRpcProvider): Wallet {
  return new Wallet(HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(mnemonic), `m/44'/60'/0'/0/${i}`).privateKey, provider);
}

function artifact(sourcePath: string, name: string): { abi: InterfaceAbi; bytecode: string } {
  const file = join(PROJECT_ROOT, "artifacts", sourcePath, `${name}.json`);
  try {
    const a = JSON.parse(readFileSync(file, "utf8")) as { abi: InterfaceAbi; bytecode: string };
    return a;
  } catch (e) {
    throw new AgentError("BAD_CONFIG", `missing artifact ${file} (run npx hardhat build): ${(e as Error).message}`);
  }
}

function attach(signer: Signer, sourcePath: string, name: string, address: string): Contract {
  return new Contract(address, artifact(sourcePath, name).abi, signer);
}

/**
 * Deploys `module` with Hardhat Ignition through the L1 node behind `provider` (Hardhat network `devnet` with its URL
 * overridden and the deployer's key as the only account). The journal goes to a fresh deployment id that is removed
 * afterwards: every devnet is a new chain 31337, so a kept journal would only break the next run.
 */
async function ignitionDeploy(provider: JsonRpcProvider, deployer: Wallet, module: ReturnType<typeof devnetModule>,
  parameters: Record<string, bigint | boolean | string>, automine: boolean): Promise<Record<string, string>> {
  const hre = (await import("hardhat")).default;
  const url = provider._getConnection().url;
  const conn = await hre.network.create({ network: "devnet", override: { url, accounts: [deployer.privateKey] } });
  const deploymentId = `devnet-${process.pid}-${Date.now()}`;
  const deploymentsDir = join(hre.config.paths.ignition, "deployments");
  const hadDeploymentsDir = existsSync(deploymentsDir);
  try {
    // Ignition waits for 5 confirmations per transaction on a node that does not automine: 1 is enough for a devnet
    // (its genesis block budget counts one block per transaction), and it polls faster than its 1 s default.
    const config = automine ? undefined : { requiredConfirmations: 1, blockPollingInterval: 250 };
    const result = await conn.ignition.deploy(module, { parameters: { [module.id]: parameters }, deploymentId, config });
    const out: Record<string, string> = {};
    for (const [k, c] of Object.entries(result)) out[k] = await (c as Contract).getAddress();
    return out;
  } catch (e) {
    throw new AgentError("BAD_CONFIG", `Ignition deployment of ${module.id} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    rmSync(join(deploymentsDir, deploymentId), { recursive: true, force: true });
    if (!hadDeploymentsDir) try { rmdirSync(deploymentsDir); } catch { /* not empty: someone else's journal */ }
    await conn.close().catch(() => {});
  }
}

export interface DevnetActors {
  deployer: Wallet;
  /** `stake`: sequencer stake in token wei (default the minimum, DEFAULT_STAKING.minSequencerStake). */
  sequencers: { name: string; wallet: Wallet; vrfSeed: string; stake?: bigint }[];
  /** `vrfSeed`: the Cooperative design stakes provers with this VRF key (their unit scores); unused in Sidecar. */
  provers: { name: string; wallet: Wallet; vrfSeed?: string }[];
}

export interface Deployment {
  rollup: string;
  staking: string;
  token: string;
  verifier: string;
  /** The ProofAggregator, when deployed (batch path). */
  aggregator?: string;
  config: RollupConfig;
  chainId: bigint;
  deployBlock: number;
  genesis: GenesisAccount[];
  genesisState: L2State;
}

/** ProofAggregator constructor parameters (bond, verify window, rewards), as in DEFAULT_AGGREGATOR. */
export type AggregatorParams = { [K in keyof typeof DEFAULT_AGGREGATOR]?: bigint };

export interface DeployOptions {
  provider: JsonRpcProvider;
  /** The node's capabilities (probed here when not given): mining on demand, or waiting on a node that mines on its own. */
  node?: L1Node;
  actors: DevnetActors;
  T: number;
  D: number;
  /** L2 accounts at genesis (dev accounts 1..n). */
  accounts: number;
  /** Rollup parameters over the documented defaults. */
  overrides?: Partial<RollupConfig>;
  rewardPool?: bigint;
  /** Also deploy the ProofAggregator (batch path) with its batch verifier and set it on the Rollup. */
  aggregator?: boolean;
  /**
   * Proofs per `submitBatch` of the provers (default 1). Above 1 the ProofAggregator is deployed too (provers batch
   * their own proofs through it), with or without `aggregator` (the posting path and its agent stay optional).
   */
  proofBatchSize?: number;
  /** ProofAggregator parameters over DEFAULT_AGGREGATOR (bond, verify window, rewards). */
  aggregatorParams?: AggregatorParams;
  /**
   * The proving design (default Sidecar). Cooperative deploys the unit verifier UnitVerifier_U{T/K}_D{D} with
   * `provingDesign` 1 and `units` K, stakes the provers as Staking provers with their VRF keys, and has no
   * ProofAggregator (units are accepted one by one).
   */
  design?: "sidecar" | "cooperative";
  /** Cooperative: K, units per block (default DEVNET_DEFAULTS.cooperativeUnits); must divide T. */
  units?: number;
  log?: Logger;
}

/** The circuit a devnet of `design` verifies on L1 and its provers prove: the block, or one of its K units. */
export function devnetCircuit(o: { T: number; D: number; design?: "sidecar" | "cooperative"; units?: number }): { T: number; D: number; kind: "block" | "unit"; K: number } {
  if (o.design !== "cooperative") return { T: o.T, D: o.D, kind: "block", K: 1 };
  const K = o.units ?? DEVNET_DEFAULTS.cooperativeUnits;
  if (!Number.isInteger(K) || K < 1 || K > 32 || o.T % K !== 0) {
    throw new AgentError("BAD_CONFIG", `units must be an integer in 1..32 dividing T = ${o.T}, got ${K}`);
  }
  return { T: o.T / K, D: o.D, kind: "unit", K };
}

/**
 * Deploys and wires everything, registers the sequencers (stake + VRF key with proof of possession), funds the
 * provers and approves the Rollup for everyone's deposits and tips. Expects automine (one block per transaction);
 * the Rollup's genesis block is placed just after the setup so that height 1 starts with everyone ready.
 */
export async function deployDevnet(o: DeployOptions): Promise<Deployment> {
  const { deployer, sequencers, provers } = o.actors;
  // Without the network's probed node: a local dev node is assumed (no probe calls through a recording proxy).
  const node = o.node ?? L1Node.assumeDevNode(o.provider, (await o.provider.getNetwork()).chainId, o.log);
  // Automine gives one block per transaction; a node that mines on its own may take more (a transaction sent just
  // after a block waits for the next one, a receipt poll may miss a block): 1.5 times the count plus a margin.
  const automine = node.caps.setAutomine;
  await initL2();
  const genesis = devGenesis(o.accounts, 1_000_000_000n);
  const genesisState = stateFromGenesis(genesis, o.D);
  const chainId = (await o.provider.getNetwork()).chainId;
  const circuit = devnetCircuit(o);
  const cooperative = circuit.kind === "unit";
  const art = artifactsFor(circuit);
  const deployBlock = await o.provider.getBlockNumber();
  // The adapter either deploys its generated verifier itself (no constructor argument) or takes its address.
  const adapterAbi = artifact(`contracts/verifiers/${art.adapterContract}.sol`, art.adapterContract).abi as { type: string; inputs?: unknown[] }[];
  const wantsVerifier = (adapterAbi.find((x) => x.type === "constructor")?.inputs?.length ?? 0) > 0;
  const pool = o.rewardPool ?? DEVNET_DEFAULTS.rewardPool;
  const wallets = [...sequencers.map((x) => x.wallet), ...provers.map((x) => x.wallet)];
  const withAggregator = o.aggregator === true || (o.proofBatchSize ?? 1) > 1;
  if (cooperative && withAggregator) throw new AgentError("BAD_CONFIG", "the Cooperative design has no ProofAggregator: units are accepted one by one");
  const designParams: Partial<RollupConfig> = cooperative ? { provingDesign: 1n, units: BigInt(circuit.K) } : {};
  // One block per transaction (automine). Ignition: [verifier,] adapter, token, staking, the Rollup's 4 linked
  // libraries (src/client/deploy.ts), rollup, setRollup
  // [, batch verifier, aggregator, setAggregator]. Then: mints, 3 per sequencer registration (approve, stake, VRF key),
  // approvals, balance funding, proposal slots warmed (1 per sequencer), reward approval + funding [, aggregator approvals]. Keys and stakes count for a height only if active
  // before its activation cutoff (seed window start [proposalStart - commitBlocks, proposalStart) less
  // keyActivationDelay): the genesis block (height 1's proposal start) comes keyActivationDelay + commitBlocks + 3
  // blocks after all that, so the window opens once the setup is done and the agents (started right after) have
  // blocks to record height 1's seed in it (SequencerAgent.recordSeed).
  const ignitionTxs = 5 + 4 + (wantsVerifier ? 1 : 0) + (withAggregator ? 3 : 0);
  const setupTxs = wallets.length + 1 + 3 * sequencers.length + (cooperative ? 3 * provers.length : 0) + 2 * wallets.length + 2 + (withAggregator ? wallets.length : 0) + sequencers.length;
  const { commitBlocks, keyActivationDelay } = defaultRollupConfig({ slots: BigInt(o.T), genesisRoot: genesisState.root }, { ...designParams, ...o.overrides });
  const txs = BigInt(ignitionTxs + setupTxs);
  const setupBlocks = automine ? txs : (3n * txs) / 2n + 10n;
  const genesisBlock = BigInt(deployBlock) + setupBlocks + 3n + commitBlocks + keyActivationDelay;
  const config = defaultRollupConfig({ slots: BigInt(o.T), genesisRoot: genesisState.root }, { genesisBlock, ...designParams, ...o.overrides });
  const module = devnetModule({ T: circuit.T, D: o.D, kind: circuit.kind, aggregator: withAggregator, verifierContract: wantsVerifier ? art.verifierContract : undefined });
  const addrs = await ignitionDeploy(o.provider, deployer, module, {
    ...config, ...DEFAULT_STAKING, ...(withAggregator ? { ...DEFAULT_AGGREGATOR, ...o.aggregatorParams } : {}),
  }, automine);
  const tokenAddr = addrs.token;
  const stakingAddr = addrs.staking;
  const rollupAddr = addrs.rollup;
  const token = attach(deployer, "contracts/DevToken.sol", "DevToken", tokenAddr);
  const mint = token.getFunction("mint");
  const stakeOf = new Map(sequencers.map((s) => [s.wallet.address, s.stake ?? DEFAULT_STAKING.minSequencerStake]));
  for (const s of wallets) await (await mint(s.address, 9_000n * E18 + (stakeOf.get(s.address) ?? 1_000n * E18))).wait();
  await (await mint(deployer.address, pool)).wait();
  for (const s of sequencers) {
    await new StakingClient(stakingAddr, s.wallet).registerSequencer(s.stake ?? DEFAULT_STAKING.minSequencerStake, vrfKeyFromSeed(s.vrfSeed).sk);
  }
  // Cooperative provers are elected by their VRF keys: staked and registered before height 1's cutoff.
  if (cooperative) {
    for (const p of provers) {
      if (p.vrfSeed === undefined) throw new AgentError("BAD_CONFIG", `cooperative prover ${p.name} needs a vrfSeed`);
      await new StakingClient(stakingAddr, p.wallet).registerProver(DEFAULT_STAKING.minProverStake, vrfKeyFromSeed(p.vrfSeed).sk);
    }
  }
  for (const s of wallets) {
    await (await (token.connect(s) as Contract).getFunction("approve")(rollupAddr, 2n ** 255n)).wait();
  }
  // Deposit once, use many times: tips and deposits are drawn from each agent's balance in the Rollup (no token
  // transfer per height); rewards and refunds are credited to the same balance.
  for (const s of wallets) await new RollupClient(rollupAddr, s).fundBalance(DEVNET_DEFAULTS.balanceFunding);
  // Each sequencer writes its proposal ring slots once (paid at setup, like its registration; not an agent's
  // transaction, so not in l1GasPerBlock: the summary's setupGas reports it), so that no height pays fresh words.
  for (const s of sequencers) await new RollupClient(rollupAddr, s.wallet).warmProposalSlots();
  await (await token.getFunction("approve")(rollupAddr, pool)).wait();
  const rollupClient = new RollupClient(rollupAddr, deployer);
  await rollupClient.fundRewards(pool);
  const aggregator: string | undefined = withAggregator ? addrs.aggregator : undefined;
  if (aggregator !== undefined) {
    // Posting a proof pulls a bond from the poster (provers, and sequencers that prove their own blocks).
    for (const s of wallets) {
      await (await (token.connect(s) as Contract).getFunction("approve")(aggregator, 2n ** 255n)).wait();
    }
  }
  // Height 1's seed: mine to its window and record it (agents would too, but they may start late).
  const windowStart = await rollupClient.seedWindowStart(1n);
  const before = BigInt(await o.provider.getBlockNumber());
  if (before + 1n < windowStart) await node.mineTo(windowStart - 1n, `height 1's seed window (block ${windowStart})`);
  if (BigInt(await o.provider.getBlockNumber()) + 1n < config.genesisBlock) {
    await rollupClient.recordRandomness(1n).catch((e: unknown) => o.log?.warn("recordRandomness(1) failed", { error: String(e) }));
  }
  const head = await o.provider.getBlockNumber();
  if (BigInt(head) >= config.genesisBlock) {
    o.log?.warn("setup ran past the genesis block", { head, genesisBlock: config.genesisBlock });
  } else if (before >= (await rollupClient.activationCutoff(1n))) {
    o.log?.warn("setup ran past height 1's activation cutoff: keys registered there do not count for height 1", { head, genesisBlock: config.genesisBlock });
  }
  o.log?.info("deployed", { rollup: rollupAddr, verifier: art.adapterContract, genesisBlock: config.genesisBlock, head });
  return { rollup: rollupAddr, staking: stakingAddr, token: tokenAddr, verifier: addrs.verifier, aggregator, config, chainId, deployBlock, genesis, genesisState };
}

/**
 * Switches the node from automine to one block every `ms` (time passes without transactions), in the node's unit;
 * a node that mines on its own keeps its block time. False in that case.
 */
export async function startIntervalMining(node: L1Node, ms: number): Promise<boolean> {
  return node.useIntervalMining(ms);
}

// ------------------------------------------------------------------ transaction generator

export interface GeneratorStats {
  sent: number;
  refused: number;
  txIds: string[];
}

/**
 * Sends signed L2 transfers between the genesis dev accounts. Account i is served by sequencer (i - 1) mod N: a
 * sender's transactions must be included in nonce order, so each sender talks to one sequencer.
 */
export class TxGenerator {
  readonly stats: GeneratorStats = { sent: 0, refused: 0, txIds: [] };
  private timer?: NodeJS.Timeout;
  private busy = false;
  private n = 0;
  /** L2 domain per sequencer URL (from its l2_chainInfo: chain id and rollup address), fetched once. */
  private readonly domains = new Map<string, bigint>();

  constructor(
    private readonly sequencerUrls: string[],
    private readonly accounts: number,
    private readonly log?: Logger,
    /** Source of the amounts and fees (a seeded one makes a run repeatable); Math.random by default. */
    private readonly random: () => number = Math.random,
  ) {}

  /** Transfers per second asked of `start` (0: not started). */
  ratePerSecond = 0;
  private startedAt = 0;
  private attempts = 0;

  /**
   * Sends `ratePerSecond` transfers per second on average, whatever a send costs: a tick sends what is due since the
   * start (a slow sequencer answer delays transfers, it does not drop them), so the offered load can exceed what the
   * network takes (the backlog then grows, bounded by the mempools' limits: refusals are counted).
   */
  start(ratePerSecond: number): void {
    if (ratePerSecond <= 0) return;
    this.ratePerSecond = ratePerSecond;
    this.startedAt = Date.now();
    this.attempts = 0;
    this.timer = setInterval(() => void this.tick(), Math.max(20, Math.min(250, Math.round(1000 / ratePerSecond))));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      // At most a second's worth per tick: after a long stall (a paused process) the generator does not flood.
      const due = Math.min(Math.floor(((Date.now() - this.startedAt) / 1000) * this.ratePerSecond) - this.attempts, Math.max(1, Math.ceil(this.ratePerSecond)));
      for (let k = 0; k < due && this.timer; k++) {
        this.attempts++;
        await this.sendOne();
      }
      // What a stall skipped is skipped, not owed.
      this.attempts = Math.max(this.attempts, Math.floor(((Date.now() - this.startedAt) / 1000) * this.ratePerSecond) - Math.ceil(this.ratePerSecond));
    } finally {
      this.busy = false;
    }
  }

  /** Sends one transfer from the next account in turn; returns its tx id (undefined if refused). */
  async sendOne(from?: number): Promise<string | undefined> {
    const i = from ?? (this.n++ % this.accounts) + 1;
    const url = this.sequencerUrls[(i - 1) % this.sequencerUrls.length]!;
    const client = new L2RpcClient(url, { timeoutMs: 3000 });
    try {
      const acct = await client.getAccount(i);
      if (!acct) throw new AgentError("BAD_CONFIG", `account ${i} does not exist`);
      const to = (i % this.accounts) + 1;
      let domain = this.domains.get(url);
      if (domain === undefined) {
        const info = await client.chainInfo();
        if (!info.rollup) throw new AgentError("BAD_CONFIG", `sequencer ${url} does not name its rollup: the L2 domain is unknown`);
        this.domains.set(url, (domain = l2Domain(BigInt(info.chainId), info.rollup)));
      }
      const tx = signTransfer({ from: i, to, amount: BigInt(1 + Math.floor(this.random() * 1000)), fee: BigInt(1 + Math.floor(this.random() * 5)), nonce: acct.nextNonce ?? acct.nonce }, devKey(i).seed, domain);
      const id = await client.sendTransaction(tx);
      this.stats.sent++;
      this.stats.txIds.push(id);
      return id;
    } catch (e) {
      this.stats.refused++;
      this.log?.debug("tx refused", { from: i, error: e instanceof RpcError ? `${e.appCode ?? e.code} ${e.message}` : (e as Error).message });
      return undefined;
    }
  }
}

// ------------------------------------------------------------------ summary

export interface ActorBook {
  name: string;
  address: string;
  role: "sequencer" | "prover" | "deployer" | "other";
  /** Credited at finalization (block reward + fees share, tips, submission reward), token wei as decimal string. */
  rewards: string;
  /** Deposits slashed (missed or late proofs). */
  slashed: string;
  /** Compensation and bounties received from reorgs. */
  compensation: string;
  claimable: string;
  heightsWon: number;
  proofsSubmitted: number;
}

export interface DevnetSummary {
  finalizedBlocks: number;
  finalizedHeights: number[];
  /** Gas of every L1 transaction the agents sent divided by the finalized heights (short runs overstate it). */
  l1GasPerBlock: number;
  /**
   * Gas of the L1 blocks from the deployment to the agents' first transaction: contracts (with the height rings
   * written once by the Rollup's constructor), registrations, balances and each sequencer's warmed proposal slots.
   * Paid once, not per height: not in l1GasPerBlock.
   */
  setupGas: number;
  l1GasByMethod: Record<string, { count: number; avgGas: number }>;
  /** The highest finalized height (`lastFinalized`) at the end of the run. */
  lastFinalizedHeight: number;
  /**
   * Gas of the transactions serving heights <= lastFinalizedHeight (and of those serving no height) divided by the
   * finalized heights: what a finalized height costs, without the work already spent on heights still in flight.
   */
  l1GasPerFinalizedHeight: number;
  /** Per method, over the same transactions: calls per finalized height and average gas. */
  l1GasByMethodPerHeight: Record<string, { perHeight: number; avgGas: number }>;
  /**
   * The same over the heights after the storage rings have turned once (heights > RING_WARMUP_HEIGHTS: the proposal
   * ring, 32, the seed ring, 32, and the height ring, 64, then overwrite old words instead of writing fresh ones), when the run reached
   * them: the cost of a height in a long-lived deployment. Absent for shorter runs.
   */
  l1GasSteady?: { fromHeight: number; finalizedHeights: number; perHeight: number; byMethod: Record<string, { perHeight: number; avgGas: number }> };
  /** Heights <= lastFinalizedHeight whose commit phase ended with no winner, per 100 such heights. */
  emptyHeightsPer100: number;
  latencyL1Blocks: number;
  latencyL1BlocksAll: number[];
  txsFinalized: number;
  txsSent: number;
  reorgs: { missedHeight: number; lostDescendants: number; slashed: string; bounty: string }[];
  actors: ActorBook[];
  l1Blocks: number;
  wallSeconds: number;
  config: Record<string, string | number | boolean>;
  /** The Cooperative design's numbers (absent for Sidecar): per prover and in total, from the Rollup's events. */
  cooperative?: CooperativeSummary;
}

/** Per prover of a Cooperative run. `wasted` comes from the agent (a proof made and not submitted, or refused). */
export interface CooperativeProverBook {
  name: string;
  address: string;
  /** Unit proofs that took a paid slot (on time). */
  proofsAccepted: number;
  /** Accepted proofs later pushed out of their slot by a higher score. */
  proofsDisplaced: number;
  /** Proofs paid at settlement, the amount and the FEE_BURN part of their shares burnt (token wei, decimal). */
  proofsPaid: number;
  paid: string;
  burnt: string;
  /** Late proofs of a unit nobody proved by the deadline (part of the bond, no paid slot). */
  rescues: number;
  wasted?: number;
}

export interface CooperativeSummary {
  /** K, units per block. */
  units: number;
  provers: CooperativeProverBook[];
  /** Paid proofs per settled height (at most 3 K). */
  paidProofsPerHeight: number;
  /** Heights whose paid sets were settled, what the network reward paid and burnt (FEE_BURN, missing proofs, dust). */
  heightsSettled: number;
  networkPaid: string;
  networkBurnt: string;
  /** The sequencers' bonds: burnt and paid to late rescuers. */
  bondsBurnt: string;
  bondsToRescuers: string;
}

/** Cooperative's per-prover and total numbers from the Rollup's unit events. */
async function cooperativeSummary(client: RollupClient, from: number, head: number, names: Map<string, { name: string }>): Promise<CooperativeSummary> {
  const c = client.contract;
  const provers = new Map<string, CooperativeProverBook>();
  const prover = (addr: string): CooperativeProverBook => {
    const k = addr.toLowerCase();
    let b = provers.get(k);
    if (!b) provers.set(k, (b = { name: names.get(k)?.name ?? addr.slice(0, 10), address: addr, proofsAccepted: 0, proofsDisplaced: 0, proofsPaid: 0, paid: "0", burnt: "0", rescues: 0 }));
    return b;
  };
  for (const [addr, n] of names) if (/prover/i.test(n.name)) prover(addr);
  for (const e of await c.queryFilter(c.filters.UnitProofAccepted(), from, head)) {
    if (e.args.late) prover(e.args.payee).rescues++;
    else prover(e.args.payee).proofsAccepted++;
    if (!/^0x0{40}$/i.test(e.args.displaced)) prover(e.args.displaced).proofsDisplaced++;
  }
  for (const e of await c.queryFilter(c.filters.UnitProofPaid(), from, head)) {
    const b = prover(e.args.payee);
    b.proofsPaid++;
    b.paid = (BigInt(b.paid) + e.args.amount).toString();
    b.burnt = (BigInt(b.burnt) + e.args.burnt).toString();
  }
  let heightsSettled = 0;
  let networkPaid = 0n;
  let networkBurnt = 0n;
  let paidProofs = 0n;
  for (const e of await c.queryFilter(c.filters.UnitsSettled(), from, head)) {
    heightsSettled++;
    networkPaid += e.args.paid;
    networkBurnt += e.args.burnt;
    paidProofs += e.args.proofs;
  }
  let bondsBurnt = 0n;
  let bondsToRescuers = 0n;
  for (const e of await c.queryFilter(c.filters.BondSettled(), from, head)) {
    bondsBurnt += e.args.burnt;
    bondsToRescuers += e.args.toRescuer;
  }
  const cfg = await client.config();
  return {
    units: Number(cfg.units), provers: [...provers.values()],
    paidProofsPerHeight: heightsSettled ? Math.round((Number(paidProofs) / heightsSettled) * 100) / 100 : 0,
    heightsSettled, networkPaid: networkPaid.toString(), networkBurnt: networkBurnt.toString(),
    bondsBurnt: bondsBurnt.toString(), bondsToRescuers: bondsToRescuers.toString(),
  };
}

/** The run's numbers, from L1 events (and the agents' gas records). */
export async function computeSummary(a: {
  provider: JsonRpcProvider;
  deployment: Deployment;
  names: Map<string, { name: string; role: ActorBook["role"] }>;
  txRecords: L1TxRecord[];
  txsSent: number;
  startedAt: number;
}): Promise<DevnetSummary> {
  const client = new RollupClient(a.deployment.rollup, a.provider);
  const c = client.contract;
  const from = a.deployment.deployBlock;
  const head = await a.provider.getBlockNumber();
  const books = new Map<string, ActorBook>();
  const book = (addr: string): ActorBook => {
    const k = addr.toLowerCase();
    let b = books.get(k);
    if (!b) {
      const n = a.names.get(k) ?? { name: addr.slice(0, 10), role: "other" as const };
      books.set(k, (b = { name: n.name, address: addr, role: n.role, rewards: "0", slashed: "0", compensation: "0", claimable: "0", heightsWon: 0, proofsSubmitted: 0 }));
    }
    return b;
  };
  const add = (b: ActorBook, f: "rewards" | "slashed" | "compensation", v: bigint) => (b[f] = (BigInt(b[f]) + v).toString());
  for (const [addr] of a.names) book(addr);

  const finalized = await c.queryFilter(c.filters.HeightFinalized(), from, head);
  const proposed = await c.queryFilter(c.filters.Proposed(), from, head);
  const firstProposal = new Map<bigint, number>();
  for (const p of proposed) if (!firstProposal.has(p.args.height)) firstProposal.set(p.args.height, p.blockNumber);
  const latencies: number[] = [];
  let txsFinalized = 0;
  const cooperative = Number(a.deployment.config.provingDesign) === ProvingDesign.Cooperative;
  for (const f of finalized) {
    const h = f.args.height;
    add(book(f.args.sequencer), "rewards", f.args.sequencerReward);
    // Cooperative: the network reward is paid per proof at settlement (UnitProofPaid), not to one prover here.
    if (!cooperative) add(book(f.args.prover), "rewards", f.args.proverReward);
    add(book(f.args.submitter), "rewards", f.args.submissionReward);
    book(f.args.sequencer).heightsWon++;
    const p0 = firstProposal.get(h);
    if (p0 !== undefined) latencies.push(f.blockNumber - p0);
    const rb = await client.revealedBlock(h, f.args.sequencer);
    const bytes = Buffer.from(rb.pubdata.slice(2), "hex");
    for (let i = 0; i < bytes.length; i += 20) if (bytes.subarray(i, i + 20).some((x) => x !== 0)) txsFinalized++;
  }
  for (const s of await c.queryFilter(c.filters.ProofSubmitted(), from, head)) book(s.args.submitter).proofsSubmitted++;
  // Batch path: the aggregation reward (credited by the Rollup to whoever sent verifyBatch).
  for (const r of await c.queryFilter(c.filters.AggregationRewarded(), from, head)) add(book(r.args.account), "rewards", r.args.amount);
  // Winners and backers from the ProverCommitted logs: the records may have left their rings by the time a long run
  // is summarised.
  // Cooperative: the sequencer backs its own block (its bond), so the backer of a height is its winner.
  const commits = commitsFromLogs(cooperative
    ? (await c.queryFilter(c.filters.UnitsCommitted(), from, head)).map((e) => ({ args: { height: e.args.height, sequencer: e.args.sequencer, depositor: e.args.sequencer, deposit: e.args.bond, leads: e.args.leads } }))
    : await c.queryFilter(c.filters.ProverCommitted(), from, head));
  const winnerAt = async (h: bigint) => commits.winner(h) ?? (await client.getHeight(h)).winner;
  const backerOf = (h: bigint, winner: string) => commits.backer(h, winner).depositor;
  const reorgs: DevnetSummary["reorgs"] = [];
  for (const r of await c.queryFilter(c.filters.ChainReorged(), from, head)) {
    const h = r.args.missedHeight;
    add(book(backerOf(h, await winnerAt(h))), "slashed", r.args.slashed);
    const tx = await r.getTransaction();
    add(book(tx.from), "compensation", r.args.bounty);
    reorgs.push({ missedHeight: Number(h), lostDescendants: Number(r.args.lostDescendants), slashed: r.args.slashed.toString(), bounty: r.args.bounty.toString() });
  }
  for (const r of await c.queryFilter(c.filters.HeightReorgedOut(), from, head)) add(book(r.args.sequencer), "compensation", r.args.compensation);
  for (const l of await c.queryFilter(c.filters.LateProofSettled(), from, head)) {
    const h = l.args.height;
    add(book(backerOf(h, await winnerAt(h))), "slashed", l.args.slashed);
    add(book(l.args.rescuer), "compensation", l.args.toRescuer);
  }
  let coopSummary: CooperativeSummary | undefined;
  if (cooperative) {
    coopSummary = await cooperativeSummary(client, from, head, a.names);
    for (const p of coopSummary.provers) add(book(p.address), "rewards", BigInt(p.paid));
    for (const e of await c.queryFilter(c.filters.BondSettled(), from, head)) add(book(e.args.sequencer), "slashed", e.args.burnt + e.args.toRescuer);
    // Each rescued unit's rescuer is paid out of the bond (UnitRescuePaid).
    for (const e of await c.queryFilter(c.filters.UnitRescuePaid(), from, head)) add(book(e.args.rescuer), "compensation", e.args.amount);
  }
  for (const b of books.values()) b.claimable = (await client.claimable(b.address)).toString();

  const gas = new Map<string, { count: number; total: bigint }>();
  let totalGas = 0n;
  for (const t of a.txRecords) {
    const g = gas.get(t.method) ?? { count: 0, total: 0n };
    g.count++;
    g.total += t.gasUsed;
    gas.set(t.method, g);
    totalGas += t.gasUsed;
  }
  const firstAgentBlock = a.txRecords.reduce((m, t) => Math.min(m, t.l1Block), head + 1);
  let setupGas = 0n;
  for (let b = from + 1; b < firstAgentBlock; b++) setupGas += (await a.provider.getBlock(b))?.gasUsed ?? 0n;
  const lastFinalized = await client.lastFinalized();
  const settled = gasOfSettledHeights(a.txRecords, lastFinalized, finalized.length);
  const finalizedAfterWarmup = finalized.filter((f) => f.args.height > RING_WARMUP_HEIGHTS).length;
  const steady = finalizedAfterWarmup > 0 ? gasOfSettledHeights(a.txRecords, lastFinalized, finalizedAfterWarmup, RING_WARMUP_HEIGHTS + 1n) : undefined;
  // Empty heights: decided (commit phase over: every height <= the last finalized one is) without a winner.
  let empty = 0;
  for (let h = 1n; h <= lastFinalized; h++) if ((await winnerAt(h)) === "0x0000000000000000000000000000000000000000") empty++;
  const sorted = [...latencies].sort((x, y) => x - y);
  const median = sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  const cfg = a.deployment.config;
  return {
    finalizedBlocks: finalized.length,
    finalizedHeights: finalized.map((f) => Number(f.args.height)),
    l1GasPerBlock: finalized.length ? Math.round(Number(totalGas) / finalized.length) : 0,
    setupGas: Number(setupGas),
    l1GasByMethod: Object.fromEntries([...gas].map(([m, g]) => [m, { count: g.count, avgGas: Math.round(Number(g.total) / g.count) }])),
    lastFinalizedHeight: Number(lastFinalized),
    l1GasPerFinalizedHeight: settled.perHeight,
    l1GasByMethodPerHeight: settled.byMethod,
    ...(steady ? { l1GasSteady: { fromHeight: Number(RING_WARMUP_HEIGHTS) + 1, finalizedHeights: finalizedAfterWarmup, perHeight: steady.perHeight, byMethod: steady.byMethod } } : {}),
    emptyHeightsPer100: lastFinalized > 0n ? Math.round((empty * 10_000) / Number(lastFinalized)) / 100 : 0,
    latencyL1Blocks: median,
    latencyL1BlocksAll: latencies,
    txsFinalized,
    txsSent: a.txsSent,
    reorgs,
    actors: [...books.values()],
    l1Blocks: head - from,
    wallSeconds: Math.round((Date.now() - a.startedAt) / 100) / 10,
    config: {
      T: Number(cfg.slots), proposalBlocks: Number(cfg.proposalBlocks), revealBlocks: Number(cfg.revealBlocks), commitBlocks: Number(cfg.commitBlocks),
      provingWindow: Number(cfg.provingWindow), lateWindow: Number(cfg.lateWindow), proverDeposit: cfg.proverDeposit.toString(), blockReward: cfg.blockReward.toString(),
      design: cooperative ? "cooperative" : "sidecar", units: Number(cfg.units),
    },
    ...(coopSummary ? { cooperative: coopSummary } : {}),
  };
}

/**
 * The gas of the transactions that served heights <= `lastFinalized` (and of those that serve no height), per
 * finalized height, in total and per method (calls per finalized height, average gas). Transactions of heights
 * after the last finalized one (proposals, reveals, commits, proofs of heights still in flight) are left out: they
 * belong to heights the run did not finalize.
 */
/**
 * Heights after which every storage ring (ProposalLib.RING = 32, RandomnessLib.SEED_RING = 32, ChainLib.HEIGHT_RING
 * = 64) has turned once.
 */
export const RING_WARMUP_HEIGHTS = 64n;

/**
 * Gas of the transactions serving heights <= lastFinalized, per finalized height and per method. With `fromHeight`,
 * only transactions serving heights >= fromHeight count (those serving no height are left out), divided by
 * `finalizedHeights`, the finalized heights in that range.
 */
export function gasOfSettledHeights(records: readonly L1TxRecord[], lastFinalized: bigint, finalizedHeights: number, fromHeight?: bigint): {
  perHeight: number; byMethod: Record<string, { perHeight: number; avgGas: number }>;
} {
  const byMethod = new Map<string, { count: number; total: bigint }>();
  let total = 0n;
  for (const t of records) {
    if (t.height !== undefined && t.height > lastFinalized) continue;
    if (fromHeight !== undefined && (t.height === undefined || t.height < fromHeight)) continue;
    const g = byMethod.get(t.method) ?? { count: 0, total: 0n };
    g.count++;
    g.total += t.gasUsed;
    byMethod.set(t.method, g);
    total += t.gasUsed;
  }
  if (finalizedHeights === 0) return { perHeight: 0, byMethod: {} };
  return {
    perHeight: Math.round(Number(total) / finalizedHeights),
    byMethod: Object.fromEntries(
      [...byMethod].map(([m, g]) => [m, { perHeight: Math.round((g.count * 100) / finalizedHeights) / 100, avgGas: Math.round(Number(g.total) / g.count) }]),
    ),
  };
}

/** Finalized heights so far (HeightFinalized events since the deployment). */
export async function finalizedCount(provider: JsonRpcProvider, d: Deployment): Promise<number> {
  const c = new RollupClient(d.rollup, provider).contract;
  return (await c.queryFilter(c.filters.HeightFinalized(), d.deployBlock)).length;
}

export { HeightStatus };
