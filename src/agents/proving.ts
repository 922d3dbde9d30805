/**
 * The proving duty: for every pending height whose winning proposal names `me` as prover, rebuild the parent state
 * from L1 (genesis + revealed pubdata), take the block's signed transfers from L1 too (revealed pubdata + revealed
 * signatures: `transfersFromL1`), re-execute them, check they give exactly the revealed pubdata and root, prove
 * (off the main thread) with `me` as the payee, and submit the proof once the commit phase is over. No sequencer
 * RPC is needed; `body` is only a fallback. Used by the prover agent and by a sequencer that fell back to proving its own block.
 *
 * Resume: a finished proof is written to the store before it is submitted, so a restarted agent submits it again
 * (if the height still needs it) instead of proving twice.
 *
 * Batching (`batchSize` > 1, a Rollup with a ProofAggregator): a finished proof is held in a queue (kept in the
 * store, so a crash loses nothing) and the queue goes out in one `ProofAggregator.submitBatch` once it holds
 * `batchSize` proofs, the oldest one's proving deadline is `batchDeadlineMarginBlocks` away, or no other proof is
 * being made (nothing could join it); a lone proof goes
 * through `Rollup.submitProof` (cheaper than a batch of one). Heights proven or reorged meanwhile are dropped first.
 */
import { executeBlock, transfersFromL1, withPayee, type BlockResult, type L2State, type Transfer } from "../l2/index.js";
import { HeightStatus, contractErrorName, isContractError, type ProofWords, type RollupClient } from "../client/index.js";
import type { Prover } from "../zk/prover.js";
import { BN254_BASE_MODULUS as FIELD_P } from "../protocol.js";
import type { Store } from "../store/index.js";
import { AgentError, errText, hex, type L2Chain, type Logger, type TxSender } from "./common.js";
import { batchFlushDecision, batchMembers, batchRefusal, isLate, submitDecision, submitRefusal, takeHeightDecision, withholdDecision, type SubmitView } from "./decisions/prover.js";
import { AGENT_DEFAULTS } from "../defaults.js";
import { sidecar } from "./designs/sidecar.js";
import type { ProvingDesignStrategy } from "./designs/strategy.js";

export interface ProofDutyOptions {
  client: RollupClient;
  sender: TxSender;
  chain: L2Chain;
  prover: Prover;
  wasmPath: string;
  zkeyPath: string;
  T: number;
  /** The rollup's L2 domain (`l2Domain(chainId, rollup)`): the transfers' signatures are checked under it. */
  domain: bigint;
  /** This agent's address: the submitter, and the payee bound into its proofs (a copied proof pays `me`). */
  me: string;
  store: Store;
  log: Logger;
  /**
   * Fallback source of the signed transfers of `sequencer`'s block at `height`, used only if they cannot be taken
   * from L1 (its `Revealed` log); whatever it returns is checked against L1 before use.
   */
  body?: (height: bigint, sequencer: string) => Promise<Transfer[]>;
  /** Batch path: post the proof unverified to the ProofAggregator (an aggregator verifies posts in batches). */
  post?: boolean;
  /** Fault injection for tests and the devnet: prove nothing, submit nothing (the deposit will be slashed). */
  withhold?: boolean | ((height: bigint) => boolean);
  /** Fault injection (scenarios): submit or post a proof that fails verification at these heights. */
  corrupt?: (height: bigint) => boolean;
  /** While true, finished proofs wait before being submitted (an offline prover). */
  paused?: () => boolean;
  /** Events for the owner (logs, metrics, status ladder). */
  onEvent?: (e: ProofEvent) => void;
  /** Who is assigned a height (default: Sidecar, the prover named by the winning proposal). */
  design?: ProvingDesignStrategy;
  /** Proofs per `submitBatch` (default 1: each proof alone through `submitProof`). Ignored without an aggregator. */
  batchSize?: number;
  /** Send the held proofs once the oldest one's proving deadline is this many L1 blocks away (AGENT_DEFAULTS). */
  batchDeadlineMarginBlocks?: number;
}

export type ProofEvent =
  | { kind: "proving"; height: bigint; sequencer: string }
  | { kind: "proven"; height: bigint; seconds: number }
  | { kind: "submitted"; height: bigint; gasUsed: bigint; late: boolean }
  | { kind: "withheld"; height: bigint }
  | { kind: "failed"; height: bigint; error: string };

interface StoredProof {
  height: bigint;
  sequencer: string;
  pubdata: string;
  proof: bigint[];
  submitted: boolean;
}

const NS = "proofs";
const key = (h: bigint) => h.toString().padStart(12, "0");

/** A finished proof held for the next batch. */
interface HeldProof {
  height: bigint;
  sequencer: string;
  pubdata: string;
  proof: bigint[];
  provingDeadline: bigint;
}

export class ProofDuty {
  private readonly jobs = new Map<bigint, Promise<void>>();
  private readonly done = new Set<bigint>();
  private next = 0n;
  /** Finished proofs waiting for a batch, by height (also in the store: a restarted agent queues them again). */
  private readonly held = new Map<bigint, HeldProof>();
  private flushing?: Promise<void>;
  /** After a batch failed its pairing check: send the held proofs one by one until the queue is empty. */
  private splitNext = false;
  /** Whether the Rollup has a ProofAggregator (read once; batching needs it). */
  private hasAggregator?: boolean;

  constructor(private readonly o: ProofDutyOptions) {}

  /** Finished proofs held for a batch. */
  get heldProofs(): number {
    return this.held.size;
  }

  /** Whether finished proofs are batched: batchSize > 1, not on the posting path, and the Rollup has an aggregator. */
  private async batching(): Promise<boolean> {
    if ((this.o.batchSize ?? 1) <= 1 || this.o.post === true) return false;
    if (this.hasAggregator === undefined) {
      const addr = await this.o.client.aggregatorAddress();
      this.hasAggregator = !/^0x0{40}$/i.test(addr);
      if (!this.hasAggregator) this.o.log.warn("batchSize > 1 but the Rollup has no ProofAggregator: proofs go one by one (submitProof)");
    }
    return this.hasAggregator;
  }

  /** Heights being proven or waiting to be submitted. */
  get inFlight(): number {
    return this.jobs.size;
  }

  /** Call once per L1 head: starts a job for each pending height assigned to `me` (idempotent). */
  async scan(nextBlock: bigint): Promise<void> {
    this.next = nextBlock;
    if (this.stopped) return;
    const pending = await this.o.client.pendingHeights();
    const design = this.o.design ?? sidecar;
    for (const h of pending) {
      if (this.jobs.has(h) || this.done.has(h)) continue;
      const info = await this.o.client.getHeight(h);
      if (info.status !== HeightStatus.Pending) continue;
      const p = await this.o.client.getProposal(h, info.winner);
      const take = takeHeightDecision({ me: this.o.me, height: h, busy: this.jobs.has(h), done: this.done.has(h), status: info.status, namedProver: p.prover }, design);
      if (take.kind !== "prove") continue;
      const job = this.run(h, info.winner).finally(() => this.jobs.delete(h));
      this.jobs.set(h, job);
    }
    if (this.held.size !== 0 && this.flushing === undefined) {
      this.flushing = this.flush().finally(() => (this.flushing = undefined));
      await this.flushing;
    }
  }

  /**
   * Sends held proofs if it is time (batchFlushDecision): the heights are read first, those no longer needed are
   * dropped (batchMembers), the rest go in one submitBatch (one alone: submitProof). A refused batch stays held and
   * is looked at again at the next head.
   */
  private async flush(): Promise<void> {
    const { client, log } = this.o;
    const decision = batchFlushDecision({
      next: this.next, batchSize: this.splitNext ? 1 : this.o.batchSize ?? 1, marginBlocks: this.o.batchDeadlineMarginBlocks ?? AGENT_DEFAULTS.batchDeadlineMarginBlocks,
      paused: this.o.paused?.() === true, queued: [...this.held.values()], proving: this.jobs.size,
    });
    if (decision.kind !== "send" || this.stopped) return;
    const views = await Promise.all(decision.heights.map(async (h) => ({ height: h, sequencer: this.held.get(h)!.sequencer, ...(await client.getHeight(h)) })));
    const { send, drop } = batchMembers(views);
    for (const h of drop) {
      log.info("held proof no longer needed: dropped from the batch", { height: h });
      this.held.delete(h);
      this.o.store.put(NS, key(h), { ...this.o.store.get<StoredProof>(NS, key(h))!, submitted: true });
    }
    if (send.length === 0) return;
    const items = send.map((h) => this.held.get(h)!);
    try {
      const r = items.length === 1
        ? await this.o.sender.send("submitProof", items[0]!.height, () => client.submitProof({ height: items[0]!.height, proof: items[0]!.proof as ProofWords, pubdata: items[0]!.pubdata, payee: this.o.me }))
        : await this.o.sender.send("submitBatch", items[0]!.height, () => client.submitBatch(items.map((i) => ({ height: i.height, proof: i.proof as ProofWords, payee: this.o.me, pubdata: i.pubdata }))));
      const share = r.gasUsed / BigInt(items.length);
      for (const i of items) {
        this.held.delete(i.height);
        this.o.store.put(NS, key(i.height), { height: i.height, sequencer: i.sequencer, pubdata: i.pubdata, proof: i.proof, submitted: true } satisfies StoredProof);
        const late = isLate(BigInt(r.blockNumber), i.provingDeadline);
        this.o.onEvent?.({ kind: "submitted", height: i.height, gasUsed: share, late });
      }
      log.info(items.length === 1 ? "proof submitted" : "proof batch submitted", { heights: send.join(","), reason: decision.reason, gas: r.gasUsed });
      if (this.held.size === 0) this.splitNext = false;
    } catch (e) {
      const name = contractErrorName(e);
      if (items.length === 1 && submitRefusal(name, false) === "proved-by-other") {
        log.info("someone proved it first", { height: items[0]!.height });
        this.held.delete(items[0]!.height);
        return;
      }
      const refusal = batchRefusal(name);
      if (refusal === "split") this.splitNext = true;
      if (e instanceof AgentError && e.code === "L1_REORG") log.warn("batch abandoned after an L1 reorg: held for the next head", { heights: send.join(",") });
      else log.warn("proof batch refused: held for the next head", { heights: send.join(","), refusal, error: errText(e) });
    }
  }

  /**
   * After an L1 reorg: forgets which heights are done, since a submitted proof may have been dropped with its block.
   * The next scan re-reads each height's status; a stored proof is submitted again (not proven again).
   */
  afterL1Reorg(): void {
    this.done.clear();
  }

  private stopped = false;

  /** Stops starting or waiting (a crash: nothing is awaited). */
  halt(): void {
    this.stopped = true;
  }

  /** Shutdown: jobs stop waiting for L1 and end (a proof being computed fails when its prover is closed). */
  async drain(): Promise<void> {
    this.halt();
    await Promise.allSettled([...this.jobs.values()]);
  }

  private proving: Promise<unknown> = Promise.resolve();

  /**
   * One proof at a time, queued here rather than inside the Prover: a proof queued in the Prover when it is closed
   * would start a new prover process after the close. A stopped duty starts nothing (returns undefined).
   */
  private proveOne(input: Record<string, unknown>): Promise<Awaited<ReturnType<Prover["prove"]>> | undefined> {
    const run = async () => (this.stopped ? undefined : this.o.prover.prove({ wasmPath: this.o.wasmPath, zkeyPath: this.o.zkeyPath, input }));
    const p = this.proving.then(run, run);
    this.proving = p.catch(() => undefined);
    return p;
  }

  private async run(h: bigint, sequencer: string): Promise<void> {
    const { client, log } = this.o;
    try {
      if (withholdDecision(h, this.o.withhold)) {
        log.warn("withholding the proof (fault injection)", { height: h });
        this.o.onEvent?.({ kind: "withheld", height: h });
        this.done.add(h);
        return;
      }
      // The phase boundaries of h (fixed by the config): proofs are checked and sent from the end of its commit phase.
      const t = await client.timeline(h);
      let stored = this.o.store.get<StoredProof>(NS, key(h));
      if (!stored || stored.sequencer.toLowerCase() !== sequencer.toLowerCase()) {
        this.o.onEvent?.({ kind: "proving", height: h, sequencer });
        const info = await client.getHeight(h);
        const parentState = await this.o.chain.stateAt(info.parent);
        const revealed = await client.revealedBlock(h, sequencer);
        let block: BlockResult;
        try {
          block = blockFromL1(parentState, revealed, this.o.T, this.o.domain);
        } catch (e) {
          if (!this.o.body) throw e;
          log.warn("block not provable from L1 data, trying the fallback body source", { height: h, error: errText(e) });
          block = checkBody(parentState, await this.o.body(h, sequencer), revealed, this.o.T, this.o.domain);
        }
        const t0 = performance.now();
        const proved = await this.proveOne(withPayee(block.circuitInput, this.o.me).circuitInput as unknown as Record<string, unknown>);
        if (proved === undefined) return; // stopped
        const seconds = (performance.now() - t0) / 1000;
        // The contract rebuilds the inputs from L1: a mismatch here would only waste gas. It answers only once the
        // height is decided (end of its commit phase): a fast proof waits for it instead of failing and proving again.
        let onChain: bigint[] | undefined;
        while (onChain === undefined) {
          while (this.next < t.commitEnd && !this.stopped) await sleep(100);
          if (this.stopped) return;
          try {
            onChain = await client.publicInputsOf(h, revealed.pubdata, this.o.me);
          } catch (e) {
            if (!isContractError(e, "Rollup__HeightNotDecided") || this.next > t.commitEnd + 2n) throw e;
            await sleep(200);
          }
        }
        if (onChain.length !== proved.publicSignals.length || onChain.some((x, i) => x !== proved.publicSignals[i])) {
          throw new AgentError("BODY_MISMATCH", `height ${h}: public inputs differ from the contract's`);
        }
        stored = { height: h, sequencer, pubdata: revealed.pubdata, proof: proved.proof, submitted: false };
        this.o.store.put(NS, key(h), stored);
        log.info("proof ready", { height: h, seconds: seconds.toFixed(2) });
        this.o.onEvent?.({ kind: "proven", height: h, seconds });
      }
      // Submitting is allowed from the end of the commit phase (the winner is final then).
      const view = (): SubmitView => ({ next: this.next, commitEnd: t.commitEnd, paused: this.o.paused?.() === true, sequencer, post: this.o.post === true, corrupt: this.o.corrupt?.(h) === true });
      let action = submitDecision(view());
      while (action.kind === "wait" && !this.stopped) {
        await sleep(100);
        action = submitDecision(view());
      }
      if (this.stopped) return;
      const info = await client.getHeight(h);
      action = submitDecision({ ...view(), height: info });
      if (action.kind === "drop") {
        log.info("proof no longer needed", { height: h, status: HeightStatus[info.status] });
        this.done.add(h);
        return;
      }
      if (action.kind !== "post" && action.kind !== "submit") return; // the wait is over: cannot happen, the height was read
      const corrupt = action.corrupt;
      // Batching: hold the proof (it is in the store already) for the next batch; an injected invalid proof goes alone.
      if (action.kind === "submit" && !corrupt && (await this.batching())) {
        this.held.set(h, { height: h, sequencer, pubdata: stored.pubdata, proof: stored.proof, provingDeadline: t.provingDeadline });
        log.info("proof held for a batch", { height: h, held: this.held.size });
        this.done.add(h);
        return;
      }
      try {
        const proof = (corrupt ? corruptProof(stored.proof) : stored.proof) as ProofWords;
        if (corrupt) log.warn("sending an invalid proof (fault injection)", { height: h });
        const r = action.kind === "post"
          ? await this.o.sender.send("postProof", h, async () => (await client.aggregator()).postProof(h, proof, this.o.me))
          : await this.o.sender.send("submitProof", h, () => client.submitProof({ height: h, proof, pubdata: stored!.pubdata, payee: this.o.me }));
        const late = isLate(this.next, t.provingDeadline);
        this.o.store.put(NS, key(h), { ...stored, submitted: true });
        log.info(this.o.post ? "proof posted" : "proof submitted", { height: h, gas: r.gasUsed, late });
        this.o.onEvent?.({ kind: "submitted", height: h, gasUsed: r.gasUsed, late });
      } catch (e) {
        const refusal = submitRefusal(contractErrorName(e), corrupt);
        if (refusal === "proved-by-other") log.info("someone proved it first", { height: h });
        else if (refusal === "invalid-refused") log.warn("invalid proof refused", { height: h, error: errText(e) });
        else throw e;
      }
      this.done.add(h);
    } catch (e) {
      if (this.stopped) return; // shutdown: the prover was closed under the job
      // An L1 reorg made the agent stop waiting for its submission: the next scan looks at the height again.
      if (e instanceof AgentError && e.code === "L1_REORG") log.warn("submission abandoned after an L1 reorg: checking the height again", { height: h });
      else log.error("proving failed", { height: h, error: errText(e) });
      this.o.onEvent?.({ kind: "failed", height: h, error: errText(e) });
      // Not marked done: the next scan retries (the body may become available, the node may come back).
    }
  }
}

/** What `RollupClient.revealedBlock` returns that a block check needs. */
export interface RevealedData {
  newRoot: bigint;
  pubdata: string;
  signatures: string;
}

/**
 * Re-executes `txs` on `parent` and checks they give exactly the revealed pubdata and root.
 * @throws AgentError BODY_MISMATCH (or the L2 rules' error for an invalid transfer)
 */
export function checkBody(parent: L2State, txs: readonly Transfer[], revealed: Pick<RevealedData, "newRoot" | "pubdata">, T: number, domain: bigint): BlockResult {
  const block = executeBlock(parent, [...txs], T, domain);
  if (hex(block.pubdata) !== revealed.pubdata.toLowerCase() || block.newRoot !== revealed.newRoot) {
    throw new AgentError("BODY_MISMATCH", "the block body does not rebuild the revealed pubdata/root");
  }
  return block;
}

/** The block as revealed on L1: transfers from its pubdata + signatures (nonces from `parent`), re-executed and checked. */
export function blockFromL1(parent: L2State, revealed: RevealedData, T: number, domain: bigint): BlockResult {
  const bytes = (x: string) => Uint8Array.from(Buffer.from(x.replace(/^0x/, ""), "hex"));
  const txs = transfersFromL1(parent, bytes(revealed.pubdata), bytes(revealed.signatures));
  return checkBody(parent, txs, revealed, T, domain);
}

/** A proof that fails verification but is well formed: A negated (still on the curve, so verifiers return false). */
export function corruptProof(proof: readonly bigint[]): bigint[] {
  const out = [...proof];
  out[1] = (FIELD_P - out[1]!) % FIELD_P;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
