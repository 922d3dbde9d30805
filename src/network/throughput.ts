/**
 * Throughput of a running network, as the devnet reports it (issue 12): finalized transfers per second and per L1
 * block over the run, counted from the first finalized height (the start-up and the first height's latency are not
 * throughput), and the mempool backlog over time.
 *
 * The meter is fed from the devnet's progress loop: `observe` once per new L1 head reads the HeightFinalized events
 * since the last call and counts the transfers in each finalized block (non-empty 20-byte pubdata entries, as the
 * summary does); `sample` records the backlog. Everything is a few RPC calls per L1 block.
 */
import { loadavg, availableParallelism } from "node:os";
import type { RollupClient } from "../client/index.js";

/** One finalization as seen by the meter. */
export interface FinalizedPoint {
  height: number;
  transfers: number;
  l1Block: number;
  /** Seconds since the meter started when the devnet saw it. */
  atSeconds: number;
}

export interface BacklogSample {
  atSeconds: number;
  l1Block: number;
  /** Transfers waiting in the sequencers' mempools (each sender is served by one sequencer: no double count). */
  mempool: number;
  /** Sent by the generator and not finalized yet (mempools + proposed + proven, not final). */
  unfinalized: number;
  /** Finalized transfers per second so far (0 before the second finalization). */
  finalizedTps: number;
}

export interface ThroughputReport {
  /** Finalized transfers per second from the first finalized height to the last: the run's throughput. */
  finalizedTransfersPerSecond: number;
  /** The same per L1 block. */
  finalizedTransfersPerL1Block: number;
  /**
   * The rates over the later half of the finalizations only: the steady state, without the catch-up of heights
   * proposed before the first finalization (which finalize in quick succession and flatter the run's rate).
   */
  laterHalf: { perSecond: number; perBlock: number; transfers: number; seconds: number; blocks: number };
  /** Transfers finalized after the first finalized height (what the rates count). */
  transfersInWindow: number;
  windowSeconds: number;
  windowL1Blocks: number;
  /** Finalizations in order. */
  finalized: FinalizedPoint[];
  /** Load the generator offered: transfers per second asked, sent (accepted by a sequencer), refused. */
  offered: { ratePerSecond: number; sent: number; refused: number };
  /** Backlog over time (sampled, at most `maxSamples`, evenly thinned). */
  backlog: BacklogSample[];
  /** Peak mempool backlog. */
  maxMempool: number;
  /** 1-minute load average at the end of the run, and the cores. */
  loadAverage1m: number;
  cores: number;
}

export class ThroughputMeter {
  private readonly started = Date.now();
  private readonly points: FinalizedPoint[] = [];
  private readonly samples: BacklogSample[] = [];
  private nextFrom: number;
  private sampleEvery = 1;
  private seen = 0;

  constructor(
    private readonly client: RollupClient,
    fromBlock: number,
    /** Most backlog samples kept (older ones are thinned to every other one when full). */
    private readonly maxSamples = 240,
  ) {
    this.nextFrom = fromBlock;
  }

  private now(): number {
    return Math.round((Date.now() - this.started) / 100) / 10;
  }

  /** Reads the finalizations up to `head` (inclusive). */
  async observe(head: number): Promise<void> {
    if (head < this.nextFrom) return;
    const c = this.client.contract;
    const events = await c.queryFilter(c.filters.HeightFinalized(), this.nextFrom, head);
    const at = this.now();
    for (const f of events) {
      const rb = await this.client.revealedBlock(f.args.height, f.args.sequencer);
      this.points.push({ height: Number(f.args.height), transfers: countTransfers(rb.pubdata), l1Block: f.blockNumber, atSeconds: at });
    }
    this.nextFrom = head + 1;
  }

  /** Heights finalized so far. */
  get finalizedHeights(): number {
    return this.points.length;
  }

  get finalizedTransfers(): number {
    return this.points.reduce((s, p) => s + p.transfers, 0);
  }

  /** Finalized transfers per second after the first finalized height (0 until a second finalization). */
  get finalizedTps(): number {
    return rates(this.points).perSecond;
  }

  /** Records the backlog at `l1Block`. */
  sample(l1Block: number, mempool: number, sent: number): void {
    if (this.seen++ % this.sampleEvery !== 0) return;
    this.samples.push({ atSeconds: this.now(), l1Block, mempool, unfinalized: Math.max(0, sent - this.finalizedTransfers), finalizedTps: this.finalizedTps });
    if (this.samples.length >= this.maxSamples) {
      // Keep every other sample and sample half as often from now on: evenly spread over the whole run.
      const kept = this.samples.filter((_, i) => i % 2 === 0);
      this.samples.splice(0, this.samples.length, ...kept);
      this.sampleEvery *= 2;
    }
  }

  report(offered: ThroughputReport["offered"]): ThroughputReport {
    const r = rates(this.points);
    return {
      finalizedTransfersPerSecond: r.perSecond,
      finalizedTransfersPerL1Block: r.perBlock,
      laterHalf: laterHalf(this.points),
      transfersInWindow: r.transfers,
      windowSeconds: r.seconds,
      windowL1Blocks: r.blocks,
      finalized: [...this.points],
      offered,
      backlog: [...this.samples],
      maxMempool: this.samples.reduce((m, s) => Math.max(m, s.mempool), 0),
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
      cores: availableParallelism(),
    };
  }
}

/** Transfers in a revealed block's pubdata (20 bytes per slot; an empty slot is all zeros). */
export function countTransfers(pubdata: string): number {
  const bytes = Buffer.from(pubdata.replace(/^0x/, ""), "hex");
  let n = 0;
  for (let i = 0; i < bytes.length; i += 20) if (bytes.subarray(i, i + 20).some((x) => x !== 0)) n++;
  return n;
}

/** `rates` over the later half of the finalizations (from the middle one on). */
export function laterHalf(points: FinalizedPoint[]): ReturnType<typeof rates> {
  return rates(points.slice(Math.floor((points.length - 1) / 2)));
}

/**
 * Rates over the finalizations after the first one: the transfers of heights 2..n over the time (and L1 blocks)
 * from the first finalization to the last. Several heights finalized by one proof land together: the window starts
 * at the first L1 block that finalized anything, and all heights of that block are the baseline.
 */
export function rates(points: FinalizedPoint[]): { perSecond: number; perBlock: number; transfers: number; seconds: number; blocks: number } {
  if (points.length === 0) return { perSecond: 0, perBlock: 0, transfers: 0, seconds: 0, blocks: 0 };
  const first = points[0]!;
  const after = points.filter((p) => p.l1Block > first.l1Block);
  if (after.length === 0) return { perSecond: 0, perBlock: 0, transfers: 0, seconds: 0, blocks: 0 };
  const last = after[after.length - 1]!;
  const transfers = after.reduce((s, p) => s + p.transfers, 0);
  const seconds = Math.max(0.1, last.atSeconds - first.atSeconds);
  const blocks = last.l1Block - first.l1Block;
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  return { perSecond: round3(transfers / seconds), perBlock: round3(transfers / blocks), transfers, seconds: Math.round(seconds * 10) / 10, blocks };
}
