/**
 * Strategies as agent options: a scenario's strategy list for one actor becomes the hooks of
 * `SequencerOptions` / `ProverOptions` (src/agents): per-height no-reveal, per-height withholding, invalid proofs,
 * a quote below cost, offline windows. Height windows are turned into L1 block windows with the Rollup's clock
 * (height h opens at genesisBlock + (h - 1) * period).
 */
import type { OfflineWindow, ProverSpec, SequencerSpec } from "./schema.js";

export interface Clock {
  genesisBlock: bigint;
  /** proposal + reveal + commit blocks */
  period: bigint;
  /** Scenario height h is the Rollup's height h + heightOffset (a run attached to a chain that already advanced). */
  heightOffset?: number;
}

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

function heightHook(all: boolean, heights: Set<number>, offset = 0): ((h: bigint) => boolean) | undefined {
  if (!all && heights.size === 0) return undefined;
  return (h) => all || heights.has(Number(h) - offset);
}

export interface SequencerHooks {
  noRevealAt?: (height: bigint) => boolean;
  offline?: (l1Block: number) => boolean;
  feeSplitBps?: bigint;
  proverTip?: bigint;
}

export function sequencerHooks(spec: SequencerSpec, clock: Clock): SequencerHooks {
  let allNoReveal = false;
  const noReveal = new Set<number>();
  const windows: OfflineWindow[] = [];
  for (const s of spec.strategies) {
    if (s.kind === "noReveal") {
      if (s.heights) s.heights.forEach((h) => noReveal.add(h));
      else allNoReveal = true;
    } else if (s.kind === "offline") windows.push(...s.windows);
  }
  return { noRevealAt: heightHook(allNoReveal, noReveal, clock.heightOffset), offline: offlineHook(clock, windows), feeSplitBps: spec.feeSplitBps, proverTip: spec.proverTip };
}

export interface ProverHooks {
  price: bigint;
  withholdAt?: (height: bigint) => boolean;
  invalidProofAt?: (height: bigint) => boolean;
  offline?: (l1Block: number) => boolean;
}

export function proverHooks(spec: ProverSpec, clock: Clock): ProverHooks {
  let allWithhold = false;
  let allInvalid = false;
  const withhold = new Set<number>();
  const invalid = new Set<number>();
  const windows: OfflineWindow[] = [];
  for (const s of spec.strategies) {
    if (s.kind === "withhold") {
      if (s.heights) s.heights.forEach((h) => withhold.add(h));
      else allWithhold = true;
    } else if (s.kind === "invalidProof") {
      if (s.heights) s.heights.forEach((h) => invalid.add(h));
      else allInvalid = true;
    } else if (s.kind === "offline") windows.push(...s.windows);
  }
  return {
    price: spec.price,
    withholdAt: heightHook(allWithhold, withhold, clock.heightOffset),
    invalidProofAt: heightHook(allInvalid, invalid, clock.heightOffset),
    offline: offlineHook(clock, windows),
  };
}
