/**
 * Integration test network: a Hardhat node spawned on a free port (real JSON-RPC), the contracts with the generated
 * Groth16 verifier, and in-process sequencer and prover agents proving with the CI circuit (T=2, D=8).
 * No side effects at import (Hardhat loads every .ts under test/ as a test file).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { JsonRpcProvider } from "ethers";
import { buildCircuit } from "../../src/zk/build.js";
import { closeProver } from "../../src/zk/prover.js";
import {
  AggregatorAgent, Logger, ProverAgent, SequencerAgent, PROJECT_ROOT, TxGenerator, connectL1, deployDevnet, devWallet, formatLog, freePort,
  startHardhatNode, startIntervalMining, type Deployment, type HardhatNode, type L1TxRecord, type ProverOptions, type SequencerOptions,
} from "../../src/agents/index.js";
import { RollupClient, type RollupConfig } from "../../src/client/index.js";
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
}

export interface Net {
  node: HardhatNode;
  provider: JsonRpcProvider;
  d: Deployment;
  client: RollupClient;
  seqs: SequencerAgent[];
  provers: ProverAgent[];
  seqUrls: string[];
  gen: TxGenerator;
  aggregator?: AggregatorAgent;
  txRecords: L1TxRecord[];
  log: Logger;
  /** Folder of the agents' sqlite stores (`<name>.sqlite`). */
  dir: string;
  /** Starts agent i again with its options (patched by `patch`); the caller stopped or crashed it before. */
  restartSequencer(i: number, patch?: Partial<SequencerOptions>): Promise<SequencerAgent>;
  restartProver(i: number, patch?: Partial<ProverOptions>): Promise<ProverAgent>;
  stop(): Promise<void>;
}

/** Log level from FERNET_TEST_LOG (default warn: tests stay quiet unless asked). */
function testLogger(): Logger {
  const level = (process.env.FERNET_TEST_LOG ?? "warn") as "error" | "warn" | "info" | "debug";
  return new Logger("test", level, (r) => process.stderr.write("      " + formatLog(r) + "\n"));
}

export async function startNet(o: NetOptions): Promise<Net> {
  const log = testLogger();
  const build = await buildCircuit({ T, D });
  const node = await startHardhatNode({ log });
  const provider = await connectL1(node.url, 100);
  const accounts = o.accounts ?? 8;
  const actors = {
    deployer: devWallet(0, undefined, provider),
    sequencers: Array.from({ length: o.sequencers }, (_, i) => ({ name: `seq-${i + 1}`, wallet: devWallet(1 + i, undefined, provider), vrfSeed: `itest-seq-${i + 1}` })),
    provers: Array.from({ length: o.provers }, (_, i) => ({ name: `prover-${i + 1}`, wallet: devWallet(1 + o.sequencers + i, undefined, provider) })),
  };
  const d = await deployDevnet({
    provider, actors, T, D, accounts, log,
    // Generous proving windows: proofs take ~3 s on an idle machine but 30-50 s on a shared, overloaded one.
    overrides: { proposalBlocks: 3n, revealBlocks: 3n, commitBlocks: 3n, provingWindow: 40n, lateWindow: 10n, ...o.overrides },
    aggregator: o.aggregator,
  });
  await startIntervalMining(provider, o.blockTimeMs ?? 2000);
  const dir = mkdtempSync(join(tmpdir(), "fernet-itest-"));
  const txRecords: L1TxRecord[] = [];
  const common = {
    rpcUrl: node.url, rollup: d.rollup, T, D, genesis: d.genesis, pollMs: 100, onTx: (r: L1TxRecord) => txRecords.push(r),
    wasmPath: resolve(PROJECT_ROOT, build.wasmPath), zkeyPath: resolve(PROJECT_ROOT, build.setup.zkeyPath),
    postProofs: o.aggregator === true,
  };
  const seqPorts = await Promise.all(actors.sequencers.map(() => freePort()));
  const seqUrls = seqPorts.map((p) => `http://127.0.0.1:${p}`);
  const proverOpts: ProverOptions[] = [];
  const provers: ProverAgent[] = [];
  for (const [i, p] of actors.provers.entries()) {
    const opts: ProverOptions = {
      ...common, name: p.name, privateKey: p.wallet.privateKey, storePath: join(dir, `${p.name}.sqlite`), sequencerRpcUrls: seqUrls,
      fault: o.proverFaults?.[i] ?? "none", price: o.proverPrices?.[i] ?? (5n + BigInt(i)) * 10n ** 17n, log: log.child(p.name),
    };
    const a = await ProverAgent.start(opts);
    opts.quotePort = Number(new URL(a.quoteUrl).port); // a restart comes back on the same URL
    proverOpts.push(opts);
    provers.push(a);
  }
  const seqOpts: SequencerOptions[] = [];
  const seqs: SequencerAgent[] = [];
  for (const [i, s] of actors.sequencers.entries()) {
    const opts: SequencerOptions = {
      ...common, name: s.name, privateKey: s.wallet.privateKey, vrfSeed: s.vrfSeed, storePath: join(dir, `${s.name}.sqlite`),
      rpcPort: seqPorts[i], proverUrls: provers.map((p) => p.quoteUrl), log: log.child(s.name),
    };
    seqOpts.push(opts);
    seqs.push(await SequencerAgent.start(opts));
  }
  const gen = new TxGenerator(seqUrls, accounts, log.child("txgen"));
  const aggregator = o.aggregator
    ? await AggregatorAgent.start({
        name: "aggregator", rpcUrl: node.url, rollup: d.rollup, privateKey: devWallet(1 + o.sequencers + o.provers).privateKey,
        vkey: build.setup.vkey, fromBlock: BigInt(d.deployBlock), pollMs: 100, onTx: common.onTx, log: log.child("aggregator"),
      })
    : undefined;
  const net: Net = {
    node, provider, d, client: new RollupClient(d.rollup, provider), seqs, provers, seqUrls, gen, aggregator, txRecords, log, dir,
    async restartSequencer(i, patch) {
      seqs[i] = await SequencerAgent.start({ ...seqOpts[i]!, ...patch });
      return seqs[i]!;
    },
    async restartProver(i, patch) {
      provers[i] = await ProverAgent.start({ ...proverOpts[i]!, ...patch });
      return provers[i]!;
    },
    async stop() {
      gen.stop();
      await aggregator?.stop().catch(() => {});
      for (const a of [...seqs, ...provers]) await a.stop().catch(() => {});
      provider.destroy();
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
      // buildCircuit may have loaded snarkjs here: its curve worker threads would keep mocha from exiting.
      await closeProver();
    },
  };
  return net;
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
