/**
 * One network builder for the devnet (scripts/devnet.ts), the scenario runner (src/scenario/runner.ts) and the
 * integration tests: from a declarative spec (src/network/spec.ts) it brings up the L1 (a spawned Hardhat node, a
 * fork, or a running node; optionally behind a proxy), deploys the contracts or attaches to them, switches the node
 * to interval mining, starts the provers, the sequencers (with their L2 JSON-RPC) and the aggregator with their
 * per-agent options and strategies, and the L2 transfer generator. The handle stops everything in order: the
 * generator and the agents first (each waits for its in-flight L1 transactions: TxSender.idle), then the shared
 * providers, the proxy and the node. Destroying a provider under an in-flight `tx.wait()` makes ethers v6's
 * waitForTransaction reject inside a Promise executor, an unhandled rejection (see SequencerAgent.crash).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Wallet, type JsonRpcProvider } from "ethers";
import { RollupClient } from "../client/index.js";
import { buildCircuit, type BuildResult } from "../zk/build.js";
import { AgentError, connectL1, errText, type L1TxRecord, type Logger } from "../agents/common.js";
import {
  PROJECT_ROOT, TxGenerator, deployDevnet, devWallet, devnetCircuit, freePort, startHardhatNode, startIntervalMining,
  type DevnetActors, type Deployment, type HardhatNode,
} from "../agents/devnet.js";
import { ProverAgent, type ProverOptions } from "../agents/prover.js";
import { CooperativeProverAgent, type CooperativeProverOptions } from "../agents/cooperativeProver.js";
import { SequencerAgent, type SequencerOptions } from "../agents/sequencer.js";
import { AggregatorAgent } from "../agents/aggregator.js";
import { checkDeployedVerifier } from "../zk/verifierCheck.js";
import { attachDeployment } from "./attach.js";
import { L1Node } from "../l1/node.js";
import { startAnvil } from "../l1/anvil.js";
import { derivedWallet, fundFrom } from "../l1/keys.js";
import { NetworkConfigError, checkNetworkSpec, type AgentPatchSource, type Clock, type L1Proxy, type NetworkSpec } from "./spec.js";
import { AGENT_DEFAULTS, DEVNET_DEFAULTS } from "../defaults.js";

export * from "./spec.js";
export * from "./sizing.js";
export * from "./throughput.js";
export { attachDeployment } from "./attach.js";

/** A running network. */
export interface Network {
  readonly spec: NetworkSpec;
  readonly build: BuildResult;
  /** The spawned node, Hardhat or anvil (undefined on `l1.rpc`). */
  readonly node?: HardhatNode;
  /** The node's URL, and the URL the network's clients use (the proxy's when there is one). */
  readonly l1Url: string;
  readonly clientUrl: string;
  /** Provider through the proxy (the setup went through it); `direct` talks to the node (the same one without a proxy). */
  readonly provider: JsonRpcProvider;
  readonly direct: JsonRpcProvider;
  readonly chainId: bigint;
  /** What the L1 node offers (probed once), and the node-control calls with their fallbacks. */
  readonly l1Node: L1Node;
  /** Head before the first transaction of the setup. */
  readonly startBlock: number;
  readonly deployment: Deployment;
  readonly clock: Clock;
  /** Rollup client on `direct`. */
  readonly client: RollupClient;
  /** Dev account 0 deploys; then the sequencers, the provers; the aggregator's key comes after them. */
  readonly actors: DevnetActors & { aggregator: Wallet };
  readonly sequencers: SequencerAgent[];
  readonly provers: ProverAgent[];
  /** Cooperative: the provers' agents (`provers` is then empty: no quote servers). */
  readonly cooperativeProvers: CooperativeProverAgent[];
  readonly aggregator?: AggregatorAgent;
  readonly sequencerUrls: string[];
  readonly txGenerator: TxGenerator;
  /** Every L1 transaction the agents sent (gas accounting). */
  readonly txRecords: L1TxRecord[];
  /** Folder of the agents' stores (`<name>.sqlite`). */
  readonly dataDir: string;
  readonly log: Logger;
  /** Starts agent i again with its options (patched by `patch`); the caller stopped or crashed it before. */
  restartSequencer(i: number, patch?: Partial<SequencerOptions>): Promise<SequencerAgent>;
  restartProver(i: number, patch?: Partial<ProverOptions>): Promise<ProverAgent>;
  /** Stops the generator and the agents (the chain, the providers and the stores stay). Idempotent. */
  stopAgents(): Promise<void>;
  /** Stops the agents, then the providers, the proxy and the node; removes a temporary data folder. Idempotent. */
  stop(): Promise<void>;
}

/** A network being started: `stop()` may be called at any time (a signal during the setup) and stops what is up. */
export interface NetworkRun {
  start(): Promise<Network>;
  stop(): Promise<void>;
}

/** Starts the network of `spec`; on failure, stops whatever was started and rethrows. */
export async function startNetwork(spec: NetworkSpec): Promise<Network> {
  return createNetwork(spec).start();
}

/** Validates the spec (a bad one throws NetworkConfigError, nothing is started) and returns the run to start. */
export function createNetwork(spec: NetworkSpec): NetworkRun {
  checkNetworkSpec(spec);
  return new Builder(spec);
}

interface Stoppable {
  stop(): Promise<void> | void;
}

/** Per-agent options without the keys whose value is undefined (so they do not hide the network's values). */
function patchOf<P extends object>(source: AgentPatchSource<P> | undefined, clock: Clock): Partial<P> {
  const p = typeof source === "function" ? (source as (c: Clock) => P)(clock) : source;
  return Object.fromEntries(Object.entries(p ?? {}).filter(([, v]) => v !== undefined)) as Partial<P>;
}

const ETH_FLOOR = 10n ** 21n; // 1000 ETH

class Builder implements NetworkRun {
  private stopped = false;
  private started = false;
  /** Node, proxy, providers, temporary folder: released in reverse order after the agents. */
  private readonly resources: (() => Promise<void> | void)[] = [];
  private readonly sequencers: SequencerAgent[] = [];
  private readonly provers: ProverAgent[] = [];
  private readonly cooperativeProvers: CooperativeProverAgent[] = [];
  private aggregator?: AggregatorAgent;
  private txGenerator?: TxGenerator;
  /** Agents already stopped (a restart replaces an entry of the lists; a stopped one is not stopped twice). */
  private readonly done = new WeakSet<object>();

  constructor(private readonly spec: NetworkSpec) {}

  async start(): Promise<Network> {
    if (this.started) throw new AgentError("BAD_CONFIG", "a network is started once");
    this.started = true;
    try {
      return await this.bringUp();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** Throws once stop() was called during the start (what was started since is stopped by start's catch). */
  private check(): void {
    if (this.stopped) throw new AgentError("NOT_RUNNING", "the network was stopped while starting");
  }

  private async bringUp(): Promise<Network> {
    const s = this.spec;
    const log = s.log;
    const { T, D } = s.circuit;
    const l1 = s.l1 ?? {};
    const N = s.sequencers.length;
    const M = s.provers.length;
    const circuit = devnetCircuit({ T, D, design: s.design, units: s.units });
    const cooperative = circuit.kind === "unit";
    const build = s.circuit.build ?? (await buildCircuit({ T: circuit.T, D, kind: circuit.kind }));
    if (build.artifacts.kind !== circuit.kind || (cooperative && build.artifacts.tag !== `U${circuit.T}_D${D}`)) {
      throw new NetworkConfigError("circuit.build", `is ${build.artifacts.name}; the ${s.design ?? "sidecar"} design at T = ${T} proves ${circuit.kind} circuits of ${circuit.T} slots`);
    }
    this.check();

    // 1. L1: a spawned node (maybe a fork) or a running one, maybe behind a proxy.
    let node: HardhatNode | undefined;
    if (l1.rpc === undefined) {
      s.onStage?.({ stage: "spawning", fork: l1.fork, forkBlock: l1.forkBlock });
      node = l1.spawn === "anvil"
        ? await startAnvil({ log, port: l1.port || undefined })
        : await startHardhatNode({ log, port: l1.port || undefined, fork: l1.fork, forkBlock: l1.forkBlock });
      this.resources.push(() => node!.stop());
      this.check();
    }
    const l1Url = node?.url ?? l1.rpc!;
    let proxy: L1Proxy | undefined;
    if (l1.proxy) {
      proxy = await l1.proxy(l1Url);
      this.resources.push(() => proxy!.stop());
      this.check();
    }
    const clientUrl = proxy?.url ?? l1Url;
    const provider = await connectL1(clientUrl, AGENT_DEFAULTS.pollMs);
    this.resources.push(() => provider.destroy());
    let direct = provider;
    if (proxy) {
      direct = await connectL1(l1Url, AGENT_DEFAULTS.pollMs);
      this.resources.push(() => direct.destroy());
    }
    this.check();
    const chainId = (await provider.getNetwork()).chainId;
    // Probed on the node itself; the calls go through the proxy (a recorder sees them).
    const l1Node = await L1Node.connect(provider, { url: l1Url, log, noBlockMs: l1.noBlockMs });
    this.check();

    // 2. Actors (Hardhat's mnemonic: 0 deployer, then sequencers, provers, aggregator, or keys derived from
    // l1.deployerKey on a node whose dev accounts are not ours) and the contracts.
    const key = l1.deployerKey;
    const actorWallet = (i: number) => (key === undefined ? devWallet(i, undefined, provider) : derivedWallet(key, i, provider));
    const actors = {
      deployer: key === undefined ? devWallet(0, undefined, provider) : new Wallet(key, provider),
      sequencers: s.sequencers.map((q, i) => ({ name: q.name, wallet: actorWallet(1 + i), vrfSeed: q.vrfSeed, stake: q.stake })),
      provers: s.provers.map((p, i) => ({ name: p.name, wallet: actorWallet(1 + N + i), vrfSeed: p.vrfSeed ?? `prover-vrf-${p.name}` })),
      aggregator: actorWallet(1 + N + M),
    };
    if ((await provider.getBalance(actors.deployer.address)) === 0n) throw new NetworkConfigError("l1", `deployer ${actors.deployer.address} has no ETH on ${l1Url}`);
    if (key !== undefined) {
      await fundFrom(actors.deployer, [...actors.sequencers.map((x) => x.wallet), ...actors.provers.map((x) => x.wallet), actors.aggregator], l1.actorFundingWei ?? 10n ** 18n, log);
      this.check();
    } else if (l1.topUpDevAccounts) {
      const all = [actors.deployer, ...actors.sequencers.map((x) => x.wallet), ...actors.provers.map((x) => x.wallet), actors.aggregator];
      for (const { address } of all) {
        if ((await provider.getBalance(address)) >= ETH_FLOOR) continue;
        try {
          await l1Node.setBalance(address, 10n ** 22n);
        } catch (e) {
          throw new NetworkConfigError("l1", `dev account ${address} has little ETH and setting its balance failed: ${errText(e)}`);
        }
        log.info("funded dev account", { address, with: l1Node.caps.setBalance });
      }
    }
    // The setup expects automine (one block per transaction); a node that mines on its own keeps its pace.
    await l1Node.setIntervalMining(0).catch(() => false);
    await l1Node.setAutomine(true).catch(() => false);
    const startBlock = await provider.getBlockNumber();
    s.onStage?.({ stage: "deploying", chainId, startBlock });
    const attach = s.contracts?.attach;
    const deployment = attach
      ? await attachDeployment({ provider, node: l1Node, rollup: attach, actors, aggWallet: actors.aggregator, T, D, accounts: s.accounts, aggregator: s.aggregator !== undefined, params: s.contracts?.params, log })
      : await deployDevnet({
          provider, node: l1Node, actors, T, D, accounts: s.accounts, log, overrides: s.contracts?.params,
          aggregator: s.aggregator !== undefined, aggregatorParams: s.aggregator?.params, proofBatchSize: s.proofBatchSize,
          design: s.design, units: s.units,
        });
    this.check();
    // Before any agent proves: the verifier on L1 must hold this zkey's key (an attached chain may be of another size).
    await checkDeployedVerifier(provider, deployment.verifier, build.setup.vkey, build.setup.zkeyPath);
    await startIntervalMining(l1Node, s.blockTimeMs);
    const cfg = deployment.config;
    const period = cfg.proposalBlocks + cfg.revealBlocks + cfg.commitBlocks;
    // Attached: height 1 of the run is the first Rollup height whose proposal phase opens after the setup.
    const nextBlock = BigInt(await provider.getBlockNumber()) + 1n;
    const heightOffset = attach && nextBlock >= cfg.genesisBlock ? Number((nextBlock - cfg.genesisBlock) / period) + 1 : 0;
    const clock: Clock = { genesisBlock: cfg.genesisBlock, period, heightOffset };
    s.onStage?.({ stage: "deployed", deployment, clock });

    // 3. Stores.
    let dataDir: string;
    if (s.dataDir === undefined) {
      dataDir = mkdtempSync(join(tmpdir(), "fernet-net-"));
      this.resources.push(() => rmSync(dataDir, { recursive: true, force: true }));
    } else {
      // Fresh stores per deployment: a store of another chain would only confuse the agents.
      dataDir = resolve(typeof s.dataDir === "function" ? s.dataDir(deployment) : s.dataDir);
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
    }

    // 4. Agents: provers first (the sequencers ask their quote servers), then sequencers, then the aggregator.
    const txRecords: L1TxRecord[] = [];
    const onTx = (r: L1TxRecord) => txRecords.push(r);
    const common = {
      rpcUrl: clientUrl, rollup: deployment.rollup, T, D, genesis: deployment.genesis, pollMs: s.pollMs, onTx,
      wasmPath: resolve(PROJECT_ROOT, build.wasmPath), zkeyPath: resolve(PROJECT_ROOT, build.setup.zkeyPath),
      postProofs: s.aggregator !== undefined,
      // The provers' own batches (ProofAggregator.submitBatch); a sequencer proving its own block sends it alone.
      batchSize: s.proofBatchSize ?? 1,
    };
    const seqPatches = s.sequencers.map((q) => patchOf(q.options, clock));
    const seqPorts = await Promise.all(seqPatches.map(async (p) => p.rpcPort || (await freePort())));
    const sequencerUrls = seqPorts.map((p) => `http://127.0.0.1:${p}`);
    const proverOpts: ProverOptions[] = [];
    const coopOpts: CooperativeProverOptions[] = [];
    // Cooperative: provers are elected per unit on chain; each runs the cooperative prover agent (no quote server).
    for (const [i, p] of cooperative ? actors.provers.entries() : []) {
      const opts: CooperativeProverOptions = {
        ...common, K: circuit.K, name: p.name, privateKey: p.wallet.privateKey, vrfSeed: p.vrfSeed!, storePath: join(dataDir, `${p.name}.sqlite`),
        log: log.child(p.name), ...patchOf(s.provers[i]!.cooperative, clock),
      };
      this.cooperativeProvers.push(await CooperativeProverAgent.start(opts));
      this.check();
      coopOpts.push(opts);
    }
    for (const [i, p] of cooperative ? [] : actors.provers.entries()) {
      const opts: ProverOptions = {
        ...common, name: p.name, privateKey: p.wallet.privateKey, storePath: join(dataDir, `${p.name}.sqlite`), sequencerRpcUrls: sequencerUrls,
        // Cross-prover batches: each prover hands its finished proofs to the one proving the next height.
        batchPeers: () => this.provers.map((x) => x.quoteUrl), vkey: build.setup.vkey,
        price: DEVNET_DEFAULTS.proverPriceBase + BigInt(i) * DEVNET_DEFAULTS.proverPriceStep, log: log.child(p.name), ...patchOf(s.provers[i]!.options, clock),
      };
      const a = await ProverAgent.start(opts);
      this.provers.push(a);
      this.check();
      opts.quotePort = Number(new URL(a.quoteUrl).port); // a restart comes back on the same URL
      proverOpts.push(opts);
    }
    const seqOpts: SequencerOptions[] = [];
    for (const [i, q] of actors.sequencers.entries()) {
      const opts: SequencerOptions = {
        ...common, name: q.name, privateKey: q.wallet.privateKey, vrfSeed: q.vrfSeed, storePath: join(dataDir, `${q.name}.sqlite`),
        proverUrls: this.provers.map((p) => p.quoteUrl), sequencerPeers: sequencerUrls.filter((_, j) => j !== i), log: log.child(q.name), ...seqPatches[i], rpcPort: seqPorts[i],
      };
      seqOpts.push(opts);
      this.sequencers.push(await SequencerAgent.start(opts));
      this.check();
    }
    if (s.aggregator) {
      this.aggregator = await AggregatorAgent.start({
        name: "aggregator", rpcUrl: clientUrl, rollup: deployment.rollup, privateKey: actors.aggregator.privateKey, vkey: build.setup.vkey,
        fromBlock: BigInt(deployment.deployBlock), pollMs: s.aggregator.pollMs, minBatch: s.aggregator.minBatch, onTx, log: log.child("aggregator"),
      });
      this.check();
    }
    const txGenerator = new TxGenerator(sequencerUrls, s.accounts, log.child("txgen"), s.txGenerator?.random);
    this.txGenerator = txGenerator;
    if (s.txGenerator?.ratePerSecond !== undefined) txGenerator.start(s.txGenerator.ratePerSecond);

    const sequencers = this.sequencers;
    const provers = this.provers;
    return {
      spec: s, build, node, l1Url, clientUrl, provider, direct, chainId, l1Node, startBlock, deployment, clock,
      client: new RollupClient(deployment.rollup, direct), actors, sequencers, provers, cooperativeProvers: this.cooperativeProvers, aggregator: this.aggregator, sequencerUrls,
      txGenerator, txRecords, dataDir, log,
      restartSequencer: async (i, patch) => (sequencers[i] = await SequencerAgent.start({ ...seqOpts[i]!, ...patch })),
      restartProver: async (i, patch) => (provers[i] = await ProverAgent.start({ ...proverOpts[i]!, ...patch })),
      stopAgents: () => this.stopAgents(),
      stop: () => this.stop(),
    };
  }

  private async stopOne(a: Stoppable | undefined): Promise<void> {
    if (!a || this.done.has(a)) return;
    this.done.add(a);
    try {
      await a.stop();
    } catch (e) {
      this.spec.log.warn("stop failed", { error: errText(e) });
    }
  }

  async stopAgents(): Promise<void> {
    await this.stopOne(this.txGenerator);
    await this.stopOne(this.aggregator);
    for (const a of [...this.sequencers].reverse()) await this.stopOne(a);
    for (const a of [...this.provers].reverse()) await this.stopOne(a);
    for (const a of [...this.cooperativeProvers].reverse()) await this.stopOne(a);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopAgents();
    // The providers, the proxy and the node go last: no agent has an L1 request in flight any more.
    for (const release of this.resources.splice(0).reverse()) await Promise.resolve().then(release).catch(() => {});
    // Proving may have loaded snarkjs here: its curve worker threads would keep the process from exiting.
    const { closeProver } = await import("../zk/prover.js");
    await closeProver().catch(() => {});
  }
}
