/**
 * The metrics of a comparison: one run's record (src/compare/types.ts `RunRecord`) turned into its `RunMetrics`
 * (liveness, gas, latency, payments, wasted proofs, net profit per actor, concentration of prover payments over the
 * run and over time), and the per-seed metrics of a variant summarized as means with 95 % Student-t intervals.
 * Token amounts are added up exactly in wei (bigint) and turned into tokens (float) last.
 */
import { E18 } from "../protocol.js";
import { percentile } from "../scenario/report.js";
import type {
  Concentration, ConcentrationPoint, Estimate, HeadlineKey, ProofOutcome, ProofRecord, RunMetrics, RunRecord,
} from "./types.js";
import { HEADLINE } from "./types.js";

// ------------------------------------------------------------------------------------------------ amounts

/** Token wei (1e18 per token) as a float number of tokens; the whole and fractional parts convert separately. */
export function tokens(wei: string | bigint): number {
  const v = BigInt(wei);
  return Number(v / E18) + Number(v % E18) / 1e18;
}

const sumWei = (xs: readonly (string | bigint)[]) => xs.reduce<bigint>((s, x) => s + BigInt(x), 0n);

// ------------------------------------------------------------------------------------------------ concentration

/**
 * Concentration of a set of weights (payments or proof counts per actor). Only positive weights count (a zero or
 * negative weight is no share). Shares are weight / total; the top actor is the largest weight, ties going to the
 * name first in sort order; HHI = sum of squared shares (0..1); Nakamoto = the fewest actors (largest first) whose
 * weights together are strictly more than half the total (so exactly one half is not enough), 0 when the total is 0.
 */
export function concentration(weights: ReadonlyMap<string, number> | Record<string, number>): Concentration {
  const entries: [string, number][] = weights instanceof Map ? [...weights.entries()] : Object.entries(weights);
  const pos = entries
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const total = pos.reduce((s, [, w]) => s + w, 0);
  if (pos.length === 0 || !(total > 0)) return { topShare: 0, hhi: 0, nakamoto: 0, active: 0 };
  const hhi = pos.reduce((s, [, w]) => s + (w / total) ** 2, 0);
  // Compare weights, not float shares: 2 x cumulative > total (four equal shares: 0.25 + 0.25 is not > 1/2).
  let nakamoto = 0;
  let cum = 0;
  for (const [, w] of pos) {
    cum += w;
    nakamoto++;
    if (2 * cum > total) break;
  }
  const [top, topWeight] = pos[0]!;
  return { topShare: topWeight / total, top, hhi, nakamoto, active: pos.length };
}

// ------------------------------------------------------------------------------------------------ one run

/** Outcomes of proofs accepted on chain. */
const ACCEPTED: readonly ProofOutcome[] = ["paid", "unpaid", "rescue"];
/** Outcomes of proofs that earned nothing and proved nothing new. */
const WASTED: readonly ProofOutcome[] = ["refused", "unsent", "unpaid"];

/** Median of a list (the middle two averaged for an even count); null when empty. */
function median(xs: readonly number[]): number | null {
  return percentile([...xs], 50) ?? null;
}

/**
 * Weights per prover of a set of proofs: token wei paid (outcomes "paid" and "rescue"), or, with `basis` "proofs",
 * the count of accepted proofs (paid, unpaid, rescue). Payment weights are tokens (floats), shares only need ratios.
 */
function proverWeights(proofs: readonly ProofRecord[], basis: "payments" | "proofs"): Map<string, number> {
  const out = new Map<string, number>();
  if (basis === "proofs") {
    for (const p of proofs) if (ACCEPTED.includes(p.outcome)) out.set(p.prover, (out.get(p.prover) ?? 0) + 1);
    return out;
  }
  const wei = new Map<string, bigint>();
  for (const p of proofs) {
    if (p.outcome === "paid" || p.outcome === "rescue") wei.set(p.prover, (wei.get(p.prover) ?? 0n) + BigInt(p.paid));
  }
  for (const [k, v] of wei) out.set(k, tokens(v));
  return out;
}

export interface RunMetricsOptions {
  /** Heights per window of `concentrationOverTime` (default max(10, ceil(heights / 20))); a positive integer. */
  windowHeights?: number;
}

/** The metrics of one run, as the doc comments of `RunMetrics` (src/compare/types.ts) define them. */
export function runMetrics(run: RunRecord, opts: RunMetricsOptions = {}): RunMetrics {
  const heights = [...run.heights].sort((a, b) => a.height - b.height);
  const finalized = heights.filter((h) => h.outcome === "finalized");

  // Liveness. A stall is a run of consecutive height records (in height order) that did not finalize: reorged,
  // skipped and pending alike.
  let longestStall = 0;
  let stall = 0;
  for (const h of heights) {
    stall = h.outcome === "finalized" ? 0 : stall + 1;
    longestStall = Math.max(longestStall, stall);
  }
  const liveness: RunMetrics["liveness"] = {
    heights: heights.length,
    finalized: finalized.length,
    finalizedShare: heights.length ? finalized.length / heights.length : 0,
    reorged: heights.filter((h) => h.outcome === "reorged").length,
    skipped: heights.filter((h) => h.outcome === "skipped").length,
    longestStall,
  };

  // Gas.
  const gasTotal = run.actors.reduce((s, a) => s + a.gasUsed, 0);
  const transfers = finalized.reduce((s, h) => s + h.transfers, 0);
  const gas: RunMetrics["gas"] = {
    total: gasTotal,
    perFinalizedHeight: finalized.length ? gasTotal / finalized.length : null,
    perTransfer: transfers ? gasTotal / transfers : null,
  };

  // Latency: proposal phase's first L1 block to finality, finalized heights (one without finalizedAt is not measured).
  const lat = finalized.filter((h) => h.finalizedAt !== undefined).map((h) => h.finalizedAt! - h.proposedAt);
  const med = median(lat);
  const latency: RunMetrics["latency"] = {
    medianL1Blocks: med,
    meanL1Blocks: lat.length ? lat.reduce((s, x) => s + x, 0) / lat.length : null,
    p90L1Blocks: percentile(lat, 90) ?? null,
    medianSeconds: med === null ? null : med * run.l1BlockSeconds,
  };

  // Payments (to provers and sequencers: every height's payments; block value: the finalized heights').
  const toProversWei = sumWei(heights.map((h) => h.proverPaid));
  const blockValueWei = sumWei(finalized.flatMap((h) => [h.fees, h.mev]));
  const payments: RunMetrics["payments"] = {
    toProvers: tokens(toProversWei),
    toSequencers: tokens(sumWei(heights.map((h) => h.sequencerPaid))),
    burnt: tokens(run.burnt),
    slashed: tokens(run.slashed),
    blockValue: tokens(blockValueWei),
    proverShareOfValue: blockValueWei === 0n ? null : tokens(toProversWei) / tokens(blockValueWei),
  };

  // Proofs.
  const count = (o: ProofOutcome) => run.proofs.filter((p) => p.outcome === o).length;
  const wasted = run.proofs.filter((p) => WASTED.includes(p.outcome)).length;
  const proofs: RunMetrics["proofs"] = {
    made: run.proofs.length,
    paid: count("paid"),
    rescues: count("rescue"),
    wasted,
    wastedShare: run.proofs.length ? wasted / run.proofs.length : null,
  };

  // Net profit per actor (in run.actors order). Gas cost in token wei = gas x wei per gas x tokens per ETH (1e18 fixed
  // point) / 1e18, floored; profit is computed in wei and converted once, so it is exact up to the float conversion.
  const gasPrice = BigInt(run.prices.gasPriceWei);
  const tokensPerEth = BigInt(run.prices.tokensPerEthE18);
  const profit: RunMetrics["profit"] = run.actors.map((a) => {
    const gasCostWei = (BigInt(a.gasUsed) * gasPrice * tokensPerEth) / E18;
    const receivedWei = BigInt(a.tokenDelta) + BigInt(a.mev);
    const provingWei = BigInt(a.provingCost);
    return {
      name: a.name, role: a.role,
      profit: tokens(receivedWei - gasCostWei - provingWei),
      gasCost: tokens(gasCostWei), provingCost: tokens(provingWei), received: tokens(receivedWei),
    };
  });

  // Concentration of prover payments: token wei of "paid" and "rescue" proofs per prover. If no prover was paid
  // anything in the whole run (a design or variant that pays nothing), it falls back to counting accepted proofs
  // (paid + unpaid + rescue) per prover; the windows over time then use the same basis as the whole run.
  const paidWeights = proverWeights(run.proofs, "payments");
  const basis = [...paidWeights.values()].some((x) => x > 0) ? "payments" : "proofs";
  const whole = concentration(basis === "payments" ? paidWeights : proverWeights(run.proofs, "proofs"));

  // Over time: windows [from, from + w) of heights, from the lowest height of the run (heights and proofs) to the
  // highest; the last window ends after the highest height (it may be shorter than w).
  const all = [...heights.map((h) => h.height), ...run.proofs.map((p) => p.height)];
  const w = opts.windowHeights ?? Math.max(10, Math.ceil(heights.length / 20));
  if (!Number.isInteger(w) || w <= 0) throw new RangeError(`windowHeights must be a positive integer, got ${w}`);
  const overTime: ConcentrationPoint[] = [];
  if (all.length) {
    const lo = all.reduce((a, b) => Math.min(a, b));
    const hi = all.reduce((a, b) => Math.max(a, b)) + 1;
    for (let from = lo; from < hi; from += w) {
      const to = Math.min(from + w, hi);
      const inWindow = run.proofs.filter((p) => p.height >= from && p.height < to);
      overTime.push({ fromHeight: from, toHeight: to, ...concentration(proverWeights(inWindow, basis)) });
    }
  }

  return {
    variant: run.variant, design: run.design, seed: run.seed,
    liveness, gas, latency, payments, proofs, profit,
    concentration: { ...whole, basis },
    concentrationOverTime: overTime,
  };
}

// ------------------------------------------------------------------------------------------------ over seeds

/** Thrown by `meanCi` for an empty sample or a non-finite value. */
export class SampleError extends Error {
  override name = "SampleError";
}

/** Two-sided 95 % critical values of Student's t for 1..30 degrees of freedom (index = df - 1). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
  2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
] as const;

/** The two-sided 95 % t critical value for df degrees of freedom (1.96, the normal's, beyond 30). */
export function t95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  return df <= T95.length ? T95[df - 1]! : 1.96;
}

/**
 * Mean and 95 % confidence interval of a sample: mean +- t(n - 1) x s / sqrt(n), s the sample standard deviation
 * (n - 1 denominator). One value gives [mean, mean]. An empty sample or a non-finite value throws `SampleError`;
 * `meanCiOrNull` is the variant that gives null for an empty sample.
 */
export function meanCi(xs: readonly number[]): Estimate {
  const n = xs.length;
  if (n === 0) throw new SampleError("meanCi of an empty sample");
  if (!xs.every(Number.isFinite)) throw new SampleError(`meanCi of a sample with a non-finite value: ${xs.join(", ")}`);
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { mean, ci95: [mean, mean], n };
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = (t95(n - 1) * sd) / Math.sqrt(n);
  return { mean, ci95: [mean - half, mean + half], n };
}

/** `meanCi`, or null for an empty sample (a non-finite value still throws). */
export function meanCiOrNull(xs: readonly number[]): Estimate | null {
  return xs.length === 0 ? null : meanCi(xs);
}

/** One headline metric of one run (null when the run has no value for it, e.g. nothing finalized). */
export function headlineValue(m: RunMetrics, key: HeadlineKey): number | null {
  switch (key) {
    case "finalizedShare": return m.liveness.finalizedShare;
    case "longestStall": return m.liveness.longestStall;
    case "gasPerFinalizedHeight": return m.gas.perFinalizedHeight;
    case "gasPerTransfer": return m.gas.perTransfer;
    case "latencyMedianL1Blocks": return m.latency.medianL1Blocks;
    case "toProvers": return m.payments.toProvers;
    case "toSequencers": return m.payments.toSequencers;
    case "proverShareOfValue": return m.payments.proverShareOfValue;
    case "burnt": return m.payments.burnt;
    case "slashed": return m.payments.slashed;
    case "wastedShare": return m.proofs.wastedShare;
    case "topShare": return m.concentration.topShare;
    case "hhi": return m.concentration.hhi;
    case "nakamoto": return m.concentration.nakamoto;
    case "proverProfitMedian": return median(m.profit.filter((p) => p.role === "prover").map((p) => p.profit));
    case "sequencerProfitMedian": return median(m.profit.filter((p) => p.role === "sequencer").map((p) => p.profit));
  }
}

/** Per headline metric (`HEADLINE`): mean and 95 % interval over the runs (seeds), skipping runs without a value;
 *  null when no run has one. */
export function summarize(metrics: readonly RunMetrics[]): Record<HeadlineKey, Estimate | null> {
  const out = {} as Record<HeadlineKey, Estimate | null>;
  for (const { key } of HEADLINE) {
    out[key] = meanCiOrNull(metrics.map((m) => headlineValue(m, key)).filter((v): v is number => v !== null));
  }
  return out;
}
