/**
 * Scenario runner: plays a scenario (src/scenario/schema.ts) on its own Hardhat node (default), on a running node
 * (`rpc`), or on a fork of a chain (`fork`, `forkBlock`: a `hardhat node --fork` child), with the network builder of
 * src/network (deployment or attach, funding and registration, agents with the scenario's strategies, transaction
 * generator). Every L1 client of
 * the run goes through the recorder (src/scenario/record.ts, a JSON-RPC proxy), so every transaction sent is in
 * `<out>/l1-log.json` and the run can be replayed (`replayScenario`). At the end the figures are computed from L1
 * events (src/scenario/collect.ts), the expectations checked, and the report written (src/scenario/report.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { JsonRpcProvider } from "ethers";
import { Logger, connectL1, type HardhatNode } from "../agents/index.js";
import { HeightStatus } from "../client/index.js";
import { L1Node } from "../l1/node.js";
import { NetworkConfigError, startNetwork, type Clock, type Network, type NetworkSpec } from "../network/index.js";

import type { L1ReorgFigure, L2Figure, ScenarioFigures, ScenarioMode } from "./figures.js";
import { ScenarioError, feeBurnText, strategyText, validateScenario, type Scenario } from "./schema.js";
import { cooperativeProverHooks, proposalStart, proverHooks, sequencerHooks } from "./strategies.js";
import { devnetCircuit } from "../agents/devnet.js";
import { L2Chain } from "../agents/common.js";
import { RollupClient } from "../client/index.js";
import { initL2, stateFromGenesis, type L2State } from "../l2/index.js";
import { decodePubdata, isNoop } from "../l2/pubdata.js";
import { devGenesis } from "../l2/sample.js";
import { collectFigures } from "./collect.js";
import { evaluate } from "./expectations.js";
import { startRecorder, type Recorder, type ReplayLog } from "./record.js";
import { replayLog, startReplayNode } from "./replay.js";
import { writeReport } from "./report.js";
import { seededRandom } from "./random.js";
import { E18 } from "../protocol.js";
import { AGENT_DEFAULTS } from "../defaults.js";

export interface RunOptions {
  scenario: Scenario;
  /** Output folder (report.md, figures.json, charts/, l1-log.json, run.json). */
  outDir: string;
  /** Use this running node (Hardhat, anvil, or one that mines on its own with funded dev accounts: src/l1/node.ts). */
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
  /** The L1 reorgs the run injected (l1.reorgs). */
  l1Reorgs?: L1ReorgFigure[];
  /** Transfers the sequencers dropped for good (from the agents: a replay has no agents). */
  l2Dropped?: number;
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


function scenarioParams(s: Scenario): Record<string, string | number> {
  const p: Record<string, string | number> = {
    design: s.design, ...(s.units !== undefined ? { units: s.units } : {}),
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

// ------------------------------------------------------------------------------------ run

/** Where the network's spec errors point in a scenario run (the rest are under `$`). */
const SPEC_PATHS: Record<string, string> = {
  "contracts.attach": "--rollup", design: "$.design", units: "$.units", "circuit.T": "$.circuit.T", "circuit.D": "$.circuit.D", accounts: "$.load.accounts", aggregator: "$.aggregator",
  l1: "$", "l1.rpc": "--rpc", "l1.fork": "--fork", "l1.forkBlock": "--fork-block",
};

/** A network spec error as a scenario error (the scenario command reports those as an invalid scenario, exit 2). */
function asScenarioError(e: unknown): unknown {
  if (!(e instanceof NetworkConfigError)) return e;
  const path = SPEC_PATHS[e.field] ?? (/^(sequencers|provers)\b/.test(e.field) ? `$.${e.field}` : "$");
  return new ScenarioError(path, e.detail);
}

/** Plays the scenario and writes its outputs. Throws on infrastructure failures; expectations decide `passed`. */
export async function runScenario(o: RunOptions): Promise<RunResult> {
  const s = o.scenario;
  const log = o.log ?? new Logger("scenario", "warn");
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const mode: ScenarioMode = o.fork ? "fork" : o.rpc ? "rpc" : "local";
  const say = o.progress ?? (() => {});
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  let net: Network | undefined;
  try {
    // 1. Circuit and contracts.
    const { buildCircuit } = await import("../zk/build.js");
    // Cooperative: the provers prove units of T / K slots (the unit circuit).
    const circ = devnetCircuit({ T: s.circuit.T, D: s.circuit.D, design: s.design, units: s.units });
    const build = await buildCircuit({ T: circ.T, D: circ.D, kind: circ.kind });
    if (!o.noCompile) {
      const hre = (await import("hardhat")).default;
      await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    }

    // 2. The network: own node, a fork, or a running node, with the recorder in front of it (every L1 client of the
    // run goes through it); the contracts deployed with the scenario's parameters or attached; the agents with
    // their strategies (src/scenario/strategies.ts) as hooks over the Rollup's clock.
    let recorder: Recorder | undefined;
    const N = s.sequencers.length;
    const M = s.provers.length;
    const coop = s.design === "cooperative";
    const spec: NetworkSpec = {
      circuit: { T: s.circuit.T, D: s.circuit.D, build },
      ...(coop ? { design: "cooperative" as const, units: s.units } : {}),
      l1: {
        rpc: o.rpc, fork: o.fork, forkBlock: o.forkBlock, topUpDevAccounts: true,
        spawn: o.rpc || o.fork ? undefined : s.l1.node,
        proxy: o.record === false ? undefined : async (nodeUrl) => (recorder = await startRecorder(nodeUrl)),
      },
      contracts: {
        attach: o.rollup,
        params: {
          proposalBlocks: BigInt(s.params.proposalBlocks), revealBlocks: BigInt(s.params.revealBlocks), commitBlocks: BigInt(s.params.commitBlocks),
          provingWindow: BigInt(s.params.provingWindow), lateWindow: BigInt(s.params.lateWindow), proverDeposit: s.params.proverDeposit,
          blockReward: s.params.blockReward, submissionReward: s.params.submissionReward,
        },
      },
      accounts: s.load.accounts,
      sequencers: s.sequencers.map((q) => ({
        name: q.name, vrfSeed: `scenario-${q.name}`, stake: q.stake,
        options: (clock: Clock) => {
          const h = sequencerHooks(q, clock);
          return { noRevealAt: h.noRevealAt, offline: h.offline, feeSplitBps: h.feeSplitBps, proverTip: h.proverTip };
        },
      })),
      provers: s.provers.map((p) => ({
        name: p.name,
        options: (clock: Clock) => {
          const h = proverHooks(p, clock);
          return { price: h.price, withholdAt: h.withholdAt, invalidProofAt: h.invalidProofAt, offline: h.offline };
        },
        // Cooperative: the cooperative prover agent's options (the Sidecar ones above are then unused).
        ...(coop ? { cooperative: (clock: Clock) => cooperativeProverHooks(p, clock) } : {}),
      })),
      aggregator: s.aggregator
        ? { params: { verifyWindow: BigInt(s.aggregator.verifyWindow), postBond: s.aggregator.postBond }, minBatch: s.aggregator.minBatch, pollMs: AGENT_DEFAULTS.aggregatorPollMs }
        : undefined,
      blockTimeMs: s.l1.blockTimeMs,
      pollMs: AGENT_DEFAULTS.pollMs,
      txGenerator: { ratePerSecond: s.load.txRate, random: seededRandom(s.seed) },
      log,
      onStage: (e) => {
        if (e.stage === "spawning") say(o.fork ? `starting a Hardhat node forking ${o.fork}${o.forkBlock !== undefined ? ` at block ${o.forkBlock}` : ""}` : `starting ${s.l1.node === "anvil" ? "anvil" : "a Hardhat node"}`);
        else if (e.stage === "deploying") say(`deploying on chain ${e.chainId} (${mode}) from block ${e.startBlock}: ${s.design} design${coop ? ` (K = ${s.units})` : ""}, ${N} sequencers, ${M} provers${s.aggregator ? ", aggregator" : ""}`);
        else {
          const offset = e.clock.heightOffset ?? 0;
          if (offset) say(`attached to rollup ${e.deployment.rollup}: scenario height 1 is Rollup height ${offset + 1}`);
          say(`rollup ${e.deployment.rollup}; height 1 opens at L1 block ${e.deployment.config.genesisBlock}; one L1 block every ${s.l1.blockTimeMs} ms`);
        }
      },
    };
    try {
      net = await startNetwork(spec);
    } catch (e) {
      throw asScenarioError(e);
    }
    const { direct, deployment: d, actors, startBlock, chainId, l1Url } = net;
    const heightOffset = net.clock.heightOffset ?? 0;
    const gen = net.txGenerator;

    // 3. Until every height up to stop.heights is settled, or the limits.
    const client = net.client;
    const lastTimeline = await client.timeline(BigInt(s.stop.heights + heightOffset));
    const deadline = started + s.stop.timeoutSeconds * 1000;
    const maxBlock = Number(d.config.genesisBlock) + s.stop.maxL1Blocks;
    let lastHead = -1;
    let endReason = "";
    const settled = new Set<number>();
    // L1 faults: each reorg fires once, when the head reaches its block (l1.reorgs).
    const cfg = d.config;
    const phaseOffset = { proposal: 0n, reveal: cfg.proposalBlocks, commit: cfg.proposalBlocks + cfg.revealBlocks, proving: cfg.proposalBlocks + cfg.revealBlocks + cfg.commitBlocks };
    const reorgPlan = s.l1.reorgs.map((x) => ({ ...x, at: proposalStart(net!.clock, x.height) + Number(phaseOffset[x.phase]) + x.offset }));
    if (reorgPlan.length && !net.l1Node.caps.reorg) throw new ScenarioError("$.l1.reorgs", `the L1 node (${net.l1Node.caps.kind}) cannot reorg (no anvil_reorg)`);
    const l1Reorgs: L1ReorgFigure[] = [];
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
      for (const x of reorgPlan.filter((y) => head >= y.at)) {
        reorgPlan.splice(reorgPlan.indexOf(x), 1);
        await net.l1Node.reorg(x.depth);
        l1Reorgs.push({ height: x.height, phase: x.phase, atBlock: head, depth: x.depth });
        say(`L1 reorg: the last ${x.depth} blocks up to ${head} replaced (height ${x.height}, ${x.phase} phase + ${head - x.at + x.offset})`);
        log.warn("injected an L1 reorg", { depth: x.depth, head, height: x.height, phase: x.phase });
      }
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

    // 4. Stop the agents, then freeze the chain (no more blocks) and compute the figures from L1.
    await net.stopAgents();
    // On the node directly (not through the recorder): the run is over.
    const directNode = new L1Node(direct, net.l1Node.caps, log);
    await directNode.setIntervalMining(0).catch(() => false);
    const endBlock = await direct.getBlockNumber();
    const names = new Map<string, string>();
    names.set(actors.deployer.address.toLowerCase(), "deployer");
    for (const q of actors.sequencers) names.set(q.wallet.address.toLowerCase(), q.name);
    for (const p of actors.provers) names.set(p.wallet.address.toLowerCase(), p.name);
    if (s.aggregator) names.set(actors.aggregator.address.toLowerCase(), "aggregator");
    const actorList: ScenarioFigures["actors"] = [
      ...s.sequencers.map((q, i) => ({ name: q.name, role: "sequencer" as const, address: actors.sequencers[i]!.wallet.address, strategy: strategyText(q.strategies) })),
      ...s.provers.map((p, i) => ({ name: p.name, role: "prover" as const, address: actors.provers[i]!.wallet.address, strategy: `${strategyText(p.strategies)}; ${coop ? feeBurnText(p) : `price ${fmt(p.price)}, cost ${fmt(p.cost)}`}` })),
      ...(s.aggregator ? [{ name: "aggregator", role: "aggregator" as const, address: actors.aggregator.address, strategy: `honest; challenges invalid posts; minBatch ${s.aggregator.minBatch}` }] : []),
      { name: "deployer", role: "user" as const, address: actors.deployer.address, strategy: `deploys, funds the reward pool; ${s.load.accounts} L2 accounts, ${s.load.txRate} tx/s` },
    ];
    const deployment = { rollup: d.rollup, staking: d.staking, token: d.token, verifier: d.verifier, aggregator: d.aggregator, deployBlock: d.deployBlock, genesisBlock: Number(d.config.genesisBlock) };
    const meta: RunMeta = {
      scenario: s, mode, l1Url, forkUrl: o.fork, forkBlock: o.forkBlock, chainId: chainId.toString(), deployment, startBlock, endBlock, heightOffset,
      names: Object.fromEntries(names), actors: actorList, l1Reorgs,
      l2Dropped: droppedTransfers(net, gen.stats.txIds),
    };
    const figures = await figuresOf(direct, meta, { startedAt, wallSeconds: (Date.now() - started) / 1000 });
    figures.params.endReason = endReason;
    writeFileSync(join(outDir, "run.json"), toJson(meta));
    let logPath: string | undefined;
    if (recorder) {
      logPath = join(outDir, "l1-log.json");
      writeFileSync(logPath, toJson(await (recorder as Recorder).log({ rollup: d.rollup, endBlock })));
    }
    await writeOutputs(outDir, figures);
    // A node we did not start is given back mining on demand (automine), as a fresh Hardhat node is.
    if (o.rpc) await directNode.setAutomine(true).catch(() => false);
    return { figures, passed: figures.expectations.every((e) => e.passed), outDir, meta, logPath };
  } finally {
    // Agents first, then the providers, the recorder and the node (the network's order); closes the prover workers.
    if (net) await net.stop();
    else {
      const { closeProver } = await import("../zk/prover.js");
      await closeProver().catch(() => {});
    }
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
    scenario: s.name, description: s.description, design: c.design, mode: run.mode ?? meta.mode, l1Url: run.l1Url ?? meta.l1Url,
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
    l2: await l2Figure(provider, meta), l1Reorgs: meta.l1Reorgs,
    ...(c.cooperative ? { cooperative: c.cooperative } : {}),
  };
  figures.expectations = evaluate(s.expect, figures, meta.heightOffset ?? 0);
  return figures;
}

const totalOf = (st: L2State) => st.accountIndices().reduce((sum, i) => sum + st.getAccount(i)!.balance, 0n);

/** The L2 value at the last finalized height, rebuilt from L1 (genesis + the winners' revealed pubdata). */
async function l2Figure(provider: JsonRpcProvider, meta: RunMeta): Promise<L2Figure> {
  await initL2();
  const s = meta.scenario;
  const genesis = stateFromGenesis(devGenesis(s.load.accounts, 1_000_000_000n), s.circuit.D);
  const client = new RollupClient(meta.deployment.rollup, provider);
  const fin = await client.lastFinalized();
  const chain = new L2Chain(client, genesis);
  const state = await chain.stateAt(fin);
  // Fees leave the L2 ledger (the sequencer and prover are paid on L1): the canonical blocks' fees, from their pubdata.
  let fees = 0n;
  let transfers = 0;
  for (let h = fin; h > 0n; ) {
    const b = await chain.blockAt(h);
    for (const slot of decodePubdata(Uint8Array.from(Buffer.from(b.pubdata.slice(2), "hex")))) {
      if (isNoop(slot)) continue;
      fees += slot.fee;
      transfers++;
    }
    h = b.parent;
  }
  return {
    finalizedHeight: Number(fin), genesisTotal: totalOf(genesis).toString(), finalizedTotal: totalOf(state).toString(), fees: fees.toString(),
    finalizedTransfers: transfers, dropped: meta.l2Dropped,
  };
}

/** Transfers of the generator that every sequencer tracking them dropped for good (none re-accepted them). */
function droppedTransfers(net: Network, txIds: readonly string[]): number {
  return txIds.filter((id) => {
    const st = net.sequencers.map((q) => q.txStatus(id as Parameters<typeof q.txStatus>[0])).filter((x) => x !== undefined);
    return st.length > 0 && st.every((x) => x === "dropped");
  }).length;
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
    name: s.name, description: s.description, design: s.design ?? "sidecar", ...(s.units !== undefined ? { units: s.units } : {}), seed: s.seed, circuit: s.circuit, params: s.params, l1: s.l1, load: s.load,
    sequencers: s.sequencers.map((q) => Object.fromEntries(Object.entries({ name: q.name, stake: q.stake, feeSplitBps: q.feeSplitBps === undefined ? undefined : Number(q.feeSplitBps), proverTip: q.proverTip, strategy: strat(q.strategies as never) }).filter(([, y]) => y !== undefined))),
    provers: s.provers.map((p) => ({
      name: p.name, price: p.strategies.some((x) => x.kind === "belowCost") ? undefined : p.price, cost: p.cost, strategy: strat(p.strategies as never),
      feeBurnBps: p.feeBurnBps, feeBurnStrategy: p.feeBurnStrategy, rescue: p.rescue,
    })).map((p) => Object.fromEntries(Object.entries(p).filter(([, y]) => y !== undefined))),
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
    provider = await connectL1(url, AGENT_DEFAULTS.pollMs);
    const l1Node = await L1Node.connect(provider, { log });
    await l1Node.setIntervalMining(0).catch(() => false);
    await l1Node.setAutomine(false).catch(() => false);
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
