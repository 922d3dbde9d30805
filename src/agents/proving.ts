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
 * Batching (`batchSize` > 1, a Rollup with a ProofAggregator): finished proofs are held (kept in the store, so a crash
 * loses nothing) and go out together in one `ProofAggregator.submitBatch`, across provers: submitBatch binds each
 * proof's payee as a public input, so whoever sends a batch, every author is paid. A prover whose next height's proof
 * is a peer's hands what it holds to that peer (POST `/proofs` on the peer's quote server; the peer verifies each
 * proof off chain before queueing it) and the prover of the highest height sends the batch and pays its gas (there is
 * no aggregation reward in submitBatch). The decisions are in decisions/prover.ts (batchFlushDecision): send when
 * `batchSize` are held, when the oldest deadline is `batchDeadlineMarginBlocks` away, or when no further proof can
 * join in time; a lone proof goes through `Rollup.submitProof` (cheaper than a batch of one). Heights proven or
 * reorged meanwhile are dropped first. An author keeps every proof it handed over and sends it itself if it is still
 * unproven `forwardFallbackMarginBlocks` before its deadline (forwardFallbackDecision): a peer that withholds costs
 * latency, not the deadline.
 */
import { executeBlock, transfersFromL1, withPayee, type BlockResult, type L2State, type Transfer } from "../l2/index.js";
import { HeightStatus, contractErrorName, isContractError, type ProofWords, type RollupClient } from "../client/index.js";
import type { Prover } from "../zk/prover.js";
import { BN254_BASE_MODULUS as FIELD_P } from "../protocol.js";
import type { Store } from "../store/index.js";
import { AgentError, errText, hex, type L2Chain, type Logger, type TxSender } from "./common.js";
import { batchFlushDecision, batchMembers, batchRefusal, forwardFallbackDecision, handoverDecision, isLate, type BatchSuccessor, submitDecision, submitRefusal, takeHeightDecision, withholdDecision, type SubmitView } from "./decisions/prover.js";
import { AGENT_DEFAULTS } from "../defaults.js";
import { verifySingle } from "../zk/batchVerify.js";
import type { VerificationKey } from "../zk/libs.js";
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
  /** Send an own proof handed to a peer ourselves once its deadline is this many L1 blocks away, if still unproven (AGENT_DEFAULTS). */
  forwardFallbackMarginBlocks?: number;
  /**
   * The hand-over URL of a prover (by address) that takes finished proofs for its batch, or undefined: without it,
   * a prover batches only what it holds itself.
   */
  peerUrl?: (prover: string) => Promise<string | undefined>;
  /** Hands proofs to a peer (POST `/proofs`); returns the heights it queued. Default: HTTP (handOver). */
  handOver?: (url: string, proofs: HandedProof[]) => Promise<bigint[]>;
  /** The circuit's verification key: proofs handed over by peers are checked with it (without it they are refused). */
  vkey?: VerificationKey;
  /** How a handed-over proof is checked against its public inputs (default: verifySingle with `vkey`). */
  verify?: (proof: readonly bigint[], inputs: readonly bigint[]) => boolean;
}

/** A finished proof as handed from one prover to another (POST `/proofs`). */
export interface HandedProof {
  height: bigint;
  /** The sequencer whose block it proves (the height's winner). */
  sequencer: string;
  pubdata: string;
  proof: bigint[];
  /** The payee bound in the proof (its author): paid whoever sends it. */
  payee: string;
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
  /** Handed to this peer URL for its batch (a restarted agent keeps it as handed over, with the fallback). */
  forwardedTo?: string;
}

/** A proof a peer handed over, kept until it is sent or no longer needed. */
interface StoredHandover extends HandedProof {
  provingDeadline: bigint;
  submitted: boolean;
}

const NS = "proofs";
/** Proofs handed over by peers (their heights are not this agent's: kept apart from its own). */
const HANDOVERS = "handovers";
const key = (h: bigint) => h.toString().padStart(12, "0");

/** A finished proof held for the next batch: this agent's own (payee `me`) or one handed over by a peer. */
interface HeldProof {
  height: bigint;
  sequencer: string;
  pubdata: string;
  proof: bigint[];
  provingDeadline: bigint;
  payee: string;
  own: boolean;
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
  /** Own proofs handed to a peer, by height: sent by us after all if still unproven near their deadline. */
  private readonly forwarded = new Map<bigint, HeldProof>();
  /** L1 blocks from a height's commit-phase end to its proof being ready, of the last few own proofs. */
  private readonly lags: bigint[] = [];
  /** Handed-over proofs already verified (height:payee:proof), so that a proof coming back is not checked again. */
  private readonly verified = new Set<string>();
  private resumed = false;

  constructor(private readonly o: ProofDutyOptions) {}

  /** Finished proofs held for a batch. */
  get heldProofs(): number {
    return this.held.size;
  }

  /** Own proofs handed to a peer and not yet settled. */
  get handedOver(): number {
    return this.forwarded.size;
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
    if (!this.resumed) this.resumeHandovers();
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
    if ((this.held.size !== 0 || this.forwarded.size !== 0) && this.flushing === undefined) {
      this.flushing = this.flush().finally(() => (this.flushing = undefined));
      await this.flushing;
    }
  }

  /** Proofs handed over before a restart, not yet sent: queued again (flush drops those no longer needed). */
  private resumeHandovers(): void {
    this.resumed = true;
    for (const [, p] of this.o.store.list<StoredHandover>(HANDOVERS)) {
      if (p.submitted || this.held.has(p.height)) continue;
      this.held.set(p.height, { height: p.height, sequencer: p.sequencer, pubdata: p.pubdata, proof: p.proof, provingDeadline: p.provingDeadline, payee: p.payee, own: false });
    }
  }

  /** Marks a held proof as sent or no longer needed (in the store too). */
  private settle(h: bigint): void {
    const p = this.held.get(h) ?? this.forwarded.get(h);
    this.held.delete(h);
    this.forwarded.delete(h);
    if (p === undefined) return;
    if (p.own) this.o.store.put(NS, key(h), { height: h, sequencer: p.sequencer, pubdata: p.pubdata, proof: p.proof, submitted: true } satisfies StoredProof);
    else this.o.store.put(HANDOVERS, key(h), { ...toHanded(p), provingDeadline: p.provingDeadline, submitted: true } satisfies StoredHandover);
  }

  /**
   * The proving lag this agent assumes for the next proof: the least of its last few own proofs (0 before any). An
   * optimistic guess on purpose: guessing short costs at most a wait until the deadline margin (latency of the held
   * heights only), guessing long sends a batch too early (a full submitProof more; measured on the T=8 devnet with
   * the most of the last 3: a proof ready 3 s after its neighbour went alone).
   */
  private lag(): bigint {
    return this.lags.length === 0 ? 0n : this.lags.reduce((m, x) => (x < m ? x : m));
  }

  /**
   * The next height above `above` whose proof could join a batch: skips heights proven already and decided heights
   * nobody won (empty); undefined if a reorged height comes first or nothing is found in a few heights.
   */
  private async successor(above: bigint): Promise<BatchSuccessor | undefined> {
    const { client } = this.o;
    for (let s = above + 1n; s <= above + 4n; s++) {
      const [info, t] = await Promise.all([client.getHeight(s), client.timeline(s)]);
      const expectedReady = t.commitEnd + this.lag() > this.next ? t.commitEnd + this.lag() : this.next;
      if (info.status === HeightStatus.Pending) {
        const prover = (await client.getProposal(s, info.winner)).prover;
        if (prover.toLowerCase() === this.o.me.toLowerCase()) return { height: s, prover: "me", expectedReady };
        const url = await this.o.peerUrl?.(prover);
        return url === undefined ? { height: s, prover: "other", expectedReady } : { height: s, prover: "peer", url, expectedReady };
      }
      if (info.status === HeightStatus.None) {
        if (this.next <= t.commitEnd) return { height: s, prover: "undecided", expectedReady };
        continue; // decided and empty
      }
      if (info.status === HeightStatus.Reorged) return undefined;
      // proven already: nothing to join there
    }
    return undefined;
  }

  /**
   * Sends or hands over held proofs if it is time (batchFlushDecision); first takes back own proofs handed to a peer
   * that are still unproven near their deadline (forwardFallbackDecision). Before sending, the heights are read and
   * those no longer needed dropped (batchMembers); the rest go in one submitBatch (one alone: submitProof). A refused
   * batch stays held and is looked at again at the next head; a refused hand-over is sent by us at once.
   */
  private async flush(): Promise<void> {
    const { client, log } = this.o;
    const fallbackMargin = this.o.forwardFallbackMarginBlocks ?? AGENT_DEFAULTS.forwardFallbackMarginBlocks;
    for (const h of forwardFallbackDecision(this.next, [...this.forwarded.values()], fallbackMargin)) {
      const p = this.forwarded.get(h)!;
      const info = await client.getHeight(h);
      if (batchMembers([{ height: h, sequencer: p.sequencer, ...info }]).send.length === 0) {
        this.settle(h); // the peer's batch landed (or the height moved): nothing to take back, nothing to count
        continue;
      }
      this.forwarded.delete(h);
      this.held.set(h, p);
      this.o.store.put(NS, key(h), { height: h, sequencer: p.sequencer, pubdata: p.pubdata, proof: p.proof, submitted: false } satisfies StoredProof);
      log.info("handed-over proof near its deadline: sending it ourselves if still needed", { height: h });
    }
    // A peer's hand-over being checked (receive) may bring proofs back or add the next ones: deciding meanwhile
    // forwarded a partial set back and forth and sent half batches (measured on the T=8 devnet: 7 of 13 batches had
    // 3-5 heights). Decide at the next head instead; a receive lasts well under a block.
    // A head whose decision was deferred for a hand-over decides the next time whatever comes in (deferForHandOver).
    const mayDefer = !this.deferred;
    this.deferred = false;
    if (this.held.size === 0 || this.deferForHandOver(mayDefer)) return;
    const size = this.splitNext ? 1 : this.o.batchSize ?? 1;
    const margin = this.o.batchDeadlineMarginBlocks ?? AGENT_DEFAULTS.batchDeadlineMarginBlocks;
    const queued = [...this.held.values()];
    const maxHeld = queued.reduce((m, q) => (q.height > m ? q.height : m), 0n);
    const base = { next: this.next, batchSize: size, marginBlocks: margin, paused: this.o.paused?.() === true, queued };
    // The successor is read only when the decision could depend on it.
    let decision = batchFlushDecision({ ...base, successor: { height: maxHeld + 1n, prover: "me", expectedReady: this.next } });
    if (decision.kind === "wait" && decision.reason === "filling") decision = batchFlushDecision({ ...base, successor: await this.successor(maxHeld) });
    if (decision.kind === "wait" || this.stopped) return;
    if (!(decision.kind === "send" && decision.reason === "deadline") && this.deferForHandOver(mayDefer)) return;
    if (decision.kind === "forward") {
      if (await this.forward(decision.heights, decision.url)) return;
      decision = { kind: "send", heights: [], reason: "nothing-joins" }; // the hand-over failed: we send
    }
    // Proofs that arrived while this was decided (a hand-over, an own proof) join: the lowest heights, at most the size.
    const heights = [...this.held.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, Math.max(1, size));
    const views = await Promise.all(heights.map(async (h) => ({ height: h, sequencer: this.held.get(h)!.sequencer, ...(await client.getHeight(h)) })));
    const { send, drop } = batchMembers(views);
    for (const h of drop) {
      log.info("held proof no longer needed: dropped from the batch", { height: h });
      this.settle(h);
    }
    if (send.length === 0) return;
    const items = send.map((h) => this.held.get(h)!);
    try {
      const r = items.length === 1
        ? await this.o.sender.send("submitProof", items[0]!.height, () => client.submitProof({ height: items[0]!.height, proof: items[0]!.proof as ProofWords, pubdata: items[0]!.pubdata, payee: items[0]!.payee }))
        : await this.o.sender.send("submitBatch", items[0]!.height, () => client.submitBatch(items.map((i) => ({ height: i.height, proof: i.proof as ProofWords, payee: i.payee, pubdata: i.pubdata }))));
      const share = r.gasUsed / BigInt(items.length);
      for (const i of items) {
        this.settle(i.height);
        const late = isLate(BigInt(r.blockNumber), i.provingDeadline);
        this.o.onEvent?.({ kind: "submitted", height: i.height, gasUsed: share, late });
      }
      log.info(items.length === 1 ? "proof submitted" : "proof batch submitted", { heights: send.join(","), reason: decision.reason, gas: r.gasUsed, handedOver: items.filter((i) => !i.own).length });
      if (this.held.size === 0) this.splitNext = false;
    } catch (e) {
      const name = contractErrorName(e);
      if (items.length === 1 && submitRefusal(name, false) === "proved-by-other") {
        log.info("someone proved it first", { height: items[0]!.height });
        this.settle(items[0]!.height);
        return;
      }
      const refusal = batchRefusal(name);
      if (refusal === "split") this.splitNext = true;
      if (e instanceof AgentError && e.code === "L1_REORG") log.warn("batch abandoned after an L1 reorg: held for the next head", { heights: send.join(",") });
      else log.warn("proof batch refused: held for the next head", { heights: send.join(","), refusal, error: errText(e) });
    }
  }

  /**
   * Hands the held proofs to the peer that proves the next height: its own ones are kept as handed over (for the
   * fallback), the peers' ones are forgotten (their authors keep theirs). False if the peer took none.
   */
  private async forward(heights: bigint[], url: string): Promise<boolean> {
    const items = heights.map((h) => this.held.get(h)!);
    let accepted: bigint[];
    try {
      accepted = await (this.o.handOver ?? handOver)(url, items.map(toHanded));
    } catch (e) {
      this.o.log.warn("hand-over failed: sending the proofs ourselves", { url, heights: heights.join(","), error: errText(e) });
      return false;
    }
    const took = new Set(accepted.map(String));
    for (const i of items) {
      if (!took.has(String(i.height))) continue;
      this.held.delete(i.height);
      if (i.own) {
        this.forwarded.set(i.height, i);
        this.o.store.put(NS, key(i.height), { height: i.height, sequencer: i.sequencer, pubdata: i.pubdata, proof: i.proof, submitted: false, forwardedTo: url } satisfies StoredProof);
      } else {
        this.o.store.put(HANDOVERS, key(i.height), { ...toHanded(i), provingDeadline: i.provingDeadline, submitted: true } satisfies StoredHandover);
      }
    }
    this.o.log.info("proofs handed over for the next prover's batch", { url, heights: accepted.join(","), kept: items.length - took.size });
    return took.size !== 0;
  }

  /**
   * A peer hands over finished proofs for this agent's batch (POST `/proofs`). Each is queued only if its height is
   * pending with the proven block as winner, not queued already, and the proof verifies off chain against the
   * public inputs the Rollup rebuilds with its payee (handoverDecision): a bad proof would make the batch revert.
   * An own proof coming back (handed over earlier) is queued again without a check. Returns the queued heights.
   */
  async receive(proofs: readonly HandedProof[]): Promise<{ accepted: bigint[]; refused: { height: bigint; reason: string }[] }> {
    this.receiving++;
    try {
      return await this.receiveNow(proofs);
    } finally {
      this.receiving--;
    }
  }

  /** Hand-overs being checked now: the batch decision waits for them (flush). */
  private receiving = 0;
  private deferred = false;

  /**
   * Whether this head's batch decision waits for a hand-over being checked: one head at a time, never twice in a row
   * (the `/proofs` route is open: a stream of junk hand-overs must not hold the batch back), and never a send forced
   * by a deadline (the caller's check).
   */
  private deferForHandOver(mayDefer: boolean): boolean {
    if (this.receiving === 0 || !mayDefer) return false;
    this.deferred = true;
    return true;
  }

  private async receiveNow(proofs: readonly HandedProof[]): Promise<{ accepted: bigint[]; refused: { height: bigint; reason: string }[] }> {
    const { client, log } = this.o;
    const accepted: bigint[] = [];
    const refused: { height: bigint; reason: string }[] = [];
    const maxQueued = 4 * Math.max(1, this.o.batchSize ?? 1);
    if (this.stopped || !(await this.batching())) return { accepted, refused: proofs.map((p) => ({ height: p.height, reason: "not-batching" })) };
    for (const p of proofs) {
      const mine = this.forwarded.get(p.height);
      if (mine !== undefined && p.payee.toLowerCase() === this.o.me.toLowerCase() && sameProof(mine.proof, p.proof)) {
        this.forwarded.delete(p.height);
        this.held.set(p.height, mine);
        this.o.store.put(NS, key(p.height), { height: p.height, sequencer: mine.sequencer, pubdata: mine.pubdata, proof: mine.proof, submitted: false } satisfies StoredProof);
        accepted.push(p.height);
        continue;
      }
      try {
        const info = await client.getHeight(p.height);
        const d = handoverDecision({
          status: info.status, winner: info.winner, sequencer: p.sequencer, queued: this.held.has(p.height) || this.forwarded.has(p.height),
          provingItself: this.jobs.has(p.height), queuedCount: this.held.size, maxQueued,
        });
        if (d.kind === "refuse") {
          refused.push({ height: p.height, reason: d.reason });
          continue;
        }
        const id = `${p.height}:${p.payee.toLowerCase()}:${p.proof.join(",")}`;
        if (!this.verified.has(id)) {
          const vkey = this.o.vkey;
          const verify = this.o.verify ?? (vkey === undefined ? undefined : (proof: readonly bigint[], inputs: readonly bigint[]) => verifySingle(vkey, proof, inputs));
          if (verify === undefined) {
            refused.push({ height: p.height, reason: "no-verification-key" });
            continue;
          }
          const inputs = await client.publicInputsOf(p.height, p.pubdata, p.payee);
          let valid: boolean;
          try {
            valid = verify(p.proof, inputs);
          } catch {
            valid = false; // malformed (a point off the curve)
          }
          if (!valid) {
            log.warn("a peer handed over an invalid proof: refused", { height: p.height, payee: p.payee });
            refused.push({ height: p.height, reason: "invalid-proof" });
            continue;
          }
          this.verified.add(id);
        }
        const t = await client.timeline(p.height);
        const held: HeldProof = { height: p.height, sequencer: p.sequencer, pubdata: p.pubdata, proof: [...p.proof], provingDeadline: t.provingDeadline, payee: p.payee, own: false };
        this.o.store.put(HANDOVERS, key(p.height), { ...toHanded(held), provingDeadline: t.provingDeadline, submitted: false } satisfies StoredHandover);
        this.held.set(p.height, held);
        accepted.push(p.height);
      } catch (e) {
        refused.push({ height: p.height, reason: errText(e) });
      }
    }
    if (accepted.length !== 0) log.info("proofs handed over by a peer queued", { heights: accepted.join(","), held: this.held.size });
    return { accepted, refused };
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
        const lag = this.next - t.commitEnd;
        this.lags.push(lag > 0n ? lag : 0n);
        if (this.lags.length > 3) this.lags.shift();
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
        const held: HeldProof = { height: h, sequencer, pubdata: stored.pubdata, proof: stored.proof, provingDeadline: t.provingDeadline, payee: this.o.me, own: true };
        if (stored.forwardedTo !== undefined) {
          this.forwarded.set(h, held); // handed over before a restart: the peer sends it, or we do near the deadline
          log.info("proof handed over before a restart: kept for the fallback", { height: h, peer: stored.forwardedTo });
        } else {
          this.held.set(h, held);
          log.info("proof held for a batch", { height: h, held: this.held.size });
        }
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

function toHanded(p: HeldProof): HandedProof {
  return { height: p.height, sequencer: p.sequencer, pubdata: p.pubdata, proof: p.proof, payee: p.payee };
}

function sameProof(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** JSON of a hand-over (POST `/proofs`): numbers as decimal strings. */
export function handedToJSON(proofs: readonly HandedProof[]): unknown {
  return { proofs: proofs.map((p) => ({ height: p.height.toString(), sequencer: p.sequencer, pubdata: p.pubdata, proof: p.proof.map(String), payee: p.payee })) };
}

/**
 * Parses a hand-over body; throws AgentError BAD_REQUEST on anything malformed (at most 16 proofs, 8 proof words in
 * the field, addresses and hex pubdata).
 */
export function handedFromJSON(body: unknown): HandedProof[] {
  const bad = (m: string) => new AgentError("BAD_REQUEST", m);
  const list = (body as { proofs?: unknown } | null)?.proofs;
  if (!Array.isArray(list) || list.length === 0 || list.length > 16) throw bad("proofs must be an array of 1..16");
  const dec = (x: unknown, what: string) => {
    if (typeof x !== "string" || !/^[0-9]{1,78}$/.test(x)) throw bad(`${what} must be a decimal string`);
    return BigInt(x);
  };
  const addr = (x: unknown, what: string) => {
    if (typeof x !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(x)) throw bad(`${what} must be an address`);
    return x;
  };
  return list.map((p: Record<string, unknown>) => {
    if (typeof p !== "object" || p === null) throw bad("a proof must be an object");
    if (!Array.isArray(p.proof) || p.proof.length !== 8) throw bad("proof must be 8 words");
    const proof = p.proof.map((w, i) => dec(w, `proof[${i}]`));
    if (proof.some((w) => w >= FIELD_P)) throw bad("proof words must be below the field modulus");
    if (typeof p.pubdata !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(p.pubdata)) throw bad("pubdata must be hex");
    return { height: dec(p.height, "height"), sequencer: addr(p.sequencer, "sequencer"), pubdata: p.pubdata, proof, payee: addr(p.payee, "payee") };
  });
}

/** Hands proofs to a peer prover over HTTP (POST `<url>/proofs`); returns the heights it queued. */
export async function handOver(url: string, proofs: readonly HandedProof[], timeoutMs = 10_000): Promise<bigint[]> {
  const res = await fetch(url.replace(/\/+$/, "") + "/proofs", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(handedToJSON(proofs)), signal: AbortSignal.timeout(timeoutMs),
  });
  const j = (await res.json()) as { ok?: boolean; accepted?: unknown };
  if (!res.ok || j.ok !== true || !Array.isArray(j.accepted)) throw new AgentError("BAD_RESPONSE", `hand-over to ${url}: HTTP ${res.status}`);
  return j.accepted.map((x) => BigInt(String(x)));
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
