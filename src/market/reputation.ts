/**
 * Prover reputation from past delivery, as seen by one sequencer (out of protocol, local).
 *
 * Per prover: delivered / failed counts. Score = posterior mean of a Beta prior:
 *   score = (delivered + priorDelivered) / (delivered + failed + priorDelivered + priorFailed)
 * Defaults priorDelivered = 2, priorFailed = 1: an unknown prover starts at 2/3, so newcomers can win (the market
 * stays open, seed 001's worry about centralisation); with matchQuotes' default threshold 0.5 one failure
 * (2/4 = 0.5) is tolerated, two failures without a delivery (2/5 = 0.4) exclude a prover until it has delivered
 * (through other sequencers' blocks, which this sequencer may record too, or as the permissionless fallback).
 *
 * "Failed" should mean the prover's fault only (missed its own deadline), not an L1 reorg or data the sequencer
 * withheld (PROTOCOL.md, lessons: punishing provers for what they do not control drives them away).
 *
 * Persisted in a Store namespace (one record per lowercase address) with an event per outcome, when a store is given.
 */
import { getAddress, isAddress } from "ethers";
import type { Store } from "../store/index.js";
import { QuoteError } from "./quote.js";
import { MARKET_DEFAULTS } from "../defaults.js";

export interface ReputationRecord {
  delivered: number;
  failed: number;
}

/** What matching needs: a score in [0, 1] per prover address. */
export interface ReputationView {
  score(prover: string): number;
}

export interface ReputationOptions {
  store?: Store;
  /** Store namespace (default "reputation"); outcome events go to stream `${namespace}`. */
  namespace?: string;
  priorDelivered?: number;
  priorFailed?: number;
}

export class Reputation implements ReputationView {
  readonly priorDelivered: number;
  readonly priorFailed: number;
  private readonly store: Store | undefined;
  private readonly ns: string;
  private readonly mem = new Map<string, ReputationRecord>();

  constructor(opts: ReputationOptions = {}) {
    this.priorDelivered = opts.priorDelivered ?? MARKET_DEFAULTS.priorDelivered;
    this.priorFailed = opts.priorFailed ?? MARKET_DEFAULTS.priorFailed;
    if (!(this.priorDelivered > 0) || !(this.priorFailed > 0)) throw new QuoteError("BAD_INPUT", "reputation priors must be positive");
    this.store = opts.store;
    this.ns = opts.namespace ?? "reputation";
  }

  private key(prover: string): string {
    if (typeof prover !== "string" || !isAddress(prover)) throw new QuoteError("BAD_INPUT", `not an address: ${String(prover)}`);
    return getAddress(prover).toLowerCase();
  }

  /** The counts of a prover (zeros if unknown). */
  record(prover: string): ReputationRecord {
    const k = this.key(prover);
    const r = this.store ? this.store.get<ReputationRecord>(this.ns, k) : this.mem.get(k);
    return r ? { delivered: r.delivered, failed: r.failed } : { delivered: 0, failed: 0 };
  }

  score(prover: string): number {
    const r = this.record(prover);
    return (r.delivered + this.priorDelivered) / (r.delivered + r.failed + this.priorDelivered + this.priorFailed);
  }

  /** The prover delivered a valid proof in time for `height`. */
  recordDelivered(prover: string, height?: bigint): ReputationRecord {
    return this.bump(prover, "delivered", height);
  }

  /** The prover failed to deliver for `height` through its own fault. */
  recordFailed(prover: string, height?: bigint): ReputationRecord {
    return this.bump(prover, "failed", height);
  }

  /** All known provers with their counts. */
  all(): [string, ReputationRecord][] {
    if (this.store) return this.store.list<ReputationRecord>(this.ns);
    return [...this.mem.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [k, { ...v }]);
  }

  private bump(prover: string, field: keyof ReputationRecord, height?: bigint): ReputationRecord {
    const k = this.key(prover);
    const write = (): ReputationRecord => {
      const r = this.record(k);
      r[field]++;
      if (this.store) {
        this.store.put(this.ns, k, r);
        this.store.append(this.ns, { prover: k, outcome: field, height: height ?? null });
      } else this.mem.set(k, r);
      return { ...r };
    };
    // Record and event together or not at all.
    return this.store ? this.store.transaction(write) : write();
  }
}
