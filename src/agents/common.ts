/**
 * Pieces shared by the sequencer and prover agents: typed errors, a structured logger, the L1 connection with a
 * serial transaction sender (one wallet = one nonce sequence), the L2 chain follower that rebuilds the L2 state
 * from L1 data alone, and the polling loop every agent runs on.
 */
import { EventEmitter } from "node:events";
import { JsonRpcProvider, Network, Wallet, type BlockTag, type TransactionReceipt } from "ethers";
import { applyPubdata, type L2State } from "../l2/index.js";
import { HeightStatus, RollupClient, RollupClientError, toClientError } from "../client/index.js";
import type { L1Point } from "../node/index.js";
import { FernetError } from "../errors.js";

export type AgentErrorCode =
  | "BAD_CONFIG" // the config file or a flag is wrong
  | "INVALID_BLOCK" // revealed L1 data does not rebuild to the revealed root
  | "BODY_UNAVAILABLE" // the signed transactions of a block could not be obtained
  | "BODY_MISMATCH" // the signed transactions do not match the revealed pubdata / root
  | "NOT_RUNNING"
  | "BAD_REQUEST" // a peer's hand-over of proofs is malformed
  | "BAD_RESPONSE" // a peer refused or garbled a hand-over
  | "L1_REORG"; // an L1 reorg dropped the block a transaction was in, or left it waiting behind a nonce gap

export class AgentError extends FernetError<AgentErrorCode> {
  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// ------------------------------------------------------------------ logging

export type LogLevel = "error" | "warn" | "info" | "debug";
const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LogRecord {
  t: string;
  level: LogLevel;
  actor: string;
  msg: string;
  [k: string]: unknown;
}

export type LogSink = (r: LogRecord) => void;

/** Human-readable line: time level actor msg k=v ... (bigints printed as decimals). */
export function formatLog(r: LogRecord): string {
  const { t, level, actor, msg, ...rest } = r;
  const kv = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : stringify(v)}`).join(" ");
  return `${t.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${actor.padEnd(8)} ${msg}${kv ? " " + kv : ""}`;
}

export function stringify(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) ?? String(v);
}

/** Structured logger: records go to a sink (stderr lines by default), filtered by level. */
export class Logger {
  constructor(
    readonly actor: string,
    readonly level: LogLevel = "info",
    private readonly sink: LogSink = (r) => process.stderr.write(formatLog(r) + "\n"),
  ) {}
  child(actor: string): Logger {
    return new Logger(actor, this.level, this.sink);
  }
  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (LEVELS[level] > LEVELS[this.level]) return;
    this.sink({ t: new Date().toISOString(), level, actor: this.actor, msg, ...fields });
  }
  error(msg: string, f?: Record<string, unknown>): void { this.log("error", msg, f); }
  warn(msg: string, f?: Record<string, unknown>): void { this.log("warn", msg, f); }
  info(msg: string, f?: Record<string, unknown>): void { this.log("info", msg, f); }
  debug(msg: string, f?: Record<string, unknown>): void { this.log("debug", msg, f); }
}

/** Short description of an error for logs (custom error name when the contracts reverted). */
export function errText(e: unknown): string {
  const c = toClientError(e);
  if (c instanceof RollupClientError && c.errorName) return `${c.errorName}(${(c.errorArgs ?? []).map(String).join(", ")})`;
  const m = (c as Error).message ?? String(c);
  return m.length > 300 ? m.slice(0, 300) + "..." : m;
}

// ------------------------------------------------------------------ L1

/**
 * A JSON-RPC provider tuned for a local chain: a static network (no chain-id probe per call) and fast polling, so
 * that `tx.wait()` returns within a fraction of a block instead of ethers' default 4 s.
 */
export async function connectL1(url: string, pollingMs = 100): Promise<JsonRpcProvider> {
  const probe = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
  let chainId: bigint;
  try {
    chainId = BigInt(await probe.send("eth_chainId", []));
  } catch (e) {
    probe.destroy();
    throw new AgentError("BAD_CONFIG", `cannot reach the L1 node at ${url}: ${(e as Error).message}`, { cause: e });
  }
  probe.destroy();
  const p = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: Network.from(chainId), pollingInterval: pollingMs, cacheTimeout: -1 });
  p.pollingInterval = pollingMs;
  return p;
}

/** What an agent reports for every L1 transaction it sent (gas accounting of the devnet summary). */
export interface L1TxRecord {
  actor: string;
  address: string;
  method: string;
  /**
   * The L2 height the transaction serves (from the method's arguments; recordRandomness: the height whose seed it
   * records; verifyBatch: its highest height; a reverted one: that of the call). None for claim, fundRewards, setup.
   */
  height?: bigint;
  gasUsed: bigint;
  l1Block: number;
  ok: boolean;
  /** The transaction's hash (for traces: GAS_PROFILE=1 in scripts/devnet.ts). */
  hash?: string;
}

/**
 * The agents' wallet. After an L1 reorg its transactions take their nonce from the mined chain ("latest") instead
 * of the node's pending view: a transaction abandoned behind a nonce gap (its predecessor dropped with a reorged
 * block) would otherwise put every later nonce past the gap, and nothing of this wallet would be mined again. The
 * next transaction fills the gap; the agent sends one at a time (TxSender), so "latest" is the right nonce.
 */
export class AgentWallet extends Wallet {
  latestNonce = false;

  override async getNonce(blockTag?: BlockTag): Promise<number> {
    return super.getNonce(this.latestNonce ? "latest" : blockTag);
  }
}

/**
 * Sends one L1 transaction at a time for a wallet: a wallet has one nonce sequence, and an agent may want to act on
 * two heights at once (submit a proof while proposing). Failures are returned to the caller, never swallowed.
 */
export class TxSender {
  private tail: Promise<unknown> = Promise.resolve();
  constructor(
    readonly wallet: Wallet,
    readonly actor: string,
    private readonly onTx?: (r: L1TxRecord) => void,
  ) {}

  /** Rejects the transaction being awaited (abandon()): its receipt may never come after an L1 reorg. */
  private abandonCurrent?: (e: AgentError) => void;

  send(method: string, height: bigint | undefined, fn: () => Promise<TransactionReceipt>): Promise<TransactionReceipt> {
    const run = async () => {
      let r: TransactionReceipt;
      try {
        const sent = fn();
        // An abandoned wait keeps running unobserved: it ends when its transaction is mined or replaced.
        sent.catch(() => undefined);
        r = await Promise.race([sent, new Promise<never>((_, rej) => (this.abandonCurrent = rej))]);
      } catch (e) {
        if (e instanceof AgentError && e.code === "L1_REORG") throw e;
        throw await this.explain(e, height);
      } finally {
        this.abandonCurrent = undefined;
      }
      this.onTx?.({ actor: this.actor, address: this.wallet.address, method, height, gasUsed: r.gasUsed, l1Block: r.blockNumber, ok: r.status === 1, hash: r.hash });
      return r;
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /**
   * After an L1 reorg: stops waiting for the transaction in flight (it may have been dropped with its block, or sit
   * behind a nonce gap the reorg opened) so that the queue moves on; the agent re-reads L1 and sends again what is
   * still needed, with a fresh nonce (ethers asks the node for it per transaction).
   */
  abandon(reason: string): void {
    if (this.wallet instanceof AgentWallet) this.wallet.latestNonce = true;
    this.abandonCurrent?.(new AgentError("L1_REORG", `${this.actor}: stopped waiting for a transaction: ${reason}`));
  }

  /** Resolves once every queued transaction has settled (before the provider is destroyed: see SequencerAgent.crash). */
  async idle(): Promise<void> {
    await this.tail;
  }

  /**
   * A transaction that passed estimation but reverted when mined (the chain moved in between, e.g. the phase ended)
   * carries no revert data: replay it on the block it was mined in to name the error.
   */
  private async explain(e: unknown, height: bigint | undefined): Promise<unknown> {
    const x = (e instanceof RollupClientError ? e.cause : e) as { code?: string; receipt?: TransactionReceipt; transaction?: { to?: string; data?: string } } | undefined;
    if (!x || x.code !== "CALL_EXCEPTION" || !x.receipt || !x.transaction?.to) return e;
    if (this.onTx) this.onTx({ actor: this.actor, address: this.wallet.address, method: "reverted", height, gasUsed: x.receipt.gasUsed, l1Block: x.receipt.blockNumber, ok: false });
    try {
      await this.wallet.provider!.call({ to: x.transaction.to, data: x.transaction.data, from: this.wallet.address, blockTag: x.receipt.blockNumber });
    } catch (replayed) {
      const c = toClientError(replayed);
      if (c instanceof RollupClientError && c.errorName) return c;
    }
    return e;
  }
}

// ------------------------------------------------------------------ L2 state from L1

/**
 * Rebuilds the L2 state of any height of the canonical chain from L1 alone: genesis + the winners' revealed pubdata
 * (`Revealed` logs), following the heights' parent links. Results are cached per (height, winner): the winner of
 * a height can change only during its commit phase, and a reorged height never comes back.
 */
export class L2Chain {
  private readonly cache = new Map<bigint, { winner: string; newRoot: bigint; pubdata: string; state: L2State }>();

  constructor(
    readonly client: RollupClient,
    readonly genesis: L2State,
  ) {}

  /** Drops the cache (after an L1 reorg: a height's reveal may be gone or different). */
  forget(): void {
    this.cache.clear();
  }

  /** The state after `height` (0 = genesis). Throws AgentError INVALID_BLOCK if the L1 data does not add up. */
  async stateAt(height: bigint): Promise<L2State> {
    return (await this.blockAt(height)).state;
  }

  /** The winner's revealed block at `height` and the state after it. */
  async blockAt(height: bigint): Promise<{ winner: string; newRoot: bigint; pubdata: string; parent: bigint; state: L2State }> {
    if (height === 0n) return { winner: "0x0000000000000000000000000000000000000000", newRoot: this.genesis.root, pubdata: "0x", parent: 0n, state: this.genesis };
    let info: { winner: string; parent: bigint } = await this.client.getHeight(height);
    if ((info as { status?: HeightStatus }).status === HeightStatus.None) {
      // Older than the Rollup's height ring (64 heights): a finalized height is still known from its logs.
      const logged = await this.client.finalizedFromLogs(height);
      if (!logged) throw new AgentError("INVALID_BLOCK", `height ${height} is not in the chain`);
      info = logged;
    }
    const hit = this.cache.get(height);
    if (hit && hit.winner === info.winner) return { ...hit, parent: info.parent };
    const parentState = await this.stateAt(info.parent);
    const rb = await this.client.revealedBlock(height, info.winner);
    const bytes = Uint8Array.from(Buffer.from(rb.pubdata.slice(2), "hex"));
    let state: L2State;
    try {
      state = applyPubdata(parentState, bytes);
    } catch (e) {
      throw new AgentError("INVALID_BLOCK", `height ${height}: revealed pubdata breaks the L2 rules: ${(e as Error).message}`, { cause: e });
    }
    if (state.root !== rb.newRoot) throw new AgentError("INVALID_BLOCK", `height ${height}: pubdata rebuilds root ${state.root}, revealed ${rb.newRoot}`);
    const entry = { winner: info.winner, newRoot: rb.newRoot, pubdata: rb.pubdata, state };
    this.cache.set(height, entry);
    return { ...entry, parent: info.parent };
  }
}

// ------------------------------------------------------------------ the loop

/** An L1 reorg as an agent saw it. */
export interface L1ReorgEvent {
  /** The head when it was noticed. */
  head: number;
  /** Blocks seen before that are no longer canonical. */
  depth: number;
  /** The lowest of them. */
  firstReplaced: number;
}

/**
 * Base of the agents: polls the L1 head and runs `onBlock` once per new head, never two at a time. An exception in
 * one round is logged and the next head retries (every step re-reads L1, so a retry is safe).
 */
export abstract class PollingAgent extends EventEmitter {
  protected running = false;
  private loop?: Promise<void>;
  private lastHead = -1;
  private wake?: () => void;
  /** Strategy hook (scenarios): while it returns true for the L1 head, the agent runs no round (it is offline). */
  offline?: (l1Block: number) => boolean;
  private wasOffline = false;

  constructor(
    readonly provider: JsonRpcProvider,
    readonly log: Logger,
    readonly pollMs: number,
  ) {
    super();
  }

  protected abstract onBlock(head: number, at: L1Point): Promise<void>;

  /**
   * Called before the round when the L1 blocks the agent has seen are no longer canonical (an L1 reorg, noticed by
   * their hashes). `depth`: how many of the seen blocks were replaced. Subclasses drop what they derived from them.
   */
  protected onL1Reorg(_e: L1ReorgEvent): Promise<void> | void {}

  /** Hashes of the recent heads this agent ran rounds on (number -> hash), to find how deep a reorg went. */
  private readonly seen = new Map<number, string>();
  /** L1 reorgs noticed so far. */
  l1Reorgs = 0;

  /** Compares the head with the blocks seen before; on a reorg tells the subclass (onL1Reorg) before the round. */
  private async checkReorg(block: { number: number; hash: string | null; parentHash: string }): Promise<void> {
    if (block.hash === null) return;
    const known = this.seen.get(block.number);
    const parentKnown = this.seen.get(block.number - 1);
    const replaced = (known !== undefined && known !== block.hash) || (parentKnown !== undefined && parentKnown !== block.parentHash);
    if (!replaced && (known !== undefined || parentKnown !== undefined || this.seen.size === 0)) {
      this.remember(block.number, block.hash);
      return;
    }
    // Either replaced, or a jump over several blocks: compare the newest seen block below the head.
    let depth = 0;
    const numbers = [...this.seen.keys()].filter((n) => n <= block.number).sort((a, b) => b - a);
    for (const n of numbers) {
      const b = n === block.number ? block : await this.provider.getBlock(n);
      if (b && b.hash === this.seen.get(n)) break;
      depth++;
      this.seen.delete(n);
    }
    for (const n of [...this.seen.keys()]) if (n > block.number) this.seen.delete(n);
    this.lastSeen = undefined;
    this.remember(block.number, block.hash);
    if (depth === 0) return;
    this.l1Reorgs++;
    const e: L1ReorgEvent = { head: block.number, depth, firstReplaced: numbers[depth - 1] ?? block.number };
    this.log.warn("L1 reorg: blocks seen before are no longer canonical; re-reading L1", { ...e });
    this.emit("l1-reorg", e);
    await this.onL1Reorg(e);
  }

  private remember(n: number, hash: string): void {
    this.seen.set(n, hash);
    if (!this.lastSeen || n >= this.lastSeen.number) this.lastSeen = { number: n, hash };
    if (this.seen.size > 256) this.seen.delete(Math.min(...this.seen.keys()));
  }

  /** Starts the loop (after `init`). */
  startLoop(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    this.watcher = setInterval(() => void this.watchHead(), this.pollMs);
    this.watcher.unref();
  }

  /** Stops the loop after the current round. */
  async stopLoop(): Promise<void> {
    this.running = false;
    clearInterval(this.watcher);
    this.wake?.();
    await this.loop;
  }

  /**
   * Called as soon as a reorg is suspected while a round runs (the round may be waiting for a receipt that will never
   * come: its transaction was dropped, or sits behind a nonce gap). Agents stop waiting there (TxSender.abandon);
   * the full handling (onL1Reorg) follows at the next poll.
   */
  protected onL1ReorgSuspected(): void {}

  private watcher?: NodeJS.Timeout;
  private roundBusy = false;
  private watching = false;
  /** The newest block a round ran on, and its hash. */
  private lastSeen?: { number: number; hash: string };
  /** The hash of the last block found replaced by the watcher. */
  private suspected?: string;

  /** While a round runs: is the block it started from still canonical? */
  private async watchHead(): Promise<void> {
    if (this.watching || !this.roundBusy || !this.lastSeen || this.suspected === this.lastSeen.hash) return;
    this.watching = true;
    try {
      const b = await this.provider.getBlock(this.lastSeen.number);
      if (this.roundBusy && b && b.hash !== this.lastSeen.hash) {
        this.suspected = this.lastSeen.hash; // once per replaced block
        this.log.warn("L1 reorg suspected during a round: no longer waiting for its transaction", { block: this.lastSeen.number });
        this.onL1ReorgSuspected();
      }
    } catch {
      // the next poll sees it
    } finally {
      this.watching = false;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const head = await this.provider.getBlockNumber();
        const off = head !== this.lastHead && this.offline?.(head) === true;
        if (off !== this.wasOffline && head !== this.lastHead) {
          this.wasOffline = off;
          if (off) this.log.warn("offline (strategy): no rounds", { l1: head });
          else this.log.info("back online", { l1: head });
        }
        if (off) this.lastHead = head;
        else {
          // The head block every poll, not only its number: an L1 reorg may replace blocks and keep the height.
          const block = await this.provider.getBlock(head);
          const before = block?.hash ? this.seen.get(head) : undefined;
          if (block) await this.checkReorg(block);
          if (head !== this.lastHead || (before !== undefined && before !== block?.hash)) {
            const at: L1Point = { l1Block: head, timestamp: block ? block.timestamp : Math.floor(Date.now() / 1000) };
            this.roundBusy = true;
            try {
              await this.onBlock(head, at);
            } finally {
              this.roundBusy = false;
            }
            this.lastHead = head;
          }
        }
      } catch (e) {
        if (!this.running) break;
        this.log.warn("round failed, retrying", { error: errText(e) });
      }
      if (!this.running) break;
      await new Promise<void>((res) => {
        const t = setTimeout(res, this.pollMs);
        this.wake = () => {
          clearTimeout(t);
          res();
        };
      });
    }
  }
}

export function hex(b: Uint8Array): string {
  return "0x" + Buffer.from(b).toString("hex");
}

export function bytesFromHex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.startsWith("0x") ? h.slice(2) : h, "hex"));
}

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
