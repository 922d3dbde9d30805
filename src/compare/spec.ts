/**
 * Comparison files (`npm run compare -- FILE`): one workload (load, sequencers, provers with their capacities, costs
 * and strategies, faults, MEV, prices) and the design variants to run on it with the same seeds. `parseComparison`
 * checks everything before anything runs and throws a `CompareError` naming the JSON path of the first problem.
 * Token amounts are decimal strings in tokens ("0.5" = 5e17 wei). See docs/comparisons.md for every field.
 */
import { readFileSync } from "node:fs";
import { parseUnits } from "ethers";
import { FernetError } from "../errors.js";
import { DESIGN_NAMES, type DesignName } from "./designs.js";

export class CompareError extends FernetError<"BAD_COMPARISON" | "RUN_FAILED"> {
  constructor(code: "BAD_COMPARISON" | "RUN_FAILED", message: string) {
    super(code, message);
  }
}

/** A window of heights [from, to) in which an actor is offline (`to` omitted: never back). */
export interface HeightWindow {
  from: number;
  to?: number;
}

export interface ProverGroup {
  /** Name (a group of count > 1 is named name-1, name-2, ...). */
  name: string;
  count: number;
  /** Proving speed relative to this machine's measured prover (3 = three times faster). */
  speed: number;
  /** Proofs it works on at once. */
  parallel: number;
  /** Sidecar quote price, token wei. */
  price: bigint;
  /** What one proof costs it (electricity, hardware), token wei. */
  costPerProof: bigint;
  /** "honest", or "withhold": commits (Sidecar) and never proves. */
  strategy: "honest" | "withhold";
  offline: HeightWindow[];
  /** Cooperative: FEE_BURN bound into its unit proofs, bps, and how it is chosen. */
  feeBurnBps: bigint;
  feeBurnStrategy: "fixed" | "min-to-displace";
  /** Cooperative: rescue units nobody proved by the deadline. */
  rescue: boolean;
  /** Cooperative: prove a unit with a free slot only if the chance to place in its top 3 is at least this (0: always). */
  minPlaceChance: number;
}

export interface SequencerGroup {
  name: string;
  count: number;
  feeSplitBps: bigint;
  proverTip: bigint;
  proverRewardShareBps: bigint;
  /** "honest", or "noReveal": proposes and never reveals. */
  strategy: "honest" | "noReveal";
  offline: HeightWindow[];
}

export interface Workload {
  /** L2 heights to run (each height is one proposal round). */
  heights: number;
  /** Block size (transfers per block) and tree depth of the circuit the proving time is modelled on. */
  T: number;
  D: number;
  /** Transfers in each block (<= T) and the L2 fee of each (1 fee unit = 1 token wei). */
  transfersPerBlock: number;
  feePerTransfer: bigint;
  /** MEV the winning sequencer of a finalized block captures, token wei (only it; reported as block value). */
  mevPerBlock: bigint;
  sequencers: SequencerGroup[];
  provers: ProverGroup[];
  /** Seconds per L1 block (proving time is converted with it). */
  l1BlockSeconds: number;
  /** Prices that turn gas into tokens: gas price (gwei) and tokens per ETH. */
  gasPriceGwei: number;
  tokensPerEth: number;
  /** Rollup parameters every variant starts from (RollupConfig fields; token amounts in tokens). */
  rollup: Record<string, string | number | boolean>;
}

export interface VariantSpec {
  /** Unique label in the report. */
  label: string;
  design: DesignName;
  description: string;
  /** RollupConfig overrides over the workload's (e.g. { "proverDeposit": "0", "feeSplitScore": false, "units": 2 }). */
  rollup: Record<string, string | number | boolean>;
  /** Sidecar matching: "reputation" (price adjusted by reputation, the agents' default) or "cheapest" (price only). */
  matching: "reputation" | "cheapest";
  /** Set to say why this variant is unsafe under the security fixes (it still runs, labelled). */
  unsafe?: string;
}

export interface RealScale {
  heights: number;
  sequencers: number;
  provers: number;
  T: number;
  D: number;
}

export interface ComparisonSpec {
  name: string;
  description: string;
  seeds: number[];
  workload: Workload;
  variants: VariantSpec[];
  /** Real mode's small network (what fits 2 cores): heights, sequencers, provers, circuit. */
  real: RealScale;
  /** The seeds' and anchors' claims this comparison speaks to (shown next to the result). */
  expectations: { claim: string; source: string; metric: string; direction: string }[];
}

type Json = Record<string, unknown>;

function fail(path: string, msg: string): never {
  throw new CompareError("BAD_COMPARISON", `${path}: ${msg}`);
}
function obj(v: unknown, path: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "must be an object");
  return v as Json;
}
function int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) fail(path, `must be an integer in [${min}, ${max}]`);
  return v as number;
}
function num(v: unknown, path: string, min: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) fail(path, `must be a number >= ${min}`);
  return v;
}
function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v.length === 0) fail(path, "must be a non-empty string");
  return v;
}
/** Token wei of a comparison token amount ("100", "0.5"); a CompareError naming `path` otherwise. */
export function tokenWei(v: unknown, path: string): bigint {
  if (typeof v !== "string" && typeof v !== "number") fail(path, 'must be a token amount ("0.5")');
  try {
    const w = parseUnits(String(v), 18);
    if (w < 0n) fail(path, "must not be negative");
    return w;
  } catch {
    fail(path, `not a token amount: ${String(v)}`);
  }
}
function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  return v as T;
}
function known(o: Json, path: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${path}.${k}`, `unknown field (known: ${keys.join(", ")})`);
}
function windows(v: unknown, path: string): HeightWindow[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(path, "must be an array of { from, to? }");
  return v.map((w, i) => {
    const o = obj(w, `${path}[${i}]`);
    known(o, `${path}[${i}]`, ["from", "to"]);
    const from = int(o.from, `${path}[${i}].from`, 1);
    const to = o.to === undefined ? undefined : int(o.to, `${path}[${i}].to`, from + 1);
    return { from, to };
  });
}
function params(v: unknown, path: string): Record<string, string | number | boolean> {
  if (v === undefined) return {};
  const o = obj(v, path);
  for (const [k, x] of Object.entries(o)) {
    if (!ROLLUP_KEYS.includes(k)) fail(`${path}.${k}`, `not a Rollup parameter the comparison sets (known: ${ROLLUP_KEYS.join(", ")})`);
    if (!["string", "number", "boolean"].includes(typeof x)) fail(`${path}.${k}`, "must be a string, number or boolean");
  }
  return o as Record<string, string | number | boolean>;
}

/** RollupConfig fields a comparison may set (token amounts in tokens; phases and windows in L1 blocks). */
export const ROLLUP_KEYS = [
  "proposalBlocks", "revealBlocks", "commitBlocks", "provingWindow", "lateWindow", "feeSplitScore", "proverDeposit",
  "blockReward", "submissionReward", "lateProverShareBps", "reorgBountyBps", "units", "unitSoftCloseBlocks", "maxPendingHeights",
] as const as readonly string[];

function proverGroup(v: unknown, path: string): ProverGroup {
  const o = obj(v, path);
  known(o, path, ["name", "count", "speed", "parallel", "price", "costPerProof", "strategy", "offline", "feeBurnBps", "feeBurnStrategy", "rescue", "minPlaceChance"]);
  return {
    name: str(o.name, `${path}.name`),
    count: o.count === undefined ? 1 : int(o.count, `${path}.count`, 1, 200),
    speed: o.speed === undefined ? 1 : num(o.speed, `${path}.speed`, 0.01),
    parallel: o.parallel === undefined ? 1 : int(o.parallel, `${path}.parallel`, 1, 64),
    price: o.price === undefined ? 5n * 10n ** 17n : tokenWei(o.price, `${path}.price`),
    costPerProof: o.costPerProof === undefined ? 10n ** 17n : tokenWei(o.costPerProof, `${path}.costPerProof`),
    strategy: o.strategy === undefined ? "honest" : oneOf(o.strategy, `${path}.strategy`, ["honest", "withhold"] as const),
    offline: windows(o.offline, `${path}.offline`),
    feeBurnBps: BigInt(o.feeBurnBps === undefined ? 0 : int(o.feeBurnBps, `${path}.feeBurnBps`, 0, 10_000)),
    feeBurnStrategy: o.feeBurnStrategy === undefined ? "fixed" : oneOf(o.feeBurnStrategy, `${path}.feeBurnStrategy`, ["fixed", "min-to-displace"] as const),
    minPlaceChance: o.minPlaceChance === undefined ? 0 : num(o.minPlaceChance, `${path}.minPlaceChance`, 0),
    rescue: o.rescue === undefined ? true : o.rescue === true ? true : o.rescue === false ? false : fail(`${path}.rescue`, "must be a boolean"),
  };
}

function sequencerGroup(v: unknown, path: string): SequencerGroup {
  const o = obj(v, path);
  known(o, path, ["name", "count", "feeSplitBps", "proverTip", "proverRewardShareBps", "strategy", "offline"]);
  return {
    name: str(o.name, `${path}.name`),
    count: o.count === undefined ? 1 : int(o.count, `${path}.count`, 1, 100),
    feeSplitBps: BigInt(o.feeSplitBps === undefined ? 1_000 : int(o.feeSplitBps, `${path}.feeSplitBps`, 0, 10_000)),
    proverTip: o.proverTip === undefined ? 10n ** 18n : tokenWei(o.proverTip, `${path}.proverTip`),
    proverRewardShareBps: BigInt(o.proverRewardShareBps === undefined ? 2_000 : int(o.proverRewardShareBps, `${path}.proverRewardShareBps`, 0, 10_000)),
    strategy: o.strategy === undefined ? "honest" : oneOf(o.strategy, `${path}.strategy`, ["honest", "noReveal"] as const),
    offline: windows(o.offline, `${path}.offline`),
  };
}

/** Validates a parsed comparison document (defaults filled in). */
export function parseComparison(doc: unknown): ComparisonSpec {
  const o = obj(doc, "$");
  known(o, "$", ["name", "description", "seeds", "workload", "variants", "real", "expectations", "$schema"]);
  const w = obj(o.workload, "$.workload");
  known(w, "$.workload", ["heights", "T", "D", "transfersPerBlock", "feePerTransfer", "mevPerBlock", "sequencers", "provers", "l1BlockSeconds", "gasPriceGwei", "tokensPerEth", "rollup"]);
  const T = w.T === undefined ? 8 : int(w.T, "$.workload.T", 1, 64);
  if (!Array.isArray(w.sequencers) || w.sequencers.length === 0) fail("$.workload.sequencers", "must be a non-empty array");
  if (!Array.isArray(w.provers) || w.provers.length === 0) fail("$.workload.provers", "must be a non-empty array");
  const workload: Workload = {
    heights: int(w.heights, "$.workload.heights", 2, 100_000),
    T,
    D: w.D === undefined ? 16 : int(w.D, "$.workload.D", 4, 32),
    transfersPerBlock: w.transfersPerBlock === undefined ? T : int(w.transfersPerBlock, "$.workload.transfersPerBlock", 0, T),
    feePerTransfer: BigInt(w.feePerTransfer === undefined ? 1_000 : int(w.feePerTransfer, "$.workload.feePerTransfer", 0, 2 ** 32 - 1)),
    mevPerBlock: w.mevPerBlock === undefined ? 0n : tokenWei(w.mevPerBlock, "$.workload.mevPerBlock"),
    sequencers: w.sequencers.map((s, i) => sequencerGroup(s, `$.workload.sequencers[${i}]`)),
    provers: w.provers.map((p, i) => proverGroup(p, `$.workload.provers[${i}]`)),
    l1BlockSeconds: w.l1BlockSeconds === undefined ? 12 : num(w.l1BlockSeconds, "$.workload.l1BlockSeconds", 0.1),
    gasPriceGwei: w.gasPriceGwei === undefined ? 10 : num(w.gasPriceGwei, "$.workload.gasPriceGwei", 0),
    tokensPerEth: w.tokensPerEth === undefined ? 1_000 : num(w.tokensPerEth, "$.workload.tokensPerEth", 0),
    rollup: params(w.rollup, "$.workload.rollup"),
  };
  const names = new Set<string>();
  for (const [i, g] of [...workload.sequencers, ...workload.provers].entries()) {
    if (names.has(g.name)) fail(`$.workload: group ${i}`, `duplicate name ${g.name}`);
    names.add(g.name);
  }
  if (!Array.isArray(o.variants) || o.variants.length === 0) fail("$.variants", "must be a non-empty array");
  const labels = new Set<string>();
  const variants = o.variants.map((v, i): VariantSpec => {
    const p = `$.variants[${i}]`;
    const x = obj(v, p);
    known(x, p, ["label", "design", "description", "rollup", "matching", "unsafe"]);
    const design = oneOf(x.design, `${p}.design`, DESIGN_NAMES);
    const label = x.label === undefined ? design : str(x.label, `${p}.label`);
    if (labels.has(label)) fail(`${p}.label`, `duplicate label ${label}`);
    labels.add(label);
    return {
      label, design,
      description: x.description === undefined ? "" : str(x.description, `${p}.description`),
      rollup: params(x.rollup, `${p}.rollup`),
      matching: x.matching === undefined ? "reputation" : oneOf(x.matching, `${p}.matching`, ["reputation", "cheapest"] as const),
      unsafe: x.unsafe === undefined ? undefined : str(x.unsafe, `${p}.unsafe`),
    };
  });
  const seeds = o.seeds === undefined ? [1, 2, 3] : Array.isArray(o.seeds) && o.seeds.length > 0 ? o.seeds.map((s, i) => int(s, `$.seeds[${i}]`, 0)) : fail("$.seeds", "must be a non-empty array of integers");
  const r = o.real === undefined ? {} : obj(o.real, "$.real");
  known(r, "$.real", ["heights", "sequencers", "provers", "T", "D"]);
  const real: RealScale = {
    heights: r.heights === undefined ? 4 : int(r.heights, "$.real.heights", 1, 50),
    sequencers: r.sequencers === undefined ? 2 : int(r.sequencers, "$.real.sequencers", 1, 5),
    provers: r.provers === undefined ? 2 : int(r.provers, "$.real.provers", 1, 4),
    T: r.T === undefined ? 2 : int(r.T, "$.real.T", 1, 64),
    D: r.D === undefined ? 8 : int(r.D, "$.real.D", 4, 32),
  };
  const expectations = o.expectations === undefined ? [] : Array.isArray(o.expectations) ? o.expectations.map((e, i) => {
    const x = obj(e, `$.expectations[${i}]`);
    known(x, `$.expectations[${i}]`, ["claim", "source", "metric", "direction"]);
    return { claim: str(x.claim, `$.expectations[${i}].claim`), source: str(x.source, `$.expectations[${i}].source`), metric: str(x.metric, `$.expectations[${i}].metric`), direction: str(x.direction, `$.expectations[${i}].direction`) };
  }) : fail("$.expectations", "must be an array");
  return {
    name: str(o.name, "$.name"), description: o.description === undefined ? "" : str(o.description, "$.description"),
    seeds, workload, variants, real, expectations,
  };
}

/** Reads and validates a comparison file. */
export function loadComparison(file: string): ComparisonSpec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CompareError("BAD_COMPARISON", `cannot read ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CompareError("BAD_COMPARISON", `${file} is not JSON: ${(e as Error).message}`);
  }
  return parseComparison(doc);
}

/** The actors of a workload, one per member of each group (group "p" with count 3: p-1, p-2, p-3). */
export function expand<G extends { name: string; count: number }>(groups: readonly G[]): (G & { group: string })[] {
  return groups.flatMap((g) => (g.count === 1 ? [{ ...g, group: g.name }] : Array.from({ length: g.count }, (_, i) => ({ ...g, name: `${g.name}-${i + 1}`, group: g.name }))));
}

/** Whether `height` falls in one of the windows. */
export function offlineAt(windows: readonly HeightWindow[], height: number): boolean {
  return windows.some((w) => height >= w.from && (w.to === undefined || height < w.to));
}
