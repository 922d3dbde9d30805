/**
 * Transaction status ladder (seed 004, "Confirmation or finality rules"):
 *
 *   in_mempool -> in_proposed_block -> revealed -> prover_committed -> proven -> verified_on_l1 -> finalized
 *
 * plus `reorged` (the block holding the tx was reorged away, or the proposal holding it lost: the tx goes back to
 * `in_mempool` or is `dropped`) and `dropped` (refused, evicted, replaced, or made invalid: terminal unless the same
 * tx is submitted again).
 *
 * Rules (`canTransition`):
 * - forward along the ladder, skipping allowed: an observer can miss steps (a proof posted and verified in the
 *   same L1 transaction goes proven -> verified_on_l1 in one event, or straight from prover_committed);
 * - never backwards, except through `reorged`, which is allowed from any status from in_proposed_block up to
 *   verified_on_l1 (an L1 reorg can undo a verification; `finalized` is final by definition);
 * - reorged -> in_mempool | dropped;  in_mempool -> dropped;  dropped -> in_mempool (resubmitted);
 * - entering a block status (in_proposed_block .. finalized) needs the L2 height; the height stays the same while
 *   the tx climbs (a different height needs a reorg first).
 *
 * Each step records the L1 block number and timestamp (seconds) at which it was observed.
 */
import { isTxId, type TxId } from "./txid.js";
import { FernetError } from "../errors.js";

export const LADDER = [
  "in_mempool",
  "in_proposed_block",
  "revealed",
  "prover_committed",
  "proven",
  "verified_on_l1",
  "finalized",
] as const;

export type LadderStatus = (typeof LADDER)[number];
export type TxStatus = LadderStatus | "dropped" | "reorged";
export const TX_STATUSES: readonly TxStatus[] = [...LADDER, "dropped", "reorged"];

export type StatusErrorCode = "UNKNOWN_TX" | "BAD_TRANSITION" | "BAD_INPUT";

export class StatusError extends FernetError<StatusErrorCode> {
  constructor(code: StatusErrorCode, message: string) {
    super(code, message);
  }
}

/** Where on L1 a step was observed. */
export interface L1Point {
  l1Block: number;
  /** L1 block timestamp, seconds. */
  timestamp: number;
}

export interface StatusStep extends L1Point {
  status: TxStatus;
  /** L2 height, for block statuses (and for `reorged`: the height it left). */
  height?: number;
  /** Why (for dropped / reorged), free text. */
  reason?: string;
}

export interface TxRecord {
  txId: TxId;
  status: TxStatus;
  /** The L2 height while in a block status, else undefined. */
  height?: number;
  history: StatusStep[];
}

const rank = (s: TxStatus): number => (LADDER as readonly string[]).indexOf(s);

export function isTxStatus(x: unknown): x is TxStatus {
  return typeof x === "string" && (TX_STATUSES as readonly string[]).includes(x);
}

/** True if a block status (needs a height). */
export function isBlockStatus(s: TxStatus): boolean {
  return rank(s) >= 1;
}

/** Whether `from -> to` is allowed (see the file comment). */
export function canTransition(from: TxStatus, to: TxStatus): boolean {
  if (from === "finalized") return false;
  if (to === "reorged") return rank(from) >= 1 && rank(from) <= rank("verified_on_l1");
  if (from === "reorged") return to === "in_mempool" || to === "dropped";
  if (to === "dropped") return from === "in_mempool";
  if (from === "dropped") return to === "in_mempool";
  return rank(to) > rank(from);
}

export interface TransitionOptions {
  height?: number;
  reason?: string;
}

/** Status of every tracked transaction, with its history. Serialisable with toJSON / fromJSON. */
export class StatusTracker {
  private readonly records = new Map<TxId, TxRecord>();
  /** height -> tx ids currently at that height (block statuses only). */
  private readonly atHeight = new Map<number, Set<TxId>>();

  get size(): number {
    return this.records.size;
  }

  has(txId: TxId): boolean {
    return this.records.has(txId);
  }

  /** A copy of the record, or undefined. */
  get(txId: TxId): TxRecord | undefined {
    const r = this.records.get(txId);
    return r && cloneRecord(r);
  }

  /**
   * Starts tracking a tx in `in_mempool` (or re-enters it there after `dropped` / `reorged`). A tx that is already
   * tracked in another status throws BAD_TRANSITION.
   */
  track(txId: TxId, at: L1Point): TxRecord {
    if (!this.records.has(txId)) {
      if (!isTxId(txId)) throw new StatusError("BAD_INPUT", `not a tx id: ${String(txId)}`);
      checkPoint(at);
      const r: TxRecord = { txId, status: "in_mempool", history: [{ status: "in_mempool", l1Block: at.l1Block, timestamp: at.timestamp }] };
      this.records.set(txId, r);
      return cloneRecord(r);
    }
    return this.transition(txId, "in_mempool", at);
  }

  /** Moves one tx to `to`; validates the step (see the file comment) and records it. */
  transition(txId: TxId, to: TxStatus, at: L1Point, opts: TransitionOptions = {}): TxRecord {
    const r = this.records.get(txId);
    if (!r) throw new StatusError("UNKNOWN_TX", `transaction ${txId} is not tracked`);
    if (!isTxStatus(to)) throw new StatusError("BAD_INPUT", `unknown status ${String(to)}`);
    checkPoint(at);
    if (!canTransition(r.status, to)) throw new StatusError("BAD_TRANSITION", `${txId}: ${r.status} -> ${to} is not allowed`);
    const last = r.history[r.history.length - 1]!;
    // Time only moves forward, except that an L1 reorg (which causes `reorged`) can rewind the L1 head.
    if (to !== "reorged" && at.l1Block < last.l1Block) throw new StatusError("BAD_TRANSITION", `${txId}: L1 block ${at.l1Block} is before the last step's ${last.l1Block}`);
    let height: number | undefined;
    if (isBlockStatus(to)) {
      height = opts.height ?? r.height;
      if (height === undefined || !Number.isInteger(height) || height < 0) {
        throw new StatusError("BAD_INPUT", `${txId}: ${to} needs a non-negative integer L2 height`);
      }
      if (r.height !== undefined && height !== r.height) {
        throw new StatusError("BAD_TRANSITION", `${txId}: is at height ${r.height}, not ${height} (reorg it first)`);
      }
    }
    const step: StatusStep = { status: to, l1Block: at.l1Block, timestamp: at.timestamp };
    const stepHeight = to === "reorged" ? r.height : height;
    if (stepHeight !== undefined) step.height = stepHeight;
    if (opts.reason !== undefined) step.reason = opts.reason;
    r.history.push(step);
    if (r.height !== undefined && r.height !== height) this.atHeight.get(r.height)?.delete(txId);
    r.status = to;
    if (height === undefined) delete r.height;
    else {
      r.height = height;
      let s = this.atHeight.get(height);
      if (!s) this.atHeight.set(height, (s = new Set()));
      s.add(txId);
    }
    return cloneRecord(r);
  }

  /**
   * Moves every tx at `height` to `to` (e.g. all txs of a block become `proven`); returns the tx ids moved.
   * Validates all steps first, so either all move or none does.
   */
  transitionHeight(height: number, to: TxStatus, at: L1Point, opts: Omit<TransitionOptions, "height"> = {}): TxId[] {
    const ids = [...(this.atHeight.get(height) ?? [])];
    for (const id of ids) {
      const r = this.records.get(id)!;
      if (!canTransition(r.status, to) && r.status !== to) {
        throw new StatusError("BAD_TRANSITION", `${id} at height ${height}: ${r.status} -> ${to} is not allowed`);
      }
    }
    // Txs already at `to` are left as they are (idempotent on repeated L1 events).
    const moved = ids.filter((id) => this.records.get(id)!.status !== to);
    for (const id of moved) this.transition(id, to, at, { ...opts, height: to === "reorged" ? undefined : height });
    return moved;
  }

  /** Tx ids at an L2 height (those currently in a block status there). */
  txsAtHeight(height: number): TxId[] {
    return [...(this.atHeight.get(height) ?? [])];
  }

  /** Tx ids in a status, oldest first (by the L1 block of their latest step), at most `limit`. */
  byStatus(status: TxStatus, limit = Infinity): TxId[] {
    if (!isTxStatus(status)) throw new StatusError("BAD_INPUT", `unknown status ${String(status)}`);
    const out: { id: TxId; at: number }[] = [];
    for (const r of this.records.values()) if (r.status === status) out.push({ id: r.txId, at: r.history[r.history.length - 1]!.l1Block });
    out.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    return out.slice(0, limit).map((x) => x.id);
  }

  /** The last step in which the tx reached `status` (e.g. when it was proven), if it did. */
  stepOf(txId: TxId, status: TxStatus): StatusStep | undefined {
    const r = this.records.get(txId);
    if (!r) return undefined;
    for (let i = r.history.length - 1; i >= 0; i--) if (r.history[i]!.status === status) return { ...r.history[i]! };
    return undefined;
  }

  /** Stops tracking (e.g. finalized long ago). */
  forget(txId: TxId): boolean {
    const r = this.records.get(txId);
    if (!r) return false;
    if (r.height !== undefined) this.atHeight.get(r.height)?.delete(txId);
    return this.records.delete(txId);
  }

  toJSON(): TxRecord[] {
    return [...this.records.values()].map(cloneRecord);
  }

  /** Rebuilds a tracker from `toJSON()` output (e.g. read back from the store). */
  static fromJSON(records: TxRecord[]): StatusTracker {
    const t = new StatusTracker();
    for (const rec of records) {
      if (!isTxId(rec.txId) || !isTxStatus(rec.status) || !Array.isArray(rec.history) || rec.history.length === 0) {
        throw new StatusError("BAD_INPUT", `malformed status record ${JSON.stringify(rec)}`);
      }
      const r = cloneRecord(rec);
      t.records.set(r.txId, r);
      if (r.height !== undefined) {
        let s = t.atHeight.get(r.height);
        if (!s) t.atHeight.set(r.height, (s = new Set()));
        s.add(r.txId);
      }
    }
    return t;
  }
}

function checkPoint(at: L1Point): void {
  if (!at || !Number.isInteger(at.l1Block) || at.l1Block < 0 || !Number.isFinite(at.timestamp) || at.timestamp < 0) {
    throw new StatusError("BAD_INPUT", `an L1 point needs a non-negative integer l1Block and timestamp`);
  }
}

function cloneRecord(r: TxRecord): TxRecord {
  const c: TxRecord = { txId: r.txId, status: r.status, history: r.history.map((s) => ({ ...s })) };
  if (r.height !== undefined) c.height = r.height;
  return c;
}
