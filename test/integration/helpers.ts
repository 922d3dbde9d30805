/**
 * Integration test network: a Hardhat node spawned on a free port (real JSON-RPC), the contracts with the generated
 * Groth16 verifier, and in-process sequencer and prover agents proving with the CI circuit (T=2, D=8).
 * No side effects at import (Hardhat loads every .ts under test/ as a test file).
 */
import { Logger, formatLog } from "../../src/agents/index.js";
import type { RollupConfig } from "../../src/client/index.js";
import { startNetwork, type CooperativeProverPatch, type Network, type ProverPatch, type SequencerPatch } from "../../src/network/index.js";
import { L2RpcClient, type TxRecord } from "../../src/node/index.js";

export const T = 2;
export const D = 8;

export interface NetOptions {
  sequencers: number;
  provers: number;
  proverFaults?: ("none" | "withhold")[];
  proverPrices?: bigint[];
  blockTimeMs?: number;
  overrides?: Partial<RollupConfig>;
  accounts?: number;
  /** Batch path: deploy the ProofAggregator, provers post proofs, an aggregator agent verifies them in batches. */
  aggregator?: boolean;
  /** Proofs per ProofAggregator.submitBatch (default 1: each alone via submitProof); above 1 the ProofAggregator is deployed. */
  proofBatchSize?: number;
  /** More options of each prover (by index). */
  proverOptions?: ProverPatch[];
  /** More options of each sequencer (by index). */
  sequencerOptions?: SequencerPatch[];
  /** The proving design (default Sidecar); Cooperative runs the cooperative prover agents with `cooperativeOptions`. */
  design?: "sidecar" | "cooperative";
  /** Cooperative: K (default DEVNET_DEFAULTS.cooperativeUnits). */
  units?: number;
  cooperativeOptions?: CooperativeProverPatch[];
}

export type Net = Network;

/** Log level from FERNET_TEST_LOG (default warn: tests stay quiet unless asked). */
function testLogger(): Logger {
  const level = (process.env.FERNET_TEST_LOG ?? "warn") as "error" | "warn" | "info" | "debug";
  return new Logger("test", level, (r) => process.stderr.write("      " + formatLog(r) + "\n"));
}

/** The test network: `sequencers` x `seq-i` and `provers` x `prover-i` on a spawned node, stores in a temporary folder. */
export async function startNet(o: NetOptions): Promise<Net> {
  return startNetwork({
    circuit: { T, D },
    // Generous proving windows: proofs take ~3 s on an idle machine but 30-50 s on a shared, overloaded one.
    contracts: { params: { proposalBlocks: 3n, revealBlocks: 3n, commitBlocks: 3n, provingWindow: 40n, lateWindow: 10n, ...o.overrides } },
    accounts: o.accounts ?? 8,
    sequencers: Array.from({ length: o.sequencers }, (_, i) => ({ name: `seq-${i + 1}`, vrfSeed: `itest-seq-${i + 1}`, options: o.sequencerOptions?.[i] })),
    provers: Array.from({ length: o.provers }, (_, i) => ({
      name: `prover-${i + 1}`, options: { fault: o.proverFaults?.[i] ?? "none", price: o.proverPrices?.[i], ...o.proverOptions?.[i] },
      cooperative: o.cooperativeOptions?.[i],
    })),
    design: o.design,
    units: o.units,
    aggregator: o.aggregator ? { pollMs: 100 } : undefined,
    proofBatchSize: o.proofBatchSize,
    blockTimeMs: o.blockTimeMs ?? 2000,
    pollMs: 100,
    log: testLogger(),
  });
}

/** Polls `pred` every 500 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, timeoutMs: number, pred: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Status records of tx ids at a sequencer's L2 RPC. */
export async function statuses(url: string, ids: string[]): Promise<(TxRecord | null)[]> {
  const c = new L2RpcClient(url);
  return Promise.all(ids.map((id) => c.getTransactionStatus(id)));
}

/** The order in which a tx's history visited the ladder (duplicates removed). */
export function path(r: TxRecord | null): string[] {
  return r ? r.history.map((h) => h.status) : [];
}
