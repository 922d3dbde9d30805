/**
 * Strategies as agent options: a scenario's strategy list for one actor becomes the hooks of
 * `SequencerOptions` / `ProverOptions` (src/agents): per-height no-reveal, per-height withholding, invalid proofs,
 * a quote below cost, offline windows. Height windows are turned into L1 block windows with the Rollup's clock
 * (height h opens at genesisBlock + (h - 1) * period).
 */
import type { Clock } from "../network/spec.js";
import type { OfflineWindow, ProverSpec, ProverStrategy, SequencerSpec, SequencerStrategy } from "./schema.js";

/** The Rollup's clock the height windows are placed on (the network builder's). */
export type { Clock };

/** First L1 block of height `h`'s proposal phase. */
export function proposalStart(clock: Clock, h: number): number {
  return Number(clock.genesisBlock + BigInt(h + (clock.heightOffset ?? 0) - 1) * clock.period);
}

/** L1 block windows [from, to) (to = Infinity: never back). */
export function blockWindows(clock: Clock, windows: readonly OfflineWindow[]): { from: number; to: number }[] {
  return windows.map((w) =>
    w.unit === "l1Block"
      ? { from: w.from, to: w.to ?? Infinity }
      : { from: proposalStart(clock, w.from), to: w.to === undefined ? Infinity : proposalStart(clock, w.to) },
  );
}

function offlineHook(clock: Clock, windows: readonly OfflineWindow[]): ((l1Block: number) => boolean) | undefined {
  if (windows.length === 0) return undefined;
  const ws = blockWindows(clock, windows);
  // The agent acts on the next block (head + 1): offline at head means it will not act in the window's blocks.
  return (head) => ws.some((w) => head + 1 >= w.from && head + 1 < w.to);
}

type Strategy = SequencerStrategy | ProverStrategy;
type HeightStrategy = Extract<Strategy, { kind: "noReveal" | "withhold" | "invalidProof" }>;

/** True at the heights of the actor's `kind` strategies (every height when one of them lists none). */
function heightHook(strategies: readonly Strategy[], kind: HeightStrategy["kind"], offset = 0): ((h: bigint) => boolean) | undefined {
  const chosen = strategies.filter((s): s is HeightStrategy => s.kind === kind);
  if (chosen.length === 0) return undefined;
  if (chosen.some((s) => !s.heights)) return () => true;
  const heights = new Set(chosen.flatMap((s) => s.heights!));
  return (h) => heights.has(Number(h) - offset);
}

/** The actor's offline windows, over all its `offline` strategies. */
function offlineWindows(strategies: readonly Strategy[]): OfflineWindow[] {
  return strategies.flatMap((s) => (s.kind === "offline" ? s.windows : []));
}

export interface SequencerHooks {
  noRevealAt?: (height: bigint) => boolean;
  offline?: (l1Block: number) => boolean;
  feeSplitBps?: bigint;
  proverTip?: bigint;
}

export function sequencerHooks(spec: SequencerSpec, clock: Clock): SequencerHooks {
  return {
    noRevealAt: heightHook(spec.strategies, "noReveal", clock.heightOffset),
    offline: offlineHook(clock, offlineWindows(spec.strategies)),
    feeSplitBps: spec.feeSplitBps,
    proverTip: spec.proverTip,
  };
}

export interface ProverHooks {
  price: bigint;
  withholdAt?: (height: bigint) => boolean;
  invalidProofAt?: (height: bigint) => boolean;
  offline?: (l1Block: number) => boolean;
}

export function proverHooks(spec: ProverSpec, clock: Clock): ProverHooks {
  return {
    price: spec.price,
    withholdAt: heightHook(spec.strategies, "withhold", clock.heightOffset),
    invalidProofAt: heightHook(spec.strategies, "invalidProof", clock.heightOffset),
    offline: offlineHook(clock, offlineWindows(spec.strategies)),
  };
}

/** The cooperative prover agent's options (`CooperativeProverOptions`) from a scenario prover: faults and FEE_BURN bid. */
export interface CooperativeProverHooks {
  offline?: (l1Block: number) => boolean;
  invalidProofAt?: (height: bigint) => boolean;
  withholdAt?: (height: bigint) => boolean;
  feeBurnBps?: bigint;
  feeBurnStrategy?: "fixed" | "min-to-displace";
  rescue?: boolean;
}

export function cooperativeProverHooks(spec: ProverSpec, clock: Clock): CooperativeProverHooks {
  const h = proverHooks(spec, clock);
  const out: CooperativeProverHooks = { offline: h.offline, invalidProofAt: h.invalidProofAt, withholdAt: h.withholdAt };
  if (spec.feeBurnBps !== undefined) out.feeBurnBps = BigInt(spec.feeBurnBps);
  if (spec.feeBurnStrategy !== undefined) out.feeBurnStrategy = spec.feeBurnStrategy;
  if (spec.rescue !== undefined) out.rescue = spec.rescue;
  return out;
}
