/**
 * Mempool of signed L2 transfers, as a sequencer keeps it.
 *
 * Validation (on `add`) is against a view of the *pending* L2 state (the state after the last block this node builds
 * on): ranges, both accounts exist, the EdDSA signature verifies under the sender's key, nonce >= the account's nonce
 * (and at most `maxNonceGap` ahead, so that one sender cannot fill the pool with transactions that can never run),
 * amount + fee <= the sender's balance. A transaction whose nonce is ahead of the account's waits ("queued") until
 * the ones before it arrive or are included.
 *
 * Selection (`select(T)`) is fees first: repeatedly take the highest-fee transaction among the senders' next
 * executable transactions (the one whose nonce equals the sender's running nonce), so each sender's nonces stay
 * consecutive inside the block, and simulate balances as it goes (a head that cannot pay at its turn, or would
 * overflow its receiver, blocks its sender for this block; it stays in the pool). Ties: earlier arrival, then the
 * smaller tx id. The result is a valid block body for `executeBlock` on the same view.
 *
 * Replacement: a transaction with the same (sender, nonce) as one in the pool replaces it only with a strictly
 * higher fee. Capacity: at `maxSize`, a newcomer evicts the lowest-fee transaction (ties: the latest arrival) if it
 * pays strictly more, else it is refused (POOL_FULL). Eviction can leave a gap in a sender's nonces; its later
 * transactions then wait like any future-nonce transaction.
 *
 * Errors: rule violations of the L2 are `L2Error` (OUT_OF_RANGE, UNKNOWN_ACCOUNT, BAD_SIGNATURE, OVERSPEND,
 * NONCE_OVERFLOW); pool policy is `MempoolError`.
 */
import { L2Error, U32_MAX, U64_MAX, checkDomain, checkTransferRanges, verifyTransfer, transferToJSON, type Point, type Transfer, type TransferJSON } from "../l2/index.js";
import { txIdOf, type TxId } from "./txid.js";
import { FernetError } from "../errors.js";
import { MEMPOOL_DEFAULTS } from "../defaults.js";

export type MempoolErrorCode =
  | "DUPLICATE" // this exact transaction (same tx id) is already in the pool
  | "NONCE_TOO_LOW" // nonce below the sender's account nonce (already used)
  | "NONCE_TOO_FAR" // nonce more than maxNonceGap ahead of the account nonce
  | "REPLACEMENT_UNDERPRICED" // same sender and nonce as a pooled tx, fee not strictly higher
  | "POOL_FULL" // pool at maxSize and the fee does not beat the cheapest pooled tx
  | "BAD_OPTION"; // a constructor option out of range

/** Typed error of the pool's policy (`code` is stable). */
export class MempoolError extends FernetError<MempoolErrorCode> {
  constructor(code: MempoolErrorCode, message: string) {
    super(code, message);
  }
}

/** What the pool needs from the L2 state (`L2State` satisfies it). */
export interface AccountView {
  getAccount(index: number): { publicKey: Point; balance: bigint; nonce: number } | undefined;
}

export interface MempoolOptions {
  /** The rollup's L2 domain (`l2Domain(chainId, rollup)`): signatures are checked under it. */
  domain: bigint;
  /** Maximum number of pooled transactions (default 4096). */
  maxSize?: number;
  /** How far ahead of the account nonce a nonce may be (default 64). */
  maxNonceGap?: number;
  /** Clock for `addedAt` (default Date.now). */
  now?: () => number;
}

export interface PoolEntry {
  txId: TxId;
  tx: Transfer;
  /** Monotone arrival counter (tie-break: earlier first). */
  arrival: number;
  /** Wall-clock time of arrival, ms. */
  addedAt: number;
}

export interface AddResult {
  txId: TxId;
  /** True if the nonce equals the account's pending nonce, i.e. it can go into the next block as is. */
  executable: boolean;
  /** Tx id of the pooled transaction with the same (sender, nonce) that this one replaced. */
  replaced?: TxId;
  /** Tx id of the lowest-fee transaction evicted to make room. */
  evicted?: TxId;
}

export interface ReinsertResult {
  accepted: AddResult[];
  rejected: { tx: Transfer; txId?: TxId; error: L2Error | MempoolError }[];
}

export class Mempool {
  readonly maxSize: number;
  readonly maxNonceGap: number;
  /** The L2 domain the pool checks signatures under. */
  readonly domain: bigint;
  private view: AccountView;
  private readonly now: () => number;
  private readonly byId = new Map<TxId, PoolEntry>();
  /** sender -> nonce -> entry */
  private readonly bySender = new Map<number, Map<number, PoolEntry>>();
  private arrivals = 0;

  constructor(view: AccountView, opts: MempoolOptions) {
    checkDomain(opts.domain);
    this.domain = opts.domain;
    this.maxSize = opts.maxSize ?? MEMPOOL_DEFAULTS.maxSize;
    this.maxNonceGap = opts.maxNonceGap ?? MEMPOOL_DEFAULTS.maxNonceGap;
    if (!Number.isInteger(this.maxSize) || this.maxSize < 1) throw new MempoolError("BAD_OPTION", `maxSize must be a positive integer`);
    if (!Number.isInteger(this.maxNonceGap) || this.maxNonceGap < 0) throw new MempoolError("BAD_OPTION", `maxNonceGap must be a non-negative integer`);
    this.view = view;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.byId.size;
  }

  has(txId: TxId): boolean {
    return this.byId.has(txId);
  }

  get(txId: TxId): PoolEntry | undefined {
    return this.byId.get(txId);
  }

  /** All entries in arrival order. */
  entries(): PoolEntry[] {
    return [...this.byId.values()].sort((a, b) => a.arrival - b.arrival);
  }

  /** The next nonce a sender should use: account nonce in the view plus its consecutive pooled transactions. */
  pendingNonce(index: number): number | undefined {
    const acct = this.view.getAccount(index);
    if (!acct) return undefined;
    const mine = this.bySender.get(index);
    let n = acct.nonce;
    while (mine?.has(n)) n++;
    return n;
  }

  /**
   * Validates and pools a transfer. Throws L2Error / MempoolError (see the file comment); nothing changes on error.
   */
  add(tx: Transfer): AddResult {
    checkTransferRanges(tx);
    const txId = txIdOf(tx);
    if (this.byId.has(txId)) throw new MempoolError("DUPLICATE", `transaction ${txId} is already pooled`);
    const sender = tx.from === 0 ? undefined : this.view.getAccount(tx.from);
    if (!sender) throw new L2Error("UNKNOWN_ACCOUNT", `sender ${tx.from} does not exist`);
    if (tx.to === 0 || !this.view.getAccount(tx.to)) throw new L2Error("UNKNOWN_ACCOUNT", `receiver ${tx.to} does not exist`);
    if (tx.nonce < sender.nonce) throw new MempoolError("NONCE_TOO_LOW", `nonce ${tx.nonce} already used: account ${tx.from} is at ${sender.nonce}`);
    if (tx.nonce > sender.nonce + this.maxNonceGap) {
      throw new MempoolError("NONCE_TOO_FAR", `nonce ${tx.nonce} is more than ${this.maxNonceGap} ahead of account ${tx.from}'s nonce ${sender.nonce}`);
    }
    if (BigInt(tx.nonce) + 1n > U32_MAX) throw new L2Error("NONCE_OVERFLOW", `nonce ${tx.nonce} would overflow account ${tx.from}'s nonce`);
    if (tx.amount + tx.fee > sender.balance) {
      throw new L2Error("OVERSPEND", `amount + fee = ${tx.amount + tx.fee} exceeds balance ${sender.balance} of account ${tx.from}`);
    }
    const existing = this.bySender.get(tx.from)?.get(tx.nonce);
    if (existing && tx.fee <= existing.tx.fee) {
      throw new MempoolError("REPLACEMENT_UNDERPRICED", `account ${tx.from} nonce ${tx.nonce} is pooled with fee ${existing.tx.fee}; a replacement must pay more`);
    }
    let evicted: PoolEntry | undefined;
    if (!existing && this.byId.size >= this.maxSize) {
      evicted = this.cheapest();
      if (!evicted || tx.fee <= evicted.tx.fee) {
        throw new MempoolError("POOL_FULL", `pool is full (${this.maxSize}); fee must exceed ${evicted?.tx.fee ?? 0n}`);
      }
    }
    // Signature last: it is the expensive check (tens of ms), so cheap refusals come first; nothing changed yet.
    if (!verifyTransfer(tx, sender.publicKey, this.domain)) throw new L2Error("BAD_SIGNATURE", `signature does not verify under account ${tx.from}'s key`);
    if (existing) this.delete(existing);
    if (evicted) this.delete(evicted);
    const entry: PoolEntry = { txId, tx: copyTx(tx), arrival: this.arrivals++, addedAt: this.now() };
    this.byId.set(txId, entry);
    let mine = this.bySender.get(tx.from);
    if (!mine) this.bySender.set(tx.from, (mine = new Map()));
    mine.set(tx.nonce, entry);
    const result: AddResult = { txId, executable: tx.nonce === sender.nonce };
    if (existing) result.replaced = existing.txId;
    if (evicted) result.evicted = evicted.txId;
    return result;
  }

  /**
   * Up to `T` transactions for the next block, fees first, each sender's nonces consecutive from its account nonce,
   * balances simulated in selection order (see the file comment). Does not remove them: call `removeIncluded`
   * once the block is built (or proposed).
   */
  select(T: number): Transfer[] {
    if (!Number.isInteger(T) || T < 0) throw new L2Error("BAD_PARAMETER", `T must be a non-negative integer, got ${T}`);
    const balances = new Map<number, bigint>();
    const bal = (i: number): bigint => {
      let b = balances.get(i);
      if (b === undefined) balances.set(i, (b = this.view.getAccount(i)?.balance ?? 0n));
      return b;
    };
    // The next candidate of each sender: its pooled tx with nonce == running nonce.
    const heads = new Map<number, PoolEntry>();
    for (const [from, mine] of this.bySender) {
      const acct = this.view.getAccount(from);
      const head = acct && mine.get(acct.nonce);
      if (head) heads.set(from, head);
    }
    const out: Transfer[] = [];
    while (out.length < T && heads.size > 0) {
      let best: PoolEntry | undefined;
      for (const e of heads.values()) if (!best || better(e, best)) best = e;
      const { tx } = best!;
      heads.delete(tx.from);
      const cost = tx.amount + tx.fee;
      if (cost > bal(tx.from)) continue; // cannot pay now: this sender waits for a later block
      const receiverAfter = (tx.to === tx.from ? bal(tx.from) - cost : bal(tx.to)) + tx.amount;
      if (receiverAfter > U64_MAX) continue;
      balances.set(tx.from, bal(tx.from) - cost);
      balances.set(tx.to, bal(tx.to) + tx.amount);
      out.push(copyTx(tx));
      const next = this.bySender.get(tx.from)?.get(tx.nonce + 1);
      if (next) heads.set(tx.from, next);
    }
    return out;
  }

  /**
   * Removes transactions that went into a block: by tx id, and also any other pooled transaction with the same
   * (sender, nonce), which can no longer be included. Returns what was removed (`conflicting` = the latter).
   */
  removeIncluded(txs: Transfer[]): { removed: PoolEntry[]; conflicting: PoolEntry[] } {
    const removed: PoolEntry[] = [];
    const conflicting: PoolEntry[] = [];
    for (const tx of txs) {
      const id = txIdOf(tx);
      const e = this.byId.get(id);
      if (e) {
        this.delete(e);
        removed.push(e);
      }
      const other = this.bySender.get(tx.from)?.get(tx.nonce);
      if (other) {
        this.delete(other);
        conflicting.push(other);
      }
    }
    return { removed, conflicting };
  }

  /** Removes transactions by id (e.g. expired); returns the entries removed. */
  remove(txIds: TxId[]): PoolEntry[] {
    const out: PoolEntry[] = [];
    for (const id of txIds) {
      const e = this.byId.get(id);
      if (e) {
        this.delete(e);
        out.push(e);
      }
    }
    return out;
  }

  /**
   * Switches to a new pending view (after building on a new block, or after a reorg) and drops what it makes
   * stale: nonces below the account's nonce, or a sender that no longer exists. Returns the dropped entries.
   */
  setView(view: AccountView): PoolEntry[] {
    this.view = view;
    const dropped: PoolEntry[] = [];
    for (const [from, mine] of [...this.bySender]) {
      const acct = view.getAccount(from);
      for (const e of [...mine.values()]) {
        if (!acct || e.tx.nonce < acct.nonce) {
          this.delete(e);
          dropped.push(e);
        }
      }
    }
    return dropped;
  }

  /**
   * Puts back the transactions of reorged blocks (call `setView` with the post-reorg state first). Each is
   * re-validated like a new one; ones already pooled count as accepted; none throws: refusals are reported.
   * They are added in (sender, nonce) order so that each sender's chain is rebuilt.
   */
  reinsert(txs: Transfer[]): ReinsertResult {
    const res: ReinsertResult = { accepted: [], rejected: [] };
    const sorted = [...txs].sort((a, b) => a.from - b.from || a.nonce - b.nonce);
    for (const tx of sorted) {
      let txId: TxId | undefined;
      try {
        txId = txIdOf(tx);
        if (this.byId.has(txId)) {
          const acct = this.view.getAccount(tx.from);
          res.accepted.push({ txId, executable: acct?.nonce === tx.nonce });
          continue;
        }
        res.accepted.push(this.add(tx));
      } catch (e) {
        if (!(e instanceof L2Error || e instanceof MempoolError)) throw e;
        res.rejected.push(txId === undefined ? { tx, error: e } : { tx, txId, error: e });
      }
    }
    return res;
  }

  /** The pooled transactions in arrival order, JSON form (for persistence: feed them back with `reinsert`). */
  toJSON(): TransferJSON[] {
    return this.entries().map((e) => transferToJSON(e.tx));
  }

  private cheapest(): PoolEntry | undefined {
    let worst: PoolEntry | undefined;
    for (const e of this.byId.values()) {
      if (!worst || e.tx.fee < worst.tx.fee || (e.tx.fee === worst.tx.fee && e.arrival > worst.arrival)) worst = e;
    }
    return worst;
  }

  private delete(e: PoolEntry): void {
    this.byId.delete(e.txId);
    const mine = this.bySender.get(e.tx.from);
    if (mine?.get(e.tx.nonce) === e) {
      mine.delete(e.tx.nonce);
      if (mine.size === 0) this.bySender.delete(e.tx.from);
    }
  }
}

/** Selection order: higher fee, then earlier arrival, then smaller tx id. */
function better(a: PoolEntry, b: PoolEntry): boolean {
  if (a.tx.fee !== b.tx.fee) return a.tx.fee > b.tx.fee;
  if (a.arrival !== b.arrival) return a.arrival < b.arrival;
  return a.txId < b.txId;
}

function copyTx(tx: Transfer): Transfer {
  return { from: tx.from, to: tx.to, amount: tx.amount, fee: tx.fee, nonce: tx.nonce, signature: { ...tx.signature } };
}
