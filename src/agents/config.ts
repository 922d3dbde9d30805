/**
 * Agent configuration: one JSON file describes a network (L1 endpoint, rollup, circuit, genesis) and its agents;
 * command-line flags pick one agent and override single fields. `scripts/devnet.ts` writes such a file
 * (`.devnet/config.json`), and `src/agents/cli.ts` runs any agent from it.
 */
import { readFileSync } from "node:fs";
import { isAddress, isHexString } from "ethers";
import type { GenesisAccount } from "../l2/index.js";
import { AgentError, type LogLevel } from "./common.js";

export interface NetworkConfig {
  /** L1 JSON-RPC URL. */
  rpcUrl: string;
  /** Rollup contract address. */
  rollup: string;
  /** Circuit configuration: T slots per block, tree depth D (must match the deployed verifier). */
  T: number;
  D: number;
  /** Genesis accounts (inline) or a path to a JSON file with them. */
  genesis: GenesisAccount[] | string;
  /** Folder of the agents' stores (one sqlite file per agent). */
  dataDir: string;
  /** L1 head polling period, ms (default CLI_DEFAULTS.pollMs of src/defaults.ts). */
  pollMs?: number;
  logLevel?: LogLevel;
}

export interface SequencerConfig {
  name: string;
  /** L1 private key (0x-hex). */
  privateKey: string;
  /** Seed of the VRF key (the key registered in Staking). */
  vrfSeed: string;
  /** L2 JSON-RPC port (0 = ephemeral) and host. */
  rpcPort: number;
  rpcHost?: string;
  /** Quote server URLs of the provers to ask. */
  proverUrls: string[];
  /** FEE_SPLIT, basis points (default AGENT_DEFAULTS.feeSplitBps). */
  feeSplitBps?: number;
  /** proverTip in token wei, decimal string (default AGENT_DEFAULTS.proverTip): also the max price accepted from a quote. */
  proverTip?: string;
  /** proverRewardShare, basis points (default AGENT_DEFAULTS.proverRewardShareBps). */
  proverRewardShareBps?: number;
  /** Quote request timeout, ms (default AGENT_DEFAULTS.quoteTimeoutMs). */
  quoteTimeoutMs?: number;
  /**
   * Fraction 0..1 of the top score at or above which it proposes at once; below it, only late in the proposal phase
   * (proposeSlackBlocks before its last block) and if no verified better claim appeared. 0 = always at once. Default: the level at which one of
   * the other N - 1 eligible sequencers beats it with chance AGENT_DEFAULTS.proposeBeatenChance (docs/agents.md).
   */
  proposeThreshold?: number;
  /**
   * Fraction 0..1 below proposeThreshold at or above which a below-threshold proposal aims at the phase's second block
   * (a middle tier, if that block precedes the late one). 0 = one late tier. Default: defaultMiddleThreshold (docs/agents.md).
   */
  proposeMiddleThreshold?: number;
  /** Blocks of the proposal phase a below-threshold proposal leaves after the one it aims at (default AGENT_DEFAULTS.proposeSlackBlocks). */
  proposeSlackBlocks?: number;
  /**
   * The other sequencers' L2 RPC URLs: before proposing, it asks each for its VRF claim at the height
   * (l2_getVrfClaim) and proposes at once only if it holds the best, late only if a better one never reached L1
   * (docs/agents.md, "Claims served to peers"). Default none.
   */
  peers?: string[];
  /** Fault injection: "no-reveal" proposes and then never reveals. */
  fault?: "none" | "no-reveal";
}

export interface ProverConfig {
  name: string;
  privateKey: string;
  /** Quote server port (0 = ephemeral) and host. */
  quotePort: number;
  quoteHost?: string;
  /** Price quoted, token wei (decimal string, default AGENT_DEFAULTS.proverPrice). */
  price?: string;
  /** Promised proving time in L1 blocks (default AGENT_DEFAULTS.provingTimeL1Blocks). */
  provingTimeL1Blocks?: number;
  /** At most this many blocks accepted and not yet proven (default AGENT_DEFAULTS.maxInFlight); beyond that the prover declines. */
  maxInFlight?: number;
  /** Proofs sent together in one ProofAggregator.submitBatch (default AGENT_DEFAULTS.proofBatchSize; 1 = each alone via submitProof). */
  batchSize?: number;
  /** Held proofs go out once the oldest one's proving deadline is this many L1 blocks away (default AGENT_DEFAULTS.batchDeadlineMarginBlocks). */
  batchDeadlineMarginBlocks?: number;
  /** Other provers' quote URLs: finished proofs are handed to the one proving the next height, which sends the batch (default none). */
  batchPeers?: string[];
  /** L2 RPC URLs of the sequencers, where block bodies (signed transfers) are fetched. */
  sequencerRpcUrls: string[];
  /** Fault injection: "withhold" commits (quotes) but never proves. */
  fault?: "none" | "withhold";
}

export interface FileConfig {
  network: NetworkConfig;
  sequencers: SequencerConfig[];
  provers: ProverConfig[];
}

function fail(msg: string): never {
  throw new AgentError("BAD_CONFIG", msg);
}

function checkKey(where: string, k: unknown): void {
  if (typeof k !== "string" || !isHexString(k, 32)) fail(`${where}.privateKey must be a 32-byte 0x-hex string`);
}

function checkPort(where: string, p: unknown): void {
  if (!Number.isInteger(p) || (p as number) < 0 || (p as number) > 65535) fail(`${where} must be a port number (0..65535)`);
}

function checkDecimal(where: string, v: unknown): void {
  if (v !== undefined && (typeof v !== "string" || !/^[0-9]{1,40}$/.test(v))) fail(`${where} must be a decimal string`);
}

function checkBps(where: string, v: unknown): void {
  if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 10_000)) fail(`${where} must be an integer 0..10000`);
}

/** Validates a parsed config (throws AgentError BAD_CONFIG naming the field). */
export function checkConfig(c: unknown): FileConfig {
  if (typeof c !== "object" || c === null) fail("config must be a JSON object");
  const cfg = c as FileConfig;
  const n = cfg.network;
  if (typeof n !== "object" || n === null) fail("config.network is missing");
  if (typeof n.rpcUrl !== "string" || !/^https?:\/\//.test(n.rpcUrl)) fail("network.rpcUrl must be an http(s) URL");
  if (typeof n.rollup !== "string" || !isAddress(n.rollup)) fail("network.rollup must be an address");
  if (!Number.isInteger(n.T) || n.T < 1) fail("network.T must be a positive integer");
  if (!Number.isInteger(n.D) || n.D < 2 || n.D % 2 !== 0) fail("network.D must be an even integer >= 2");
  if (typeof n.genesis !== "string" && !Array.isArray(n.genesis)) fail("network.genesis must be a list of accounts or a file path");
  if (typeof n.dataDir !== "string" || n.dataDir === "") fail("network.dataDir must be a folder path");
  if (n.pollMs !== undefined && (!Number.isInteger(n.pollMs) || n.pollMs < 10)) fail("network.pollMs must be an integer >= 10");
  if (!Array.isArray(cfg.sequencers)) fail("config.sequencers must be a list");
  if (!Array.isArray(cfg.provers)) fail("config.provers must be a list");
  const names = new Set<string>();
  cfg.sequencers.forEach((s, i) => {
    const w = `sequencers[${i}]`;
    if (typeof s.name !== "string" || !s.name) fail(`${w}.name is required`);
    if (names.has(s.name)) fail(`agent name ${s.name} is used twice`);
    names.add(s.name);
    checkKey(w, s.privateKey);
    if (typeof s.vrfSeed !== "string" || !s.vrfSeed) fail(`${w}.vrfSeed is required`);
    checkPort(`${w}.rpcPort`, s.rpcPort);
    if (!Array.isArray(s.proverUrls) || s.proverUrls.some((u) => typeof u !== "string")) fail(`${w}.proverUrls must be a list of URLs`);
    if (s.peers !== undefined && (!Array.isArray(s.peers) || s.peers.some((u) => typeof u !== "string"))) fail(`${w}.peers must be a list of URLs`);
    checkBps(`${w}.feeSplitBps`, s.feeSplitBps);
    checkBps(`${w}.proverRewardShareBps`, s.proverRewardShareBps);
    checkDecimal(`${w}.proverTip`, s.proverTip);
    if (s.proposeThreshold !== undefined && (typeof s.proposeThreshold !== "number" || !(s.proposeThreshold >= 0 && s.proposeThreshold <= 1))) {
      fail(`${w}.proposeThreshold must be a number 0..1`);
    }
    if (s.proposeMiddleThreshold !== undefined && (typeof s.proposeMiddleThreshold !== "number" || !(s.proposeMiddleThreshold >= 0 && s.proposeMiddleThreshold <= 1))) {
      fail(`${w}.proposeMiddleThreshold must be a number 0..1`);
    }
    if (s.proposeSlackBlocks !== undefined && !(Number.isInteger(s.proposeSlackBlocks) && s.proposeSlackBlocks >= 0)) fail(`${w}.proposeSlackBlocks must be an integer >= 0`);
    if (s.fault !== undefined && s.fault !== "none" && s.fault !== "no-reveal") fail(`${w}.fault must be "none" or "no-reveal"`);
  });
  cfg.provers.forEach((p, i) => {
    const w = `provers[${i}]`;
    if (typeof p.name !== "string" || !p.name) fail(`${w}.name is required`);
    if (names.has(p.name)) fail(`agent name ${p.name} is used twice`);
    names.add(p.name);
    checkKey(w, p.privateKey);
    checkPort(`${w}.quotePort`, p.quotePort);
    checkDecimal(`${w}.price`, p.price);
    if (!Array.isArray(p.sequencerRpcUrls)) fail(`${w}.sequencerRpcUrls must be a list of URLs`);
    if (p.batchSize !== undefined && !(Number.isInteger(p.batchSize) && p.batchSize >= 1)) fail(`${w}.batchSize must be an integer >= 1`);
    if (p.batchDeadlineMarginBlocks !== undefined && !(Number.isInteger(p.batchDeadlineMarginBlocks) && p.batchDeadlineMarginBlocks >= 0)) {
      fail(`${w}.batchDeadlineMarginBlocks must be an integer >= 0`);
    }
    if (p.batchPeers !== undefined && !(Array.isArray(p.batchPeers) && p.batchPeers.every((u) => typeof u === "string" && /^https?:\/\//.test(u)))) {
      fail(`${w}.batchPeers must be a list of http(s) URLs`);
    }
    if (p.fault !== undefined && p.fault !== "none" && p.fault !== "withhold") fail(`${w}.fault must be "none" or "withhold"`);
  });
  return cfg;
}

/** Reads and validates a config file. */
export function loadConfig(path: string): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    fail(`cannot read config ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(`config ${path} is not JSON: ${(e as Error).message}`);
  }
  return checkConfig(parsed);
}

/** The genesis accounts of a network config (inline or from its file). */
export function genesisOf(n: NetworkConfig): GenesisAccount[] {
  if (Array.isArray(n.genesis)) return n.genesis;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(n.genesis, "utf8"));
  } catch (e) {
    fail(`cannot read genesis ${n.genesis}: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) fail(`genesis ${n.genesis} must be a JSON list of accounts`);
  return parsed as GenesisAccount[];
}
