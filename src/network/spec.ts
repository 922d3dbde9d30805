/**
 * The declarative description of a network of agents (`startNetwork`, src/network/index.ts) and its validation:
 * which L1 (a spawned Hardhat node, a fork, or a running node), which contracts (deployed here or already on the
 * chain), which sequencers, provers and aggregator with their per-agent options, the circuit, the L1 block time and
 * where the agents' stores go. A bad spec is refused with a typed error before anything is started.
 */
import { isAddress } from "ethers";
import type { BuildResult } from "../zk/build.js";
import type { RollupConfig } from "../client/index.js";
import { AgentError, type Logger } from "../agents/common.js";
import type { AggregatorParams, Deployment } from "../agents/devnet.js";
import type { ProverOptions } from "../agents/prover.js";
import type { SequencerOptions } from "../agents/sequencer.js";
import type { CooperativeProverOptions } from "../agents/cooperativeProver.js";

/** A bad network spec, or a chain that does not match it (attach). `field` names the spec field at fault. */
export class NetworkConfigError extends AgentError {
  readonly field: string;
  /** The message without the field. */
  readonly detail: string;
  constructor(field: string, detail: string, options?: { cause?: unknown }) {
    super("BAD_CONFIG", `${field}: ${detail}`, options);
    this.name = "NetworkConfigError";
    this.field = field;
    this.detail = detail;
  }
}

/**
 * The Rollup's clock as the strategies see it: height h opens at genesisBlock + (h - 1 + heightOffset) * period.
 */
export interface Clock {
  genesisBlock: bigint;
  /** proposal + reveal + commit blocks */
  period: bigint;
  /** Scenario height h is the Rollup's height h + heightOffset (a run attached to a chain that already advanced). */
  heightOffset?: number;
}

/** Options every agent of the network shares (set by the network, not per agent). */
type NetworkOwned = "name" | "rpcUrl" | "rollup" | "privateKey" | "T" | "D" | "genesis" | "storePath" | "wasmPath" | "zkeyPath" | "log" | "onTx" | "postProofs";

export type SequencerPatch = Partial<Omit<SequencerOptions, NetworkOwned | "vrfSeed">>;
export type ProverPatch = Partial<Omit<ProverOptions, NetworkOwned>>;
export type CooperativeProverPatch = Partial<Omit<CooperativeProverOptions, NetworkOwned | "vrfSeed" | "K">>;

/** Per-agent options, or a function of the Rollup's clock when they depend on it (scenario strategies' height windows). */
export type AgentPatchSource<P> = P | ((clock: Clock) => P);

export interface SequencerSpec {
  name: string;
  /** Seed of the VRF key registered in Staking. */
  vrfSeed: string;
  /** Stake in token wei (default the minimum, DEFAULT_STAKING.minSequencerStake). */
  stake?: bigint;
  options?: AgentPatchSource<SequencerPatch>;
}

export interface ProverSpec {
  name: string;
  /** `price` defaults to (5 + i) * 1e17 for the i-th prover: different prices give the market something to rank. */
  options?: AgentPatchSource<ProverPatch>;
  /** Cooperative: seed of the VRF key it is staked with (default `prover-vrf-<name>`). */
  vrfSeed?: string;
  /** Cooperative: the cooperative prover agent's options (FEE_BURN, strategy, faults). */
  cooperative?: AgentPatchSource<CooperativeProverPatch>;
}

export interface AggregatorSpec {
  /** ProofAggregator parameters over DEFAULT_AGGREGATOR (deployment only). */
  params?: AggregatorParams;
  minBatch?: number;
  pollMs?: number;
}

/** Something in front of the L1 node that the network's clients talk to (the scenario's recording proxy). */
export interface L1Proxy {
  url: string;
  stop(): Promise<void>;
}

export interface L1Spec {
  /**
   * A running node: a Hardhat node, anvil, or a node that allows no evm_* / hardhat_* call but mines on its own
   * (src/l1/node.ts probes what it offers). Without it a Hardhat node is spawned.
   */
  rpc?: string;
  /**
   * The deployer's private key on a node whose dev accounts are not ours (src/l1/keys.ts: a keystore or
   * FERNET_DEPLOYER_KEY); the agents' keys are derived from it and funded by the deployer. Default: the dev accounts.
   */
  deployerKey?: string;
  /** ETH (wei) each derived agent key is funded up to (default 1 ETH); only with `deployerKey`. */
  actorFundingWei?: bigint;
  /** A wait for L1 blocks fails after this long without a new block, ms (default 60 000). */
  noBlockMs?: number;
  /** Which node to spawn when there is no `rpc`: a Hardhat node (default) or anvil (it can reorg: anvil_reorg). */
  spawn?: "hardhat" | "anvil";
  /** Port of the spawned node (default: a free one). */
  port?: number;
  /** The spawned node forks this JSON-RPC URL, at `forkBlock` (default its head). */
  fork?: string;
  forkBlock?: number;
  /** Puts a proxy in front of the node: every client of the network (deployment, agents) goes through it. */
  proxy?: (nodeUrl: string) => Promise<L1Proxy>;
  /** Gives the dev accounts with less than 1000 ETH 10000 ETH (hardhat_/anvil_setBalance) before the setup. */
  topUpDevAccounts?: boolean;
}

export interface ContractsSpec {
  /** Use the contracts of this Rollup (on `l1.rpc` or a fork) instead of deploying. */
  attach?: string;
  /** Rollup parameters over the documented defaults when deploying; when attached the Rollup's apply (a warning names the differences). */
  params?: Partial<RollupConfig>;
}

export type NetworkStage =
  | { stage: "spawning"; fork?: string; forkBlock?: number }
  | { stage: "deploying"; chainId: bigint; startBlock: number }
  | { stage: "deployed"; deployment: Deployment; clock: Clock };

export interface NetworkSpec {
  /**
   * Block circuit: T slots per block, tree depth D; `build`, when the caller built it already (else built here,
   * cached): the circuit the provers prove, the unit circuit U{T/K}_D{D} in the Cooperative design.
   */
  circuit: { T: number; D: number; build?: BuildResult };
  /** The proving design the contracts run (default Sidecar; one deployment, one design: docs/cooperative.md). */
  design?: "sidecar" | "cooperative";
  /** Cooperative: K, units per block (default DEVNET_DEFAULTS.cooperativeUnits); must divide T. */
  units?: number;
  l1?: L1Spec;
  contracts?: ContractsSpec;
  /** L2 genesis: dev accounts 1..accounts. */
  accounts: number;
  /** Dev accounts: 0 the deployer, then the sequencers, the provers, the aggregator, in this order. */
  sequencers: SequencerSpec[];
  provers: ProverSpec[];
  /** The batch path: deploys the ProofAggregator, the agents post proofs, an aggregator agent verifies them in batches. */
  aggregator?: AggregatorSpec;
  /**
   * Proofs each prover sends together in one `ProofAggregator.submitBatch` (default 1: each alone through
   * `submitProof`). Above 1 the ProofAggregator is deployed even without `aggregator`. A prover's options may override it.
   */
  proofBatchSize?: number;
  /** One L1 block every blockTimeMs once the setup is done. */
  blockTimeMs: number;
  /** L1 polling period of the sequencers and provers (default: the agents'). */
  pollMs?: number;
  /**
   * Folder of the agents' stores, emptied at start and kept at stop (a function: chosen once the deployment is
   * known). Default: a temporary folder removed at stop.
   */
  dataDir?: string | ((deployment: Deployment) => string);
  /** The L2 transfer generator: started at `ratePerSecond` (default: not started), `random` for amounts and fees. */
  txGenerator?: { ratePerSecond?: number; random?: () => number };
  log: Logger;
  /** Called at each step of the start (progress lines). */
  onStage?: (e: NetworkStage) => void;
}

function int(field: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new NetworkConfigError(field, `must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
}

const httpUrl = /^https?:\/\/\S+$/;

/** Refuses a bad spec with a NetworkConfigError naming the field (the bounds are the devnet's and the scenario schema's). */
export function checkNetworkSpec(s: NetworkSpec): void {
  int("circuit.T", s.circuit?.T, 1, 64);
  int("circuit.D", s.circuit?.D, 2, 32);
  int("accounts", s.accounts, 2, 2 ** s.circuit.D - 1);
  int("blockTimeMs", s.blockTimeMs, 100);
  if (s.pollMs !== undefined) int("pollMs", s.pollMs, 1);
  const l1 = s.l1 ?? {};
  if (l1.rpc !== undefined && !httpUrl.test(l1.rpc)) throw new NetworkConfigError("l1.rpc", `must be an http(s) URL, got "${l1.rpc}"`);
  if (l1.fork !== undefined && !httpUrl.test(l1.fork)) throw new NetworkConfigError("l1.fork", `must be an http(s) URL, got "${l1.fork}"`);
  if (l1.rpc !== undefined && (l1.fork !== undefined || l1.port || l1.spawn)) throw new NetworkConfigError("l1.rpc", "a running node excludes spawning one (spawn, fork, port)");
  if (l1.spawn !== undefined && l1.spawn !== "hardhat" && l1.spawn !== "anvil") throw new NetworkConfigError("l1.spawn", `must be "hardhat" or "anvil", got ${JSON.stringify(l1.spawn)}`);
  if (l1.spawn === "anvil" && l1.fork !== undefined) throw new NetworkConfigError("l1.fork", "forking is done with the spawned Hardhat node");
  if (l1.forkBlock !== undefined) {
    if (l1.fork === undefined) throw new NetworkConfigError("l1.forkBlock", "needs l1.fork");
    int("l1.forkBlock", l1.forkBlock, 0);
  }
  if (l1.port !== undefined) int("l1.port", l1.port, 0, 65535);
  if (l1.deployerKey !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(l1.deployerKey)) throw new NetworkConfigError("l1.deployerKey", "must be 0x + 64 hex digits");
  if (l1.noBlockMs !== undefined) int("l1.noBlockMs", l1.noBlockMs, 1000);
  const attach = s.contracts?.attach;
  if (attach !== undefined) {
    if (!isAddress(attach)) throw new NetworkConfigError("contracts.attach", `not an address: ${attach}`);
    if (l1.rpc === undefined && l1.fork === undefined) throw new NetworkConfigError("contracts.attach", "needs l1.rpc or l1.fork (a chain that has the contracts)");
  }
  if (!Array.isArray(s.sequencers) || s.sequencers.length === 0) throw new NetworkConfigError("sequencers", "at least one sequencer");
  if (!Array.isArray(s.provers)) throw new NetworkConfigError("provers", "must be a list");
  // The aggregator agent is named "aggregator" (stores, logs, summaries).
  const names = new Set<string>(s.aggregator ? ["aggregator"] : []);
  const named = [...s.sequencers.map((x, i) => [`sequencers[${i}]`, x.name] as const), ...s.provers.map((x, i) => [`provers[${i}]`, x.name] as const)];
  for (const [field, name] of named) {
    if (typeof name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(name)) throw new NetworkConfigError(`${field}.name`, `must be a non-empty file-name-safe string, got ${JSON.stringify(name)}`);
    if (names.has(name)) throw new NetworkConfigError(`${field}.name`, `"${name}" is used twice (or is the aggregator's)`);
    names.add(name);
  }
  for (const [i, q] of s.sequencers.entries()) {
    if (typeof q.vrfSeed !== "string" || q.vrfSeed === "") throw new NetworkConfigError(`sequencers[${i}].vrfSeed`, "must be a non-empty string");
    if (q.stake !== undefined && q.stake <= 0n) throw new NetworkConfigError(`sequencers[${i}].stake`, "must be positive");
  }
  if (s.design !== undefined && s.design !== "sidecar" && s.design !== "cooperative") {
    throw new NetworkConfigError("design", `must be "sidecar" or "cooperative", got ${JSON.stringify(s.design)}`);
  }
  if (s.units !== undefined) {
    if (s.design !== "cooperative") throw new NetworkConfigError("units", "only the cooperative design splits blocks into units");
    int("units", s.units, 1, 32);
    if (s.circuit.T % s.units !== 0) throw new NetworkConfigError("units", `must divide T = ${s.circuit.T}, got ${s.units}`);
  }
  if (s.design === "cooperative") {
    if (s.aggregator) throw new NetworkConfigError("aggregator", "the cooperative design has no ProofAggregator (units are accepted one by one)");
    if ((s.proofBatchSize ?? 1) > 1) throw new NetworkConfigError("proofBatchSize", "the cooperative design has no batches");
    if (s.contracts?.attach !== undefined) throw new NetworkConfigError("contracts.attach", "attaching to a cooperative deployment is not supported yet");
    for (const [i, p] of s.provers.entries()) {
      if (p.vrfSeed !== undefined && (typeof p.vrfSeed !== "string" || p.vrfSeed === "")) throw new NetworkConfigError(`provers[${i}].vrfSeed`, "must be a non-empty string");
    }
  }
  if (s.aggregator?.minBatch !== undefined) int("aggregator.minBatch", s.aggregator.minBatch, 1);
  if (s.proofBatchSize !== undefined) int("proofBatchSize", s.proofBatchSize, 1);
  if (s.aggregator?.pollMs !== undefined) int("aggregator.pollMs", s.aggregator.pollMs, 1);
  const rate = s.txGenerator?.ratePerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate >= 0)) throw new NetworkConfigError("txGenerator.ratePerSecond", `must be a number >= 0, got ${rate}`);
}
