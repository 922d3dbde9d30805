/**
 * Following a transaction up the status ladder (src/node/status.ts): poll `l2_getTransactionStatus`, print one line
 * per new step of its history as it appears, stop at `finalized` (success), `dropped` (TX_DROPPED) or the timeout
 * (FOLLOW_TIMEOUT). `reorged` is not an end: the transfer goes back to the mempool and climbs again.
 * A node that does not answer for a while (restart, overload) is retried until the timeout.
 */
import { RpcError, RpcTransportError, type L2RpcClient } from "../node/rpc.js";
import type { StatusStep, TxRecord, TxStatus } from "../node/status.js";
import { L2CliError } from "./errors.js";

/** What each status means to a user, for the live lines. */
export const STATUS_TEXT: Record<TxStatus, string> = {
  in_mempool: "accepted into the sequencer's mempool",
  in_proposed_block: "in the sequencer's proposed block",
  revealed: "block revealed on L1 (pubdata and signatures published)",
  prover_committed: "height won; a prover's deposit backs the block",
  proven: "proof submitted",
  verified_on_l1: "proof verified on L1",
  finalized: "finalized",
  dropped: "dropped",
  reorged: "reorged: back to the mempool, it will be proposed again",
};

/** One line for a step: status, L2 height, L1 block, meaning, reason. */
export function stepLine(s: StatusStep): string {
  const where = [s.height === undefined ? undefined : `height ${s.height}`, `L1 block ${s.l1Block}`].filter(Boolean).join(", ");
  return `${s.status.padEnd(17)} ${where.padEnd(26)} ${STATUS_TEXT[s.status]}${s.reason ? ` (${s.reason})` : ""}`;
}

export interface FollowOptions {
  timeoutSeconds: number;
  pollMs: number;
  /** Called with each new line. */
  print: (line: string) => void;
  /** Steps already printed (e.g. 0 after a send, the history length after `status` printed it). */
  printed?: number;
  /** For tests: the clock and the wait. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Follows `txId` until finalized; returns its final record. Throws TX_DROPPED, UNKNOWN_TX, FOLLOW_TIMEOUT. */
export async function followTransaction(client: L2RpcClient, txId: string, o: FollowOptions): Promise<TxRecord> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const started = now();
  const deadline = started + o.timeoutSeconds * 1000;
  const stamp = () => `[${((now() - started) / 1000).toFixed(1).padStart(6)} s]`;
  let printed = o.printed ?? 0;
  let lastError: string | undefined;
  for (;;) {
    let rec: TxRecord | null | undefined;
    try {
      rec = await client.getTransactionStatus(txId);
      lastError = undefined;
    } catch (e) {
      // A node that is down or slow for a moment is retried; an answer that is an error is not going to change.
      if (e instanceof RpcTransportError) {
        if (lastError === undefined) o.print(`${stamp()} node not answering (${e.message}); retrying`);
        lastError = e.message;
      } else if (e instanceof RpcError) {
        throw new L2CliError("BAD_NODE_ANSWER", `${client.url} refused l2_getTransactionStatus: ${e.message}`, { cause: e });
      } else throw e;
    }
    if (rec === null) throw new L2CliError("UNKNOWN_TX", `${client.url} does not know transaction ${txId}`);
    if (rec) {
      if (rec.history.length < printed) printed = 0; // the node restarted with a shorter history: show it again
      for (; printed < rec.history.length; printed++) o.print(`${stamp()} ${stepLine(rec.history[printed]!)}`);
      if (rec.status === "finalized") return rec;
      if (rec.status === "dropped") {
        const reason = rec.history.at(-1)?.reason;
        throw new L2CliError("TX_DROPPED", `transaction ${txId} was dropped${reason ? `: ${reason}` : ""}`);
      }
    }
    if (now() >= deadline) {
      const where = rec ? `transaction ${txId} is still ${rec.status}` : `the node has not answered (${lastError ?? "no answer"})`;
      throw new L2CliError("FOLLOW_TIMEOUT", `gave up after ${o.timeoutSeconds} s: ${where} (\`l2 status ${txId} --follow\` goes on following it)`);
    }
    await sleep(Math.min(o.pollMs, Math.max(0, deadline - now())));
  }
}
