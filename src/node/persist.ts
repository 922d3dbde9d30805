/**
 * Saving and restoring a node's mempool and status tracker with src/store, so that a restarted agent keeps the
 * transactions users sent it and what it knew about them.
 *
 * A snapshot is two records in one namespace, written in one store transaction (never half of it). On load the
 * pooled transactions are re-validated against the current pending view with `Mempool.reinsert` (the chain may
 * have moved while the agent was down); the ones that no longer fit are returned, and marked `dropped` in the
 * tracker when it has them in_mempool. Call `saveNode` at every height boundary (or after each accepted tx for a
 * busy node; it is one small write of the whole pool).
 */
import { transferFromJSON, type Transfer, type TransferJSON } from "../l2/index.js";
import type { Store } from "../store/index.js";
import { Mempool, type AccountView, type MempoolOptions, type ReinsertResult } from "./mempool.js";
import { StatusTracker, type L1Point, type TxRecord } from "./status.js";

export function saveNode(store: Store, ns: string, mempool: Mempool, tracker: StatusTracker): void {
  store.transaction((s) => {
    s.put(ns, "mempool", mempool.toJSON());
    s.put(ns, "status", tracker.toJSON());
  });
}

export interface LoadedNode {
  mempool: Mempool;
  tracker: StatusTracker;
  /** Pooled transactions the current view refused (marked dropped in the tracker). */
  rejected: ReinsertResult["rejected"];
}

/** Rebuilds the pool (against `view`) and the tracker from the last `saveNode`; empty ones if none. */
export function loadNode(store: Store, ns: string, view: AccountView, at: L1Point, opts: MempoolOptions): LoadedNode {
  const txs = (store.get<TransferJSON[]>(ns, "mempool") ?? []).map((j): Transfer => transferFromJSON(j));
  const tracker = StatusTracker.fromJSON(store.get<TxRecord[]>(ns, "status") ?? []);
  const mempool = new Mempool(view, opts);
  const { rejected } = mempool.reinsert(txs);
  for (const r of rejected) {
    if (r.txId && tracker.get(r.txId)?.status === "in_mempool") tracker.transition(r.txId, "dropped", at, { reason: `after restart: ${r.error.code}` });
  }
  return { mempool, tracker, rejected };
}
