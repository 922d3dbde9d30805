/**
 * What one run of a comparison produced, in either mode: the record the metrics (src/compare/metrics.ts) read.
 * A run is one (design variant, seed) pair on one workload. Sim mode (src/compare/sim) writes it from the in-process
 * chain's events; real mode converts a scenario run's figures (src/scenario/figures.ts) into it. Amounts are token
 * wei as decimal strings (JSON-safe); gas is exact (receipts).
 */

export type CompareMode = "sim" | "real";

export type ActorKind = "sequencer" | "prover";

/** One actor of the run and what it spent and got, all over the run. */
export interface ActorRecord {
  name: string;
  role: ActorKind;
  address: string;
  /** L1 gas of every transaction the actor sent (reverted ones too: they cost it). */
  gasUsed: number;
  /** Token wei credited to the actor by the contracts' rules (rewards, refunds, bounties) minus what it put in and lost
   *  (deposits, bonds, tips, slashes): its end balance + claimable + stake minus the start's. Decimal. */
  tokenDelta: string;
  /** What its proving work cost it (proofs made x its cost per proof), token wei, decimal. */
  provingCost: string;
  /** MEV it captured (sequencers only: the configured amount per block it won), token wei, decimal. */
  mev: string;
}

export type ProofOutcome =
  /** accepted and paid (Sidecar: the proof that proved the height; Cooperative: a paid slot) */
  | "paid"
  /** accepted on chain but paid nothing (Cooperative: displaced from the top 3, or a rescue) */
  | "unpaid"
  /** Cooperative: accepted after the deadline as a unit's first proof (rescue): paid from the bond, not a slot */
  | "rescue"
  /** sent and refused on chain (invalid, too late, proved by another first) */
  | "refused"
  /** computed but never sent (the prover re-decided: the slot was gone) */
  | "unsent";

/** One proof a prover computed (proving work spent). */
export interface ProofRecord {
  prover: string;
  height: number;
  /** Cooperative: the unit; absent for a whole-block proof. */
  unit?: number;
  /** L1 block the proof was sent (or dropped, for "unsent"). */
  l1Block: number;
  outcome: ProofOutcome;
  /** Token wei the proof earned (paid proofs), decimal. */
  paid: string;
}

export type HeightOutcome = "finalized" | "reorged" | "skipped" | "pending";

/** One L2 height. The *At fields are L1 block numbers. */
export interface HeightRecord {
  height: number;
  outcome: HeightOutcome;
  /** The winning sequencer (name), if any proposal won. */
  sequencer?: string;
  /** Provers (names) whose accepted proofs proved the height (Sidecar: one; Cooperative: the unit proofs' payees). */
  provers: string[];
  /** L2 transfers in the height's block. */
  transfers: number;
  /** L2 fees of the block (token wei, decimal). */
  fees: string;
  /** MEV the block's sequencer captured (configured per block; decimal). */
  mev: string;
  /** Token wei paid to provers for this height (decimal). */
  proverPaid: string;
  /** Token wei paid to the sequencer for this height (its reward; decimal). */
  sequencerPaid: string;
  /** First L1 block of the height's proposal phase. */
  proposedAt: number;
  finalizedAt?: number;
  reorgedAt?: number;
}

/** One run: a design variant on the workload with one seed. */
export interface RunRecord {
  mode: CompareMode;
  /** Design (contracts' provingDesign name: "sidecar", "cooperative", ...). */
  design: string;
  /** The variant's label (unique within the comparison, e.g. "sidecar/deposit-0"). */
  variant: string;
  seed: number;
  /** Every stand-in the run used, in words (for example "verifier stand-in: SimBlockVerifier"); empty in real mode. */
  standIns: string[];
  /** Seconds per L1 block the run's times are converted with. */
  l1BlockSeconds: number;
  startBlock: number;
  endBlock: number;
  actors: ActorRecord[];
  heights: HeightRecord[];
  proofs: ProofRecord[];
  /** Token wei burnt (FEE_BURN shares, missing proofs, slash halves ...), decimal. */
  burnt: string;
  /** Token wei slashed from deposits, bonds and stakes, decimal. */
  slashed: string;
  /** Prices used to turn gas into tokens: wei per gas, and token wei per ETH wei (x 1e18 fixed point). */
  prices: { gasPriceWei: string; tokensPerEthE18: string };
  /** Wall-clock seconds the run took (reported, not compared). */
  wallSeconds: number;
}

/** A concentration snapshot over a set of weights (payments or proofs per prover). */
export interface Concentration {
  /** Share of the largest actor, 0..1 (0 when nothing was paid). */
  topShare: number;
  /** The largest actor's name (absent when nothing was paid). */
  top?: string;
  /** Herfindahl-Hirschman index: sum of squared shares, 0..1 (x 10,000 for the usual scale). */
  hhi: number;
  /** Nakamoto coefficient: the fewest actors whose shares together exceed one half (0 when nothing was paid). */
  nakamoto: number;
  /** Actors with a non-zero share. */
  active: number;
  /** What the shares are of: token payments, or (when no prover was paid anything) accepted proofs. */
  basis?: "payments" | "proofs";
}

/** Concentration of prover payments in one window of heights [fromHeight, toHeight). */
export interface ConcentrationPoint extends Concentration {
  fromHeight: number;
  toHeight: number;
}

/** The metrics of one run (src/compare/metrics.ts `runMetrics`). Token amounts are in tokens (float, 1e18 wei = 1). */
export interface RunMetrics {
  variant: string;
  design: string;
  seed: number;
  liveness: {
    heights: number;
    finalized: number;
    /** finalized / heights */
    finalizedShare: number;
    reorged: number;
    skipped: number;
    /** Longest run of consecutive heights that did not finalize. */
    longestStall: number;
  };
  gas: {
    total: number;
    /** total / finalized heights (Infinity-free: 0 finalized gives null) */
    perFinalizedHeight: number | null;
    /** total / transfers in finalized heights (null if none) */
    perTransfer: number | null;
  };
  latency: {
    /** From the first block of the proposal phase to finality, L1 blocks, over finalized heights (null if none). */
    medianL1Blocks: number | null;
    meanL1Blocks: number | null;
    p90L1Blocks: number | null;
    medianSeconds: number | null;
  };
  payments: {
    toProvers: number;
    toSequencers: number;
    burnt: number;
    slashed: number;
    /** Block value = fees + MEV of the finalized heights (MEV only the block's sequencer captures). */
    blockValue: number;
    /** toProvers / blockValue (null when blockValue is 0). */
    proverShareOfValue: number | null;
  };
  proofs: {
    /** Proofs computed (every ProofRecord). */
    made: number;
    paid: number;
    rescues: number;
    /** Proofs that earned nothing and proved nothing new: refused, unsent, accepted-but-unpaid. */
    wasted: number;
    /** wasted / made (null if none made). */
    wastedShare: number | null;
  };
  /** Per actor: tokenDelta + mev - gas x price - proving cost, in tokens. */
  profit: { name: string; role: ActorKind; profit: number; gasCost: number; provingCost: number; received: number }[];
  /** Prover payments over the whole run. */
  concentration: Concentration;
  /** Prover payments per window of heights, in height order. */
  concentrationOverTime: ConcentrationPoint[];
}

/** Mean and 95 % confidence interval (Student's t over the seeds) of one metric. */
export interface Estimate {
  mean: number;
  /** [low, high]; equal to [mean, mean] for one seed. */
  ci95: [number, number];
  n: number;
}

/** The headline metrics compared side by side (keys of `VariantResult.summary`), in table order. */
export const HEADLINE = [
  { key: "finalizedShare", label: "heights finalized (share)", better: "higher" },
  { key: "longestStall", label: "longest stall (heights)", better: "lower" },
  { key: "gasPerFinalizedHeight", label: "L1 gas per finalized height", better: "lower" },
  { key: "gasPerTransfer", label: "L1 gas per transfer", better: "lower" },
  { key: "latencyMedianL1Blocks", label: "latency to finality, median (L1 blocks)", better: "lower" },
  { key: "toProvers", label: "paid to provers (tokens)", better: "none" },
  { key: "toSequencers", label: "paid to sequencers (tokens)", better: "none" },
  { key: "proverShareOfValue", label: "share of block value to provers", better: "none" },
  { key: "burnt", label: "burnt (tokens)", better: "none" },
  { key: "slashed", label: "slashed (tokens)", better: "none" },
  { key: "wastedShare", label: "wasted proofs (share of proofs made)", better: "lower" },
  { key: "topShare", label: "top prover's share of payments", better: "lower" },
  { key: "hhi", label: "HHI of prover payments (0..1)", better: "lower" },
  { key: "nakamoto", label: "Nakamoto coefficient of provers", better: "higher" },
  { key: "proverProfitMedian", label: "median prover profit (tokens)", better: "none" },
  { key: "sequencerProfitMedian", label: "median sequencer profit (tokens)", better: "none" },
] as const;

export type HeadlineKey = (typeof HEADLINE)[number]["key"];

/** One design variant over all seeds. */
export interface VariantResult {
  /** Unique label, e.g. "sidecar", "sidecar/deposit-0", "cooperative/K=2". */
  variant: string;
  design: string;
  description: string;
  /** Set when the variant is unsafe under the security fixes (reported, still run): the reason in words. */
  unsafe?: string;
  /** The parameters that differ from the workload's defaults. */
  params: Record<string, string | number | boolean>;
  runs: RunRecord[];
  metrics: RunMetrics[];
  summary: Record<HeadlineKey, Estimate | null>;
}

/** A claim of a seed document or an anchor system, next to what this comparison measured. */
export interface ExpectationCheck {
  claim: string;
  source: string;
  measured: string;
  /** Whether the measurement points the same way (null: cannot tell from this run). */
  agrees: boolean | null;
}

/** A whole comparison: what `npm run compare` writes as figures.json and renders as report.html / report.md. */
export interface ComparisonResult {
  name: string;
  description: string;
  mode: CompareMode;
  generatedAt: string;
  seeds: number[];
  /** The workload as the comparison file gave it (after defaults). */
  workload: Record<string, unknown>;
  /** Every stand-in any run used (each also on its run). */
  standIns: string[];
  variants: VariantResult[];
  expectations: ExpectationCheck[];
  notes: string[];
}
