// Shared types of a scenario run: produced by the runner (src/scenario/runner.ts), consumed by the report
// (src/scenario/report.ts) and the replay (src/scenario/replay.ts).

export type ScenarioMode = "local" | "rpc" | "fork";
export type ActorRole = "sequencer" | "prover" | "aggregator" | "user";
export type HeightOutcome = "finalized" | "reorged" | "skipped" | "pending";
export type LedgerKind = "reward" | "slash" | "bounty" | "refund" | "deposit";

export interface ScenarioActor {
  name: string;
  role: ActorRole;
  address: string;
  strategy: string;
}

/** One L2 height; the *At fields are L1 block numbers. */
export interface HeightFigure {
  height: number;
  outcome: HeightOutcome;
  sequencer?: string;
  prover?: string;
  /** Cooperative: the payees of the height's accepted unit proofs (paid slots and rescues), sorted. */
  provers?: string[];
  txs: number;
  proposedAt?: number;
  revealedAt?: number;
  committedAt?: number;
  provenAt?: number;
  finalizedAt?: number;
  reorgedAt?: number;
}

export interface LedgerEntry {
  l1Block: number;
  actor: string;
  kind: LedgerKind;
  /** token wei, decimal */
  amount: string;
  height?: number;
}

export interface GasFigure {
  count: number;
  total: number;
  median: number;
}

export interface ExpectationResult {
  text: string;
  passed: boolean;
  detail: string;
}

export interface ScenarioFigures {
  scenario: string;
  description?: string;
  /** The proving design the run's deployment ran (absent in figures written before designs: Sidecar). */
  design?: "sidecar" | "cooperative";
  mode: ScenarioMode;
  l1Url: string;
  forkUrl?: string;
  forkBlock?: number;
  startBlock: number;
  endBlock: number;
  startedAt: string;
  wallSeconds: number;
  /** protocol parameters used */
  params: Record<string, string | number>;
  actors: ScenarioActor[];
  heights: HeightFigure[];
  ledger: LedgerEntry[];
  /** from receipts: propose, reveal, commitProver, submitProof, postProof, verifyBatch, claim, ... */
  gasByPhase: Record<string, GasFigure>;
  expectations: ExpectationResult[];
  /** The L2 ledger at the last finalized height, rebuilt from L1 (l2Conserved). */
  l2?: L2Figure;
  /** The L1 reorgs the run injected (l1.reorgs). */
  l1Reorgs?: L1ReorgFigure[];
  /** Cooperative: the unit proofs, their payments and the bonds (from ICooperative's events). */
  cooperative?: CooperativeFigure;
  /** Set on the figures of a replay (`--replay LOG`): what the replayer found (src/scenario/replay.ts). */
  replay?: ReplayFigure;
}

/** L2 value at the last finalized height (rebuilt from the revealed pubdata on L1) against the genesis. */
export interface L2Figure {
  finalizedHeight: number;
  /** Sum of all L2 balances, decimal. */
  genesisTotal: string;
  finalizedTotal: string;
  /** Fees of the finalized transfers (paid out on L1, so out of the L2 ledger), decimal. */
  fees: string;
  /** Transfers in the finalized heights. */
  finalizedTransfers: number;
  /** Transfers the sequencers dropped for good (live runs only: it comes from the agents, not L1). */
  dropped?: number;
}

export interface L1ReorgFigure {
  height: number;
  phase: string;
  /** The head when the reorg was made, and how many blocks it replaced. */
  atBlock: number;
  depth: number;
}

/** A replay's outcome, for the report. */
export interface ReplayFigure {
  /** The replayed l1-log.json. */
  log: string;
  /** Empty: the replay reproduced the recording (transactions, receipts, final state, and the run's outcome). */
  divergences: string[];
  /** The deliberate interventions (one per height: its randomness pinned to the recorded value). */
  interventions: string[];
  txs: number;
  blocks: number;
}

/** One accepted unit proof (UnitProofAccepted). */
export interface UnitProofFigure {
  height: number;
  unit: number;
  payee: string;
  feeBurnBps: number;
  /** Posted after the proving deadline as the unit's first proof: a rescue (no paid slot). */
  late: boolean;
  /** The payee it pushed out of the paid set, if any. */
  displaced?: string;
  l1Block: number;
}

/** The Cooperative design's figures of a run: who proved what, who was paid, what was burnt, the bonds. */
export interface CooperativeFigure {
  units: number;
  accepted: UnitProofFigure[];
  /** Per prover: accepted on-time proofs, rescues, displaced, paid proofs, paid and FEE_BURN burnt (token wei, decimal). */
  provers: { name: string; accepted: number; rescues: number; displaced: number; paidProofs: number; paid: string; burnt: string }[];
  /** Per settled height (UnitsSettled): the network reward, paid, burnt (FEE_BURN shares, missing proofs, dust), paid proofs. */
  settled: { height: number; networkReward: string; paid: string; burnt: string; proofs: number }[];
  /** Per finalized height's bond (BondSettled): returned to the sequencer, to the rescuer, burnt. */
  bonds: { height: number; sequencer: string; returned: string; rescuer?: string; toRescuer: string; burnt: string }[];
}
