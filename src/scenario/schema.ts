/**
 * Scenario files: JSON that sets up actors (sequencers, provers, an aggregator), their stakes and strategies, the
 * transaction load, the protocol parameters, when to stop, and the expectations checked at the end.
 * `parseScenario` validates everything before anything is started and throws a `ScenarioError` naming the JSON path
 * of the first problem (`$.provers[1].strategy.heights[0]: must be an integer >= 1`). See docs/scenarios.md.
 */
import { readFileSync } from "node:fs";
import { FernetError } from "../errors.js";
import { DEVNET_DEFAULTS, SCENARIO_DEFAULTS as DEF } from "../defaults.js";
import { BPS, E18, MAX_PHASE_BLOCKS, proverDepositFits } from "../protocol.js";

export class ScenarioError extends FernetError<"BAD_SCENARIO"> {
  /** JSON path of the offending value (`$` is the document). */
  readonly path: string;
  constructor(path: string, message: string) {
    super("BAD_SCENARIO", `${path}: ${message}`);
    this.path = path;
  }
}

/** An L1-block or L2-height window [from, to) in which an actor is offline. `to` omitted: never comes back. */
export interface OfflineWindow {
  unit: "l1Block" | "height";
  from: number;
  to?: number;
}

export type SequencerStrategy =
  | { kind: "honest" }
  | { kind: "noReveal"; heights?: number[] }
  | { kind: "offline"; windows: OfflineWindow[] };

export type ProverStrategy =
  | { kind: "honest" }
  | { kind: "withhold"; heights?: number[] }
  | { kind: "invalidProof"; heights?: number[] }
  | { kind: "belowCost"; price: bigint }
  | { kind: "offline"; windows: OfflineWindow[] };

export interface SequencerSpec {
  name: string;
  /** Stake in token wei (>= the Staking minimum, 1000 tokens). */
  stake: bigint;
  feeSplitBps?: bigint;
  /** proverTip, also the highest price it accepts from a quote. */
  proverTip?: bigint;
  strategies: SequencerStrategy[];
}

export interface ProverSpec {
  name: string;
  /** Price quoted (token wei). */
  price: bigint;
  /** What a proof costs this prover (token wei): the report compares it with what it earned. */
  cost: bigint;
  strategies: ProverStrategy[];
  /** Cooperative: FEE_BURN bound into its unit proofs, basis points (default 0; "fixed" only). */
  feeBurnBps?: number;
  /** Cooperative: "fixed" (default) or "min-to-displace" (0 while a slot is free, else the least FEE_BURN that displaces the lowest entry). */
  feeBurnStrategy?: "fixed" | "min-to-displace";
  /** Cooperative: prove units nobody proved by the deadline (a rescue; default true). */
  rescue?: boolean;
}

/** The proving design the scenario's deployment runs (docs/cooperative.md). */
export type Design = "sidecar" | "cooperative";

export type Expectation =
  | { kind: "finalized"; height: number }
  | { kind: "reorged"; height: number }
  | { kind: "skipped"; height: number }
  | { kind: "finalizedAtLeast"; count: number }
  | { kind: "reorgsAtLeast"; count: number }
  | { kind: "noReorgs" }
  | { kind: "slashed"; actor: string; amount?: bigint }
  | { kind: "notSlashed"; actor: string }
  | { kind: "rewardAtLeast"; actor: string; amount: bigint }
  | { kind: "noReward"; actor: string }
  | { kind: "challenged"; actor: string }
  | { kind: "provedAtLeast"; actor: string; count: number }
  | { kind: "maxMedianLatency"; blocks: number }
  | { kind: "l2Conserved" }
  | { kind: "l1ReorgsAtLeast"; count: number }
  // Cooperative only (from UnitProofAccepted / UnitProofPaid / UnitsSettled / BondSettled).
  | { kind: "unitProofsAtLeast"; actor: string; count: number }
  | { kind: "noUnitProofs"; actor: string; heights?: number[] }
  | { kind: "paidProofsAtLeast"; actor: string; count: number }
  | { kind: "rescued"; height: number }
  | { kind: "burntAtLeast"; actor?: string; amount: bigint };

/** Expectations that read the Cooperative design's unit events: refused in a Sidecar scenario. */
export const COOPERATIVE_EXPECTATIONS: readonly Expectation["kind"][] = ["unitProofsAtLeast", "noUnitProofs", "paidProofsAtLeast", "rescued", "burntAtLeast"];

/**
 * An L1 fault: when the head reaches `offset` blocks into `phase` of `height`, the last `depth` L1 blocks are
 * replaced (anvil_reorg: the node mines as many new blocks without the transactions they held).
 */
export interface L1Reorg {
  height: number;
  phase: "proposal" | "reveal" | "commit" | "proving";
  offset: number;
  depth: number;
}

export interface Scenario {
  name: string;
  description?: string;
  /** The proving design of the deployment (default sidecar). */
  design: Design;
  /** Cooperative: K, units per block (divides circuit.T); undefined for Sidecar. */
  units?: number;
  /** Seed of the transaction generator (amounts, fees). */
  seed: number;
  circuit: { T: number; D: number };
  /** Rollup parameters (L1 blocks / token wei). */
  params: {
    proposalBlocks: number;
    revealBlocks: number;
    commitBlocks: number;
    provingWindow: number;
    lateWindow: number;
    proverDeposit: bigint;
    blockReward: bigint;
    submissionReward: bigint;
  };
  /** `node`: the node spawned for the run (anvil can reorg); `reorgs`: L1 reorgs injected during the run. */
  l1: { blockTimeMs: number; node: "hardhat" | "anvil"; reorgs: L1Reorg[] };
  load: { accounts: number; txRate: number };
  sequencers: SequencerSpec[];
  provers: ProverSpec[];
  /** Batch path (ProofAggregator + aggregator agent). */
  aggregator?: { minBatch: number; verifyWindow: number; postBond: bigint };
  /** The run ends when every height up to `heights` is settled (finalized, reorged or skipped), or at the limits. */
  stop: { heights: number; maxL1Blocks: number; timeoutSeconds: number };
  expect: Expectation[];
}

// ---------------------------------------------------------------------------------------------- amounts

/**
 * Token amounts: a decimal integer string of wei ("1500000000000000000"), a scientific string with a decimal
 * mantissa ("1.5e18", "1000e18"), or a safe integer number of wei. The result must be a whole number of wei.
 */
export function parseAmount(v: unknown, path: string): bigint {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0) throw new ScenarioError(path, `must be a non-negative integer of wei or a string like "100e18", got ${v}`);
    return BigInt(v);
  }
  if (typeof v !== "string") throw new ScenarioError(path, `must be an amount (string like "100e18" or "1000000"), got ${typeName(v)}`);
  const m = /^([0-9]+)(?:\.([0-9]+))?(?:[eE]([0-9]{1,3}))?$/.exec(v.trim());
  if (!m) throw new ScenarioError(path, `must be an amount like "100e18", "0.5e18" or "1000000", got "${v}"`);
  const int = m[1]!;
  const frac = m[2] ?? "";
  const exp = Number(m[3] ?? "0");
  if (frac.length > exp) throw new ScenarioError(path, `"${v}" is not a whole number of wei`);
  return BigInt(int + frac.padEnd(exp, "0").slice(0, exp)) * 1n;
}

/** Token amount in whole tokens for messages ("100", "0.5"). */
export function formatTokens(wei: bigint): string {
  const neg = wei < 0n;
  const a = neg ? -wei : wei;
  const i = a / E18;
  const f = (a % E18).toString().padStart(18, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${i}${f ? "." + f : ""}`;
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

// ---------------------------------------------------------------------------------------------- readers

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ScenarioError(path, `must be an object, got ${typeName(v)}`);
  return v as Obj;
}

function only(o: Obj, path: string, keys: string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new ScenarioError(`${path}.${k}`, `unknown field (allowed: ${keys.join(", ")})`);
  }
}

function int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ScenarioError(path, `must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function num(v: unknown, path: string, min: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) throw new ScenarioError(path, `must be a number >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function str(v: unknown, path: string, re?: RegExp, what?: string): string {
  if (typeof v !== "string" || v.length === 0) throw new ScenarioError(path, `must be a non-empty string, got ${typeName(v)}`);
  if (re && !re.test(v)) throw new ScenarioError(path, `${what ?? `must match ${re}`}, got "${v}"`);
  return v;
}

function opt<T>(o: Obj, k: string, path: string, read: (v: unknown, p: string) => T, def: T): T {
  return o[k] === undefined ? def : read(o[k], `${path}.${k}`);
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ScenarioError(path, `must be an array, got ${typeName(v)}`);
  return v;
}

function heights(v: unknown, path: string): number[] {
  const a = arr(v, path).map((x, i) => int(x, `${path}[${i}]`, 1));
  if (a.length === 0) throw new ScenarioError(path, "must list at least one height (omit it for every height)");
  return a;
}

function windows(v: unknown, path: string): OfflineWindow[] {
  const a = arr(v, path);
  if (a.length === 0) throw new ScenarioError(path, "must list at least one window");
  return a.map((x, i) => {
    const p = `${path}[${i}]`;
    const w = obj(x, p);
    only(w, p, ["unit", "from", "to"]);
    const unit = w.unit === undefined ? "height" : w.unit;
    if (unit !== "height" && unit !== "l1Block") throw new ScenarioError(`${p}.unit`, `must be "height" or "l1Block", got ${JSON.stringify(unit)}`);
    const from = int(w.from, `${p}.from`, unit === "height" ? 1 : 0);
    const to = w.to === undefined ? undefined : int(w.to, `${p}.to`, from + 1);
    return { unit, from, to };
  });
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const NAME_MSG = "must be a name of letters, digits, - and _ (starting with a letter, at most 32)";

/** Strategies are a string ("honest", "withhold", ...), an object with `kind`, or an array of those. */
function strategyList(v: unknown, path: string): Obj[] {
  if (v === undefined) return [{ kind: "honest" }];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x, i) => {
    const p = Array.isArray(v) ? `${path}[${i}]` : path;
    if (typeof x === "string") return { kind: x, __path: p };
    return { ...obj(x, p), __path: p };
  });
}

/** The strategies sequencers and provers share (honest, offline); undefined for any other kind. */
function sharedStrategy(s: Obj, p: string): { kind: "honest" } | { kind: "offline"; windows: OfflineWindow[] } | undefined {
  switch (s.kind) {
    case "honest":
      only(s, p, ["kind"]);
      return { kind: "honest" };
    case "offline":
      only(s, p, ["kind", "windows"]);
      return { kind: "offline", windows: windows(s.windows, `${p}.windows`) };
    default:
      return undefined;
  }
}

/** Takes the JSON path that strategyList attached to a strategy object. */
function pathOf(s: Obj): string {
  const p = s.__path as string;
  delete s.__path;
  return p;
}

function sequencerStrategy(s: Obj): SequencerStrategy {
  const p = pathOf(s);
  const shared = sharedStrategy(s, p);
  if (shared) return shared;
  if (s.kind === "noReveal") {
    only(s, p, ["kind", "heights"]);
    return { kind: "noReveal", heights: opt(s, "heights", p, heights, undefined) };
  }
  throw new ScenarioError(typeof s.kind === "string" ? p : `${p}.kind`, `unknown sequencer strategy ${JSON.stringify(s.kind)} (honest, noReveal, offline)`);
}

function proverStrategy(s: Obj): ProverStrategy {
  const p = pathOf(s);
  const shared = sharedStrategy(s, p);
  if (shared) return shared;
  switch (s.kind) {
    case "withhold":
    case "invalidProof":
      only(s, p, ["kind", "heights"]);
      return { kind: s.kind, heights: opt(s, "heights", p, heights, undefined) };
    case "belowCost":
      only(s, p, ["kind", "price"]);
      return { kind: "belowCost", price: s.price === undefined ? DEF.belowCostPrice : parseAmount(s.price, `${p}.price`) };
    default:
      throw new ScenarioError(typeof s.kind === "string" ? p : `${p}.kind`, `unknown prover strategy ${JSON.stringify(s.kind)} (honest, withhold, invalidProof, belowCost, offline)`);
  }
}

function expectation(v: unknown, path: string, actors: Set<string>): Expectation {
  const e = obj(v, path);
  const actor = (): string => {
    const a = str(e.actor, `${path}.actor`);
    if (!actors.has(a)) throw new ScenarioError(`${path}.actor`, `no actor named "${a}" (actors: ${[...actors].join(", ")})`);
    return a;
  };
  switch (e.kind) {
    case "finalized":
    case "reorged":
    case "skipped":
      only(e, path, ["kind", "height"]);
      return { kind: e.kind, height: int(e.height, `${path}.height`, 1) };
    case "finalizedAtLeast":
    case "reorgsAtLeast":
      only(e, path, ["kind", "count"]);
      return { kind: e.kind, count: int(e.count, `${path}.count`, 1) };
    case "noReorgs":
      only(e, path, ["kind"]);
      return { kind: "noReorgs" };
    case "slashed":
      only(e, path, ["kind", "actor", "amount"]);
      return { kind: "slashed", actor: actor(), amount: e.amount === undefined ? undefined : parseAmount(e.amount, `${path}.amount`) };
    case "notSlashed":
    case "noReward":
    case "challenged":
      only(e, path, ["kind", "actor"]);
      return { kind: e.kind, actor: actor() };
    case "rewardAtLeast":
      only(e, path, ["kind", "actor", "amount"]);
      return { kind: "rewardAtLeast", actor: actor(), amount: parseAmount(e.amount, `${path}.amount`) };
    case "provedAtLeast":
      only(e, path, ["kind", "actor", "count"]);
      return { kind: "provedAtLeast", actor: actor(), count: int(e.count, `${path}.count`, 1) };
    case "maxMedianLatency":
      only(e, path, ["kind", "blocks"]);
      return { kind: "maxMedianLatency", blocks: int(e.blocks, `${path}.blocks`, 1) };
    case "l2Conserved":
      only(e, path, ["kind"]);
      return { kind: "l2Conserved" };
    case "l1ReorgsAtLeast":
      only(e, path, ["kind", "count"]);
      return { kind: "l1ReorgsAtLeast", count: int(e.count, `${path}.count`, 1) };
    case "unitProofsAtLeast":
    case "paidProofsAtLeast":
      only(e, path, ["kind", "actor", "count"]);
      return { kind: e.kind, actor: actor(), count: int(e.count, `${path}.count`, 1) };
    case "noUnitProofs":
      only(e, path, ["kind", "actor", "heights"]);
      return { kind: "noUnitProofs", actor: actor(), heights: opt(e, "heights", path, heights, undefined) };
    case "rescued":
      only(e, path, ["kind", "height"]);
      return { kind: "rescued", height: int(e.height, `${path}.height`, 1) };
    case "burntAtLeast":
      only(e, path, ["kind", "actor", "amount"]);
      return { kind: "burntAtLeast", actor: e.actor === undefined ? undefined : actor(), amount: parseAmount(e.amount, `${path}.amount`) };
    default:
      throw new ScenarioError(`${path}.kind`, `unknown expectation ${JSON.stringify(e.kind)} (finalized, reorged, skipped, finalizedAtLeast, reorgsAtLeast, noReorgs, slashed, notSlashed, rewardAtLeast, noReward, challenged, provedAtLeast, maxMedianLatency, l2Conserved, l1ReorgsAtLeast, unitProofsAtLeast, noUnitProofs, paidProofsAtLeast, rescued, burntAtLeast)`);
  }
}

/**
 * Actors: either a count (`"sequencers": 2`, all honest with defaults) or an array of objects. Names default to
 * seq-1.. / prover-1...
 */
function actorList(v: unknown, path: string, prefix: string, min: number): { o: Obj; p: string; name: string }[] {
  if (typeof v === "number") {
    const n = int(v, path, min, 16);
    return Array.from({ length: n }, (_, i) => ({ o: {}, p: `${path}[${i}]`, name: `${prefix}-${i + 1}` }));
  }
  const a = arr(v, path);
  if (a.length < min || a.length > 16) throw new ScenarioError(path, `must have between ${min} and 16 entries, got ${a.length}`);
  return a.map((x, i) => {
    const p = `${path}[${i}]`;
    const o = obj(x, p);
    return { o, p, name: o.name === undefined ? `${prefix}-${i + 1}` : str(o.name, `${p}.name`, NAME, NAME_MSG) };
  });
}

/** Validates a parsed scenario document. Throws ScenarioError (with the JSON path) on the first problem. */
export function validateScenario(doc: unknown, fallbackName = "scenario"): Scenario {
  const d = obj(doc, "$");
  only(d, "$", ["$schema", "name", "description", "design", "units", "seed", "circuit", "params", "l1", "load", "sequencers", "provers", "aggregator", "stop", "expect"]);
  const design = opt(d, "design", "$", (v, p) => {
    if (v !== "sidecar" && v !== "cooperative") throw new ScenarioError(p, `must be "sidecar" or "cooperative", got ${JSON.stringify(v)}`);
    return v;
  }, "sidecar" as Design);
  const coop = design === "cooperative";
  const name = d.name === undefined ? fallbackName : str(d.name, "$.name", NAME, NAME_MSG);
  const description = d.description === undefined ? undefined : str(d.description, "$.description");
  const seed = opt(d, "seed", "$", (v, p) => int(v, p, 0), DEF.seed);

  const c = d.circuit === undefined ? {} : obj(d.circuit, "$.circuit");
  only(c, "$.circuit", ["T", "D"]);
  const circuit = { T: opt(c, "T", "$.circuit", (v, p) => int(v, p, 1, 64), DEF.T), D: opt(c, "D", "$.circuit", (v, p) => int(v, p, 2, 32), DEF.D) };
  let units: number | undefined;
  if (d.units !== undefined && !coop) throw new ScenarioError("$.units", 'units split a block for the cooperative design only: set "design": "cooperative"');
  if (coop) {
    units = opt(d, "units", "$", (v, p) => int(v, p, 1, 32), DEVNET_DEFAULTS.cooperativeUnits);
    if (circuit.T % units !== 0) throw new ScenarioError(d.units === undefined ? "$.circuit.T" : "$.units", `units (K = ${units}) must divide circuit.T = ${circuit.T}`);
  }

  const pr = d.params === undefined ? {} : obj(d.params, "$.params");
  only(pr, "$.params", ["proposalBlocks", "revealBlocks", "commitBlocks", "phaseBlocks", "provingWindow", "lateWindow", "proverDeposit", "blockReward", "submissionReward"]);
  const phase = opt(pr, "phaseBlocks", "$.params", (v, p) => int(v, p, 1, 1000), DEF.phaseBlocks);
  const blocks = (k: string, def: number, min: number, max = 100_000) => opt(pr, k, "$.params", (v, p) => int(v, p, min, max), def);
  const params = {
    // Phase lengths live in 16 bits on chain (ConfigLib.Hot).
    proposalBlocks: blocks("proposalBlocks", phase, 1, MAX_PHASE_BLOCKS),
    revealBlocks: blocks("revealBlocks", phase, 1, MAX_PHASE_BLOCKS),
    commitBlocks: blocks("commitBlocks", phase, 1, MAX_PHASE_BLOCKS),
    provingWindow: blocks("provingWindow", DEF.provingWindow, 1),
    lateWindow: blocks("lateWindow", DEF.lateWindow, 1),
    proverDeposit: opt(pr, "proverDeposit", "$.params", parseAmount, DEF.proverDeposit),
    blockReward: opt(pr, "blockReward", "$.params", parseAmount, DEF.blockReward),
    submissionReward: opt(pr, "submissionReward", "$.params", parseAmount, DEF.submissionReward),
  };
  if (params.proverDeposit > 5_000n * E18) throw new ScenarioError("$.params.proverDeposit", "must be at most 5000e18 (each actor is funded with 10 000 tokens)");
  if (!proverDepositFits(params.proverDeposit)) throw new ScenarioError("$.params.proverDeposit", "must have at most 16 significant digits (the Rollup keeps it as m x 10^e, m < 2^56)");

  const l = d.l1 === undefined ? {} : obj(d.l1, "$.l1");
  only(l, "$.l1", ["blockTimeMs", "node", "reorgs"]);
  const node = opt(l, "node", "$.l1", (v, p) => {
    if (v !== "hardhat" && v !== "anvil") throw new ScenarioError(p, `must be "hardhat" or "anvil", got ${JSON.stringify(v)}`);
    return v;
  }, "hardhat" as "hardhat" | "anvil");
  const reorgs = l.reorgs === undefined ? [] : arr(l.reorgs, "$.l1.reorgs").map((x, i) => {
    const p = `$.l1.reorgs[${i}]`;
    const o = obj(x, p);
    only(o, p, ["height", "phase", "offset", "depth"]);
    const phase = str(o.phase, `${p}.phase`);
    if (!["proposal", "reveal", "commit", "proving"].includes(phase)) throw new ScenarioError(`${p}.phase`, `must be proposal, reveal, commit or proving, got "${phase}"`);
    return {
      height: int(o.height, `${p}.height`, 1), phase: phase as L1Reorg["phase"],
      offset: opt(o, "offset", p, (v, q) => int(v, q, 0, 100_000), 0), depth: int(o.depth, `${p}.depth`, 1, 64),
    };
  });
  if (reorgs.length && node !== "anvil") throw new ScenarioError("$.l1.reorgs", 'L1 reorgs need a node that can reorg: set "node": "anvil"');
  const l1 = { blockTimeMs: opt(l, "blockTimeMs", "$.l1", (v, p) => int(v, p, 100, 60_000), DEF.blockTimeMs), node, reorgs };

  const ld = d.load === undefined ? {} : obj(d.load, "$.load");
  only(ld, "$.load", ["accounts", "txRate"]);
  const load = {
    accounts: opt(ld, "accounts", "$.load", (v, p) => int(v, p, 2, 2 ** circuit.D - 1), DEF.accounts),
    txRate: opt(ld, "txRate", "$.load", (v, p) => num(v, p, 0), DEF.txRate),
  };

  const names = new Set<string>();
  const claim = (n: string, p: string) => {
    if (names.has(n)) throw new ScenarioError(p, `duplicate actor name "${n}"`);
    names.add(n);
  };

  if (d.sequencers === undefined) throw new ScenarioError("$.sequencers", "is required (a count or a list of sequencers)");
  const sequencers: SequencerSpec[] = actorList(d.sequencers, "$.sequencers", "seq", 1).map(({ o, p, name }) => {
    only(o, p, ["name", "stake", "feeSplitBps", "proverTip", "strategy"]);
    claim(name, `${p}.name`);
    const stake = opt(o, "stake", p, parseAmount, DEF.sequencerStake);
    if (stake < DEF.sequencerStake) throw new ScenarioError(`${p}.stake`, `must be at least the minimum sequencer stake ${formatTokens(DEF.sequencerStake)}e18, got ${formatTokens(stake)} tokens`);
    if (stake > 1_000_000n * E18) throw new ScenarioError(`${p}.stake`, "must be at most 1000000e18");
    return {
      name, stake,
      feeSplitBps: o.feeSplitBps === undefined ? undefined : BigInt(int(o.feeSplitBps, `${p}.feeSplitBps`, 0, Number(BPS))),
      proverTip: o.proverTip === undefined ? undefined : parseAmount(o.proverTip, `${p}.proverTip`),
      strategies: strategyList(o.strategy, `${p}.strategy`).map(sequencerStrategy),
    };
  });

  const aggregatorOn = d.aggregator !== undefined && d.aggregator !== false;
  const provers: ProverSpec[] = (d.provers === undefined ? [] : actorList(d.provers, "$.provers", "prover", 0)).map(({ o, p, name }, i) => {
    only(o, p, ["name", "price", "cost", "strategy", "feeBurnBps", "feeBurnStrategy", "rescue"]);
    claim(name, `${p}.name`);
    for (const k of ["feeBurnBps", "feeBurnStrategy", "rescue"]) {
      if (o[k] !== undefined && !coop) throw new ScenarioError(`${p}.${k}`, 'is a cooperative prover field: set "design": "cooperative"');
    }
    const feeBurnStrategy = opt(o, "feeBurnStrategy", p, (v, q) => {
      if (v !== "fixed" && v !== "min-to-displace") throw new ScenarioError(q, `must be "fixed" or "min-to-displace", got ${JSON.stringify(v)}`);
      return v;
    }, undefined as "fixed" | "min-to-displace" | undefined);
    const feeBurnBps = opt(o, "feeBurnBps", p, (v, q) => int(v, q, 0, Number(BPS)), undefined as number | undefined);
    if (feeBurnBps !== undefined && feeBurnStrategy === "min-to-displace") throw new ScenarioError(`${p}.feeBurnBps`, "min-to-displace chooses its FEE_BURN per unit: feeBurnBps is for the fixed strategy");
    const rescue = opt(o, "rescue", p, (v, q) => {
      if (typeof v !== "boolean") throw new ScenarioError(q, `must be true or false, got ${JSON.stringify(v)}`);
      return v;
    }, undefined as boolean | undefined);
    const strategies = strategyList(o.strategy, `${p}.strategy`).map(proverStrategy);
    const below = strategies.find((s) => s.kind === "belowCost") as { price: bigint } | undefined;
    const price = o.price !== undefined ? parseAmount(o.price, `${p}.price`) : DEF.proverPriceBase + BigInt(i) * DEF.proverPriceStep;
    const cost = opt(o, "cost", p, parseAmount, price);
    if (below && below.price >= cost) throw new ScenarioError(`${p}.strategy`, `belowCost price ${formatTokens(below.price)} must be below the prover's cost ${formatTokens(cost)}`);
    for (const s of strategies) {
      if (s.kind === "belowCost" && coop) {
        throw new ScenarioError(`${p}.strategy`, "belowCost is a Sidecar strategy (a quote in the proof market): cooperative provers are elected, not hired");
      }
      if (s.kind === "invalidProof" && !aggregatorOn && !coop) {
        // Without the batch path an invalid proof is refused by submitProof and never lands: nothing to challenge.
        throw new ScenarioError(`${p}.strategy`, 'invalidProof needs the batch path: set "aggregator": true (proofs are posted unverified, then challenged)');
      }
    }
    return { name, price: below ? below.price : price, cost, strategies, ...(coop ? { feeBurnBps, feeBurnStrategy, rescue } : {}) };
  });

  let aggregator: Scenario["aggregator"];
  if (aggregatorOn && coop) throw new ScenarioError("$.aggregator", "the cooperative design has no ProofAggregator: unit proofs are verified when posted");
  if (aggregatorOn) {
    const a = d.aggregator === true ? {} : obj(d.aggregator, "$.aggregator");
    only(a, "$.aggregator", ["minBatch", "verifyWindow", "postBond"]);
    aggregator = {
      minBatch: opt(a, "minBatch", "$.aggregator", (v, p) => int(v, p, 1, 16), DEF.aggregatorMinBatch),
      verifyWindow: opt(a, "verifyWindow", "$.aggregator", (v, p) => int(v, p, 2, 10_000), DEF.aggregatorVerifyWindow),
      postBond: opt(a, "postBond", "$.aggregator", parseAmount, DEF.aggregatorPostBond),
    };
    names.add("aggregator");
  }

  if (d.stop === undefined) throw new ScenarioError("$.stop", 'is required, e.g. {"heights": 3}');
  const st = obj(d.stop, "$.stop");
  only(st, "$.stop", ["heights", "maxL1Blocks", "timeoutSeconds"]);
  const stop = {
    heights: int(st.heights, "$.stop.heights", 1, 10_000),
    maxL1Blocks: opt(st, "maxL1Blocks", "$.stop", (v, p) => int(v, p, 10), 0),
    timeoutSeconds: opt(st, "timeoutSeconds", "$.stop", (v, p) => int(v, p, 10), DEF.timeoutSeconds),
  };
  const period = params.proposalBlocks + params.revealBlocks + params.commitBlocks;
  // Default limit: every height's whole life (phases, proving and late windows, a reorg hold-off) plus slack.
  if (stop.maxL1Blocks === 0) stop.maxL1Blocks = (stop.heights + 2) * period + params.provingWindow + params.lateWindow + (aggregator?.verifyWindow ?? 0) + 60;
  else if (stop.maxL1Blocks < stop.heights * period) throw new ScenarioError("$.stop.maxL1Blocks", `must be at least heights x period = ${stop.heights * period}`);

  const expect = d.expect === undefined ? [] : arr(d.expect, "$.expect").map((x, i) => expectation(x, `$.expect[${i}]`, names));
  for (const [i, e] of expect.entries()) {
    if ("height" in e && e.height > stop.heights) throw new ScenarioError(`$.expect[${i}].height`, `height ${e.height} is beyond $.stop.heights (${stop.heights}): it would never be settled`);
    if (e.kind === "finalizedAtLeast" && e.count > stop.heights) throw new ScenarioError(`$.expect[${i}].count`, `more than $.stop.heights (${stop.heights}) can never be finalized`);
    if (!coop && COOPERATIVE_EXPECTATIONS.includes(e.kind)) throw new ScenarioError(`$.expect[${i}].kind`, `${e.kind} reads the cooperative design's unit proofs: set "design": "cooperative"`);
    if (coop && e.kind === "challenged") throw new ScenarioError(`$.expect[${i}].kind`, "challenged needs the batch path (aggregator), which the cooperative design does not have");
    if (e.kind === "noUnitProofs") for (const [j, h] of (e.heights ?? []).entries()) {
      if (h > stop.heights) throw new ScenarioError(`$.expect[${i}].heights[${j}]`, `height ${h} is beyond $.stop.heights (${stop.heights})`);
    }
  }

  return { name, description, design, ...(coop ? { units } : {}), seed, circuit, params, l1, load, sequencers, provers, aggregator, stop, expect };
}

/** Reads and validates a scenario file. JSON syntax errors are ScenarioErrors at `$`. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError("$", `cannot read ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError("$", `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const base = file.replace(/^.*[\\/]/, "").replace(/\.json$/, "");
  return validateScenario(doc, NAME.test(base) ? base : "scenario");
}

/** A cooperative prover's FEE_BURN bid and rescue setting, for the report's actor table. */
export function feeBurnText(p: ProverSpec): string {
  const bid = p.feeBurnStrategy === "min-to-displace" ? "FEE_BURN min-to-displace" : `FEE_BURN ${p.feeBurnBps ?? 0} bps fixed`;
  return p.rescue === false ? `${bid}, no rescues` : bid;
}

/** Short text of a strategy list, for the report's actor table. */
export function strategyText(list: readonly (SequencerStrategy | ProverStrategy)[]): string {
  const one = (s: SequencerStrategy | ProverStrategy): string => {
    switch (s.kind) {
      case "honest":
        return "honest";
      case "noReveal":
      case "withhold":
      case "invalidProof":
        return s.heights ? `${s.kind} at heights ${s.heights.join(", ")}` : `${s.kind} (always)`;
      case "belowCost":
        return `belowCost (quotes ${formatTokens(s.price)})`;
      case "offline":
        return `offline ${s.windows.map((w) => `${w.unit === "height" ? "heights" : "L1 blocks"} [${w.from}, ${w.to ?? "end"})`).join(", ")}`;
    }
  };
  return list.map(one).join(" + ");
}
