/**
 * The devnet's watchdog: a run that makes no progress for `stallBlocks` L1 blocks (no new chain tip, no new
 * finalized height), or sees no new L1 block at all for `noBlockMs`, is an error that says which and why, instead
 * of a progress line repeating itself until the timeout.
 */
import { L1StallError } from "./node.js";

export class ProgressWatch {
  private lastHead = -1;
  private lastBlockAt: number;
  private progress?: string;
  private progressHead = -1;

  constructor(
    private readonly o: { stallBlocks: number; noBlockMs: number; now?: () => number },
  ) {
    this.lastBlockAt = this.now();
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /**
   * Records the L1 head and the run's progress (any string that changes when the run moves on, e.g. tip and
   * finalized height); throws L1StallError when either stalled. `state` describes the run for the error.
   */
  observe(head: number, progress: string, state: string): void {
    const now = this.now();
    if (head !== this.lastHead) {
      this.lastHead = head;
      this.lastBlockAt = now;
    } else if (now - this.lastBlockAt > this.o.noBlockMs) {
      throw new L1StallError(`no new L1 block in ${Math.round(this.o.noBlockMs / 1000)} s (head ${head}): the node does not mine (no interval mining and no block time of its own?); ${state}`);
    }
    if (progress !== this.progress) {
      this.progress = progress;
      this.progressHead = head;
    } else if (head - this.progressHead >= this.o.stallBlocks) {
      throw new L1StallError(`no progress in ${head - this.progressHead} L1 blocks (blocks ${this.progressHead}..${head}): no new height proposed or finalized; ${state}`);
    }
  }
}
