/**
 * Sequencer agent. Per L1 head it settles the heights it took part in (won, lost, finalized, reorged: status
 * ladder, mempool re-insertion, escrow release), refreshes its pending view (the L2 state at the chain tip, rebuilt
 * from L1), then acts on the height whose phase the next L1 block is in:
 *
 *   proposal: VRF proof for (randomness, height), block from the mempool (fees first), commitment, propose
 *   reveal:   reveal the committed block (if its parent is still the tip)
 *   commit:   prover marketplace (quotes, match, EIP-712 consent) or self-proving fallback; commitProver
 *
 * It also serves the L2 JSON-RPC (docs/agents.md) plus `l2_getBlockBody`, which provers use to get the signed
 * transfers of a revealed block (signatures are not pubdata), triggers overdue reorgs (it is paid for it), and
 * proves its own blocks when no prover took them.
 *
 * Resume: the block of a height (txs, salt, VRF proof) is written to the store before `propose` is sent; every
 * later step reads the proposal's status from L1, so a restarted agent continues where L1 says it is, and never
 * posts a deposit twice (the contract refuses a second commit).
 */
import { createServer, type Server } from "node:http";
import { listenHttp } from "../node/http.js";
import { AbiCoder, hexlify, keccak256, randomBytes, Wallet, type JsonRpcProvider } from "ethers";
import {
  buildBlock, encodeBlockSignatures, initL2, l2Domain, stateFromGenesis, transferFromJSON, transferToJSON, type GenesisAccount, type L2State, type Transfer,
  type TransferJSON,
} from "../l2/index.js";
import {
  HeightStatus, Phase, ProposalStatus, Role, RollupClient, StakingClient, isContractError, type RollupConfig, type Timeline,
} from "../client/index.js";
import { vrfKeyFromSeed, vrfOutput, vrfProve, vrfVerify, type VrfPublicKey } from "../vrf/index.js";
import {
  L2RpcServer, loadNode, rootHex, saveNode, canTransition, txIdOf, type L1Point, type Mempool, type StatusTracker, type TxId,
  type TxStatus,
} from "../node/index.js";
import { Store } from "../store/index.js";
import { Reputation, matchQuotes, requestQuotes, type QuoteRequest } from "../market/index.js";
import { Prover } from "../zk/prover.js";
import { AgentError, L2Chain, Logger, PollingAgent, TxSender, ZERO_ADDRESS, connectL1, errText, hex, type L1TxRecord } from "./common.js";
import { ProofDuty } from "./proving.js";
import { AGENT_DEFAULTS } from "../defaults.js";
import { blockCommitment, fernetScore, outranks } from "../protocol.js";

export interface SequencerOptions {
  name: string;
  rpcUrl: string;
  rollup: string;
  privateKey: string;
  vrfSeed: string;
  T: number;
  D: number;
  genesis: GenesisAccount[];
  storePath: string;
  rpcPort?: number;
  rpcHost?: string;
  proverUrls?: string[];
  feeSplitBps?: bigint;
  proverTip?: bigint;
  proverRewardShareBps?: bigint;
  quoteTimeoutMs?: number;
  fault?: "none" | "no-reveal";
  /** Per-height fault (scenarios): proposes at these heights and never reveals. */
  noRevealAt?: (height: bigint) => boolean;
  /** Offline windows (scenarios): no rounds while it returns true for the L1 head. */
  offline?: (l1Block: number) => boolean;
  /** Circuit files, for self-proving. */
  wasmPath: string;
  zkeyPath: string;
  pollMs?: number;
  log?: Logger;
  onTx?: (r: L1TxRecord) => void;
  /** Batch path: post proofs to the ProofAggregator instead of submitting them verified. */
  postProofs?: boolean;
}

/** What the sequencer keeps per height it proposed at. */
export interface HeightRecord {
  height: bigint;
  parent: bigint;
  newRoot: bigint;
  pubdata: string;
  salt: string;
  vrfProof: [bigint, bigint];
  vrfOutput: bigint;
  feeSplitBps: bigint;
  proverTip: bigint;
  proverRewardShareBps: bigint;
  txs: TransferJSON[];
  txIds: TxId[];
  /** The prover named at commit (this sequencer when self-proving). */
  prover?: string;
  /** Terminal once set to lost / finalized / reorged / abandoned. */
  outcome?: "won" | "lost" | "finalized" | "reorged" | "abandoned";
  released?: boolean;
}

const HEIGHTS = "heights";
const NODE = "node";
const key = (h: bigint) => h.toString().padStart(12, "0");
const TERMINAL = new Set(["lost", "finalized", "reorged", "abandoned"]);

export class SequencerAgent extends PollingAgent {
  readonly name: string;
  readonly address: string;
  private readonly o: SequencerOptions;
  private readonly wallet: Wallet;
  private readonly client: RollupClient;
  private readonly sender: TxSender;
  private readonly vrfSk: bigint;
  private store!: Store;
  private chain!: L2Chain;
  private cfg!: RollupConfig;
  private chainId!: bigint;
  /** The rollup's L2 domain (chain id, rollup address): what the transfers are signed under. */
  private domain!: bigint;
  private mempool!: Mempool;
  private tracker!: StatusTracker;
  private reputation!: Reputation;
  private readonly records = new Map<bigint, HeightRecord>();
  private readonly timelines = new Map<bigint, Timeline>();
  private tipHeight = -1n;
  private tipState!: L2State;
  private finalizedHeight = 0n;
  private finalizedState!: L2State;
  private head: L1Point = { l1Block: 0, timestamp: 0 };
  private rpc?: L2RpcServer;
  private http?: Server;
  private prover?: Prover;
  private duty?: ProofDuty;
  private staking!: StakingClient;
  /** Off-chain verdicts on other proposals' claimed VRF outputs (finding 8), per `height:sequencer`. */
  private readonly claims = new Map<string, { leads: boolean; falseProof?: [bigint, bigint]; pk?: VrfPublicKey }>();
  /** False claims already challenged (or given up on), per `height:sequencer`. */
  private readonly challenged = new Set<string>();
  rpcUrl = "";

  private constructor(o: SequencerOptions, provider: JsonRpcProvider) {
    super(provider, o.log ?? new Logger(o.name), o.pollMs ?? AGENT_DEFAULTS.pollMs);
    this.o = o;
    this.name = o.name;
    this.wallet = new Wallet(o.privateKey, provider);
    this.address = this.wallet.address;
    this.client = new RollupClient(o.rollup, this.wallet);
    this.sender = new TxSender(this.wallet, o.name, o.onTx);
    this.vrfSk = vrfKeyFromSeed(o.vrfSeed).sk;
    this.offline = o.offline;
  }

  /** Connects, restores the store, starts the L2 RPC endpoint and the loop. */
  static async start(o: SequencerOptions): Promise<SequencerAgent> {
    await initL2();
    const provider = await connectL1(o.rpcUrl, o.pollMs ?? AGENT_DEFAULTS.pollMs);
    const a = new SequencerAgent(o, provider);
    try {
      await a.init();
    } catch (e) {
      provider.destroy();
      throw e;
    }
    a.startLoop();
    return a;
  }

  private async init(): Promise<void> {
    this.cfg = await this.client.config();
    if (Number(this.cfg.slots) !== this.o.T) throw new AgentError("BAD_CONFIG", `rollup has T=${this.cfg.slots}, config says ${this.o.T}`);
    this.chainId = (await this.provider.getNetwork()).chainId;
    this.domain = l2Domain(this.chainId, this.o.rollup);
    this.staking = new StakingClient(await this.client.contract.staking(), this.provider);
    const genesis = stateFromGenesis(this.o.genesis, this.o.D);
    if (genesis.root !== this.cfg.genesisRoot) throw new AgentError("BAD_CONFIG", `genesis root ${genesis.root} differs from the rollup's ${this.cfg.genesisRoot}`);
    this.chain = new L2Chain(this.client, genesis);
    this.store = Store.open(this.o.storePath);
    this.reputation = new Reputation({ store: this.store });
    const head = await this.provider.getBlockNumber();
    this.head = { l1Block: head, timestamp: Math.floor(Date.now() / 1000) };
    this.tipHeight = await this.client.chainTip();
    this.tipState = await this.chain.stateAt(this.tipHeight);
    this.finalizedHeight = await this.client.lastFinalized();
    this.finalizedState = await this.chain.stateAt(this.finalizedHeight);
    const loaded = loadNode(this.store, NODE, this.tipState, this.head, { domain: this.domain });
    this.mempool = loaded.mempool;
    this.tracker = loaded.tracker;
    for (const [, r] of this.store.list<HeightRecord>(HEIGHTS)) if (!r.outcome || !TERMINAL.has(r.outcome)) this.records.set(r.height, r);
    // Blocks this node won before a restart are still in the pool (saved before they were removed): drop them again.
    for (const r of this.records.values()) if (r.outcome === "won") this.mempool.removeIncluded(r.txs.map(transferFromJSON));
    if ([...this.records.values()].some((r) => r.prover?.toLowerCase() === this.address.toLowerCase())) this.ensureSelfProver();
    if (this.records.size || loaded.mempool.size) this.log.info("resumed", { heights: [...this.records.keys()], mempool: loaded.mempool.size });

    this.rpc = new L2RpcServer({
      mempool: this.mempool,
      tracker: this.tracker,
      pendingState: () => this.tipState,
      finalizedState: () => this.finalizedState,
      chainInfo: () => ({
        chainId: Number(this.chainId), rollup: this.o.rollup, depth: this.o.D, blockSize: this.o.T,
        pendingHeight: Number(this.tipHeight), finalizedHeight: Number(this.finalizedHeight),
        pendingRoot: rootHex(this.tipState.root), finalizedRoot: rootHex(this.finalizedState.root), l1Block: this.head.l1Block,
      }),
      l1Now: () => this.head,
      onTransaction: () => this.save(),
    });
    this.rpcUrl = await this.listen(this.o.rpcPort ?? 0, this.o.rpcHost ?? "127.0.0.1");
    this.log.info("sequencer up", { address: this.address, rpc: this.rpcUrl });
  }

  /** HTTP front: `l2_getBlockBody` is answered here, everything else by the L2RpcServer (docs/agents.md). */
  private listen(port: number, host: string): Promise<string> {
    const server = createServer(async (req, res) => {
      if (req.method !== "POST") {
        res.writeHead(405, { allow: "POST" }).end();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > 1 << 20) {
          res.writeHead(413).end();
          return;
        }
        chunks.push(c as Buffer);
      }
      const body = Buffer.concat(chunks).toString("utf8");
      let out: string | undefined;
      try {
        const parsed = JSON.parse(body) as { method?: unknown; id?: unknown; params?: unknown };
        if (parsed && !Array.isArray(parsed) && parsed.method === "l2_getBlockBody") out = JSON.stringify(await this.blockBodyRpc(parsed));
      } catch {
        // not JSON: the L2RpcServer answers the parse error
      }
      out ??= await this.rpc!.handle(body);
      res.writeHead(out === undefined ? 204 : 200, { "content-type": "application/json" }).end(out);
    });
    this.http = server;
    return listenHttp(server, port, host);
  }

  private async blockBodyRpc(req: { id?: unknown; params?: unknown }): Promise<unknown> {
    const id = req.id ?? null;
    const p = Array.isArray(req.params) ? req.params[0] : (req.params as { height?: unknown } | undefined)?.height;
    const h = typeof p === "number" && Number.isSafeInteger(p) ? BigInt(p) : typeof p === "string" && /^[0-9]{1,20}$/.test(p) ? BigInt(p) : undefined;
    if (h === undefined) return { jsonrpc: "2.0", id, error: { code: -32602, message: "params: [height]" } };
    const r = this.records.get(h) ?? this.store.get<HeightRecord>(HEIGHTS, key(h));
    // Only revealed blocks are served: before the reveal the body would leak the block to competitors.
    if (!r) return { jsonrpc: "2.0", id, result: null };
    const onChain = await this.client.getProposal(h, this.address);
    if (onChain.status < ProposalStatus.Revealed) return { jsonrpc: "2.0", id, result: null };
    return { jsonrpc: "2.0", id, result: { height: h.toString(), sequencer: this.address, parent: r.parent.toString(), newRoot: rootHex(r.newRoot), pubdata: r.pubdata, txs: r.txs } };
  }

  /** Stops the loop, the RPC endpoint and the prover; saves the node. */
  async stop(): Promise<void> {
    await this.stopLoop();
    await Promise.allSettled([...this.chores.values()]);
    const drained = this.duty?.drain();
    await this.prover?.close();
    await drained;
    await new Promise<void>((r) => (this.http ? this.http.close(() => r()) : r()));
    this.http?.closeAllConnections();
    if (!this.store.closed) {
      this.save();
      this.store.close();
    }
    this.provider.destroy();
  }

  /**
   * Simulates a crash: the loop stops at once, the endpoint closes, and nothing more is written (whatever the store
   * already holds is what a restarted agent sees).
   */
  async crash(): Promise<void> {
    this.running = false;
    this.duty?.halt();
    await this.prover?.close();
    this.http?.closeAllConnections();
    this.http?.close();
    this.store.close();
    // The provider goes last: destroying it under an in-flight `tx.wait()` makes ethers' waitForTransaction reject
    // inside an async Promise executor, an unhandled rejection that would take the whole test process down. What
    // still runs can no longer write (the store is closed), so the crash stays a crash for what is persisted.
    await this.stopLoop().catch(() => {});
    await Promise.allSettled([...this.chores.values()]);
    await this.duty?.drain();
    await this.sender.idle();
    this.provider.destroy();
  }

  get mempoolSize(): number {
    return this.mempool.size;
  }

  /** Status of a tx in this node's tracker. */
  txStatus(txId: TxId): TxStatus | undefined {
    return this.tracker.get(txId)?.status;
  }

  private save(): void {
    if (!this.store.closed) saveNode(this.store, NODE, this.mempool, this.tracker);
  }

  private put(r: HeightRecord): void {
    this.records.set(r.height, r);
    this.store.put(HEIGHTS, key(r.height), r);
  }

  private async timeline(h: bigint): Promise<Timeline> {
    let t = this.timelines.get(h);
    if (!t) this.timelines.set(h, (t = await this.client.timeline(h)));
    return t;
  }

  // ---------------------------------------------------------------- the round

  protected async onBlock(head: number, at: L1Point): Promise<void> {
    this.head = at;
    const t0 = performance.now();
    const next = BigInt(head) + 1n;
    const reinsert: Transfer[] = [];
    for (const r of [...this.records.values()]) await this.settle(r, next, at, reinsert);
    await this.refreshView(at, reinsert);
    if (!this.running) return;

    // The phase action is the time-critical part: it goes before anything that can wait a block.
    const { height, phase } = await this.client.clockAt(next);
    if (height > 0n) {
      const r = this.records.get(height);
      if (phase === Phase.Proposal && !r && !this.store.get(HEIGHTS, key(height))) await this.propose(height, next, at);
      else if (phase === Phase.Reveal && r && !r.outcome) await this.reveal(r);
      else if (phase === Phase.Commit && r && !r.outcome) await this.maybeCommit(r, next, head);
    }
    await this.recordSeed(next);
    this.save();
    // One wallet, one nonce sequence: chores run in the reveal phase, where a queued transaction cannot push a
    // proposal (next phase boundary) or a commit (last block of the phase) out of its window.
    if (phase === Phase.Reveal) {
      this.background(() => this.releaseLost());
      this.background(() => this.reorgDuty(next));
    }
    await this.duty?.scan(next);
    this.log.debug("round", { l1: head, height, phase: Phase[phase], ms: Math.round(performance.now() - t0) });
  }

  private readonly chores = new Map<string, Promise<void>>();

  /** Runs housekeeping (escrow release, reorg trigger) without holding up the next round; one of each at a time. */
  private background(fn: () => Promise<void>): void {
    const k = fn.toString();
    if (this.chores.has(k)) return;
    const p = fn()
      .catch((e) => {
        if (this.running) this.log.debug("chore failed", { error: errText(e) });
      })
      .finally(() => this.chores.delete(k));
    this.chores.set(k, p);
  }

  /** Gets the tip and deposit of lost proposals back (credited to `claimable` by the Rollup). */
  private async releaseLost(): Promise<void> {
    for (const [, r] of this.store.list<HeightRecord>(HEIGHTS)) {
      if (r.outcome !== "lost" || r.released || !this.running) continue;
      try {
        await this.sender.send("release", r.height, () => this.client.release(r.height, this.address));
      } catch (e) {
        if (!isContractError(e, "Rollup__NotReleasable")) {
          this.log.warn("release failed", { height: r.height, error: errText(e) });
          continue;
        }
      }
      if (!this.store.closed) this.store.put(HEIGHTS, key(r.height), { ...r, released: true });
    }
  }

  /** Moves every tx of `ids` to `to` where the ladder allows it (repeated observations are harmless). */
  private mark(ids: TxId[], to: TxStatus, at: L1Point, height?: bigint, reason?: string): void {
    for (const id of ids) {
      const cur = this.tracker.get(id);
      if (!cur || cur.status === to || !canTransition(cur.status, to)) continue;
      try {
        this.tracker.transition(id, to, at, { height: height === undefined ? undefined : Number(height), reason });
      } catch (e) {
        this.log.debug("status step refused", { tx: id, to, error: (e as Error).message });
      }
    }
  }

  /** Back to the pool after a lost or reorged block: reorged -> in_mempool (re-inserted by the caller). */
  private backToPool(r: HeightRecord, at: L1Point, reason: string, reinsert: Transfer[]): void {
    this.mark(r.txIds, "reorged", at, undefined, reason);
    for (const id of r.txIds) {
      if (this.tracker.get(id)?.status === "reorged") this.tracker.track(id, at);
    }
    reinsert.push(...r.txs.map(transferFromJSON));
  }

  private async settle(r: HeightRecord, next: bigint, at: L1Point, reinsert: Transfer[]): Promise<void> {
    const h = r.height;
    const t = await this.timeline(h);
    const p = await this.client.getProposal(h, this.address);
    if (next < t.commitEnd) {
      if (p.status >= ProposalStatus.Proposed) this.mark(r.txIds, "in_proposed_block", at, h);
      if (p.status >= ProposalStatus.Revealed) this.mark(r.txIds, "revealed", at, h);
      if (p.status === ProposalStatus.None && next >= t.revealStart) {
        // The propose never landed (crash before sending, or it reverted): nothing to undo on L1.
        this.log.warn("proposal never landed", { height: h });
        this.put({ ...r, outcome: "abandoned" });
        this.records.delete(h);
      }
      return;
    }
    const info = await this.client.getHeight(h);
    const won = info.winner.toLowerCase() === this.address.toLowerCase() && info.status !== HeightStatus.None;
    if (!won) {
      const why =
        p.status === ProposalStatus.Proposed ? "not revealed"
        : info.winner !== ZERO_ADDRESS ? `outranked by ${info.winner}`
        : p.status === ProposalStatus.Revealed ? "not committed"
        : "height skipped";
      this.log.info("height lost", { height: h, why });
      this.backToPool(r, at, `height ${h} ${why}`, reinsert);
      // Escrow (tip, deposit) comes back through release(), sent in the background (releaseLost).
      const released = r.released ?? (p.status === ProposalStatus.None || p.status === ProposalStatus.Settled);
      this.put({ ...r, outcome: "lost", released });
      this.records.delete(h);
      this.emit("lost", h);
      return;
    }
    if (!r.outcome) {
      this.mempool.removeIncluded(r.txs.map(transferFromJSON));
      this.mark(r.txIds, "prover_committed", at, h);
      r = { ...r, outcome: "won" };
      this.put(r);
      this.log.info("height won", { height: h, txs: r.txIds.length, prover: r.prover });
      this.emit("won", h);
    }
    if (info.status === HeightStatus.Proven || info.status === HeightStatus.Finalized) this.mark(r.txIds, "verified_on_l1", at, h);
    if (info.status === HeightStatus.Finalized) {
      this.mark(r.txIds, "finalized", at, h);
      if (r.prover && r.prover.toLowerCase() !== this.address.toLowerCase()) {
        if (info.late) this.reputation.recordFailed(r.prover, h);
        else this.reputation.recordDelivered(r.prover, h);
      }
      this.put({ ...r, outcome: "finalized" });
      this.records.delete(h);
      this.log.info("height finalized", { height: h, txs: r.txIds.length });
      this.emit("finalized", h);
    } else if (info.status === HeightStatus.Reorged) {
      // Our block is gone (its own proof was missed, or an ancestor's): its transactions go back to the pool.
      const missed = (await this.client.contract.queryFilter(this.client.contract.filters.ChainReorged(h), Number(t.commitEnd))).length > 0;
      if (missed && r.prover && r.prover.toLowerCase() !== this.address.toLowerCase()) this.reputation.recordFailed(r.prover, h);
      this.log.warn("height reorged", { height: h, missedHere: missed });
      this.backToPool(r, at, missed ? `height ${h} missed its proof` : `an ancestor of height ${h} missed its proof`, reinsert);
      this.put({ ...r, outcome: "reorged" });
      this.records.delete(h);
      this.emit("reorged", h);
    }
  }

  /** The pending view follows the L1 chain tip (it moves on commits and reorgs). */
  private async refreshView(at: L1Point, reinsert: Transfer[]): Promise<void> {
    const tip = await this.client.chainTip();
    const tipState = await this.chain.stateAt(tip);
    if (tip !== this.tipHeight || tipState.root !== this.tipState.root) {
      this.tipHeight = tip;
      this.tipState = tipState;
      for (const e of this.mempool.setView(tipState)) this.mark([e.txId], "dropped", at, undefined, `stale at tip ${tip}`);
    }
    if (reinsert.length) {
      const res = this.mempool.reinsert(reinsert);
      for (const x of res.rejected) if (x.txId) this.mark([x.txId], "dropped", at, undefined, `not re-inserted: ${x.error.code}`);
      this.log.info("transactions re-inserted", { accepted: res.accepted.length, refused: res.rejected.length });
    }
    const fin = await this.client.lastFinalized();
    if (fin !== this.finalizedHeight) {
      // Height and state change together: l2_chainInfo, answered while stateAt() awaits, must not pair the new
      // finalized height with the old root.
      const state = await this.chain.stateAt(fin);
      this.finalizedHeight = fin;
      this.finalizedState = state;
    }
  }

  private async propose(h: bigint, next: bigint, at: L1Point): Promise<void> {
    const parent = this.tipHeight;
    const candidates = this.mempool.select(this.o.T);
    const { block, included, rejected } = buildBlock(this.tipState, candidates, this.o.T, this.domain);
    for (const x of rejected) this.log.debug("tx not included", { error: x.error.code });
    const randomness = await this.client.randomnessOf(h);
    if (randomness === 0n) {
      // Nobody recorded the seed in its window (the contract would refuse: RandomnessNotRecorded).
      this.log.warn("no randomness recorded for the height: cannot propose", { height: h });
      return;
    }
    const vrf = vrfProve(this.vrfSk, { chainId: this.chainId, verifier: this.o.rollup, randomness, height: h });
    const salt = hexlify(randomBytes(32));
    const pubdata = hex(block.pubdata);
    const r: HeightRecord = {
      height: h, parent, newRoot: block.newRoot, pubdata, salt, vrfProof: vrf.proof, vrfOutput: vrf.output,
      feeSplitBps: this.o.feeSplitBps ?? AGENT_DEFAULTS.feeSplitBps, proverTip: this.o.proverTip ?? AGENT_DEFAULTS.proverTip, proverRewardShareBps: this.o.proverRewardShareBps ?? AGENT_DEFAULTS.proverRewardShareBps,
      txs: included.map(transferToJSON), txIds: included.map(txIdOf),
    };
    // Intent first: a crash after sending must find the salt and block to reveal.
    this.put(r);
    const commitment = blockCommitment({ proposer: this.address, height: h, parent, newRoot: block.newRoot, pubdata, salt });
    try {
      await this.sender.send("propose", h, () =>
        // The randomness the proof signed: if an L1 reorg changes it, the proposal is refused, never slashable.
        this.client.propose({ height: h, vrfProof: vrf.proof, commitment, feeSplitBps: r.feeSplitBps, proverTip: r.proverTip, proverRewardShareBps: r.proverRewardShareBps, randomness }),
      );
    } catch (e) {
      this.log.warn("propose failed", { height: h, error: errText(e) });
      this.put({ ...r, outcome: "abandoned" });
      this.records.delete(h);
      return;
    }
    this.mark(r.txIds, "in_proposed_block", at, h);
    this.log.info("proposed", { height: h, parent, txs: included.length, l1: Number(next) });
    this.emit("proposed", h);
  }

  private async reveal(r: HeightRecord): Promise<void> {
    const p = await this.client.getProposal(r.height, this.address);
    if (p.status !== ProposalStatus.Proposed) return;
    if (this.o.fault === "no-reveal" || this.o.noRevealAt?.(r.height)) {
      this.log.warn("not revealing (fault injection)", { height: r.height });
      return;
    }
    const tip = await this.client.chainTip();
    if (tip !== r.parent) {
      this.log.warn("parent is no longer the tip: cannot reveal", { height: r.height, parent: r.parent, tip });
      return;
    }
    try {
      // The signatures go on L1 with the pubdata: anyone can then prove the block from L1 data alone.
      const signatures = encodeBlockSignatures(r.txs.map(transferFromJSON), this.o.T);
      await this.sender.send("reveal", r.height, () => this.client.reveal({ height: r.height, parent: r.parent, newRoot: r.newRoot, pubdata: r.pubdata, salt: r.salt, signatures }));
      this.mark(r.txIds, "revealed", this.head, r.height);
      this.log.info("revealed", { height: r.height });
      this.emit("revealed", r.height);
    } catch (e) {
      this.log.warn("reveal failed", { height: r.height, error: errText(e) });
    }
  }

  /**
   * Commits only when it matters: at once if this proposal is the best revealed one; otherwise in the last block of
   * the phase, if the best ones did not commit and this one would lead (spec step 3). Saves losers' deposits and gas.
   */
  private async maybeCommit(r: HeightRecord, next: bigint, head: number): Promise<void> {
    const h = r.height;
    const p = await this.client.getProposal(h, this.address);
    if (p.status !== ProposalStatus.Revealed) return;
    // A reorg during the phase took the parent away: the contract would refuse (ParentNotTip); settle will see it lost.
    if ((await this.client.chainTip()) !== r.parent) return;
    const t = await this.timeline(h);
    const revealed = await this.client.contract.queryFilter(this.client.contract.filters.Revealed(h), Number(t.revealStart), head);
    const mine = { score: fernetScore(r.vrfOutput, r.feeSplitBps, this.cfg.feeSplitScore), output: r.vrfOutput, addr: this.address.toLowerCase() };
    let best = true;
    const falseClaims: string[] = [];
    for (const ev of revealed) {
      const who = ev.args.sequencer.toLowerCase();
      if (who === mine.addr) continue;
      const q = await this.client.getProposal(h, ev.args.sequencer);
      if (q.status !== ProposalStatus.Revealed && q.status !== ProposalStatus.Committed) continue;
      const theirs = { score: fernetScore(q.vrfOutput, q.feeSplitBps, this.cfg.feeSplitScore), output: q.vrfOutput, addr: who };
      if (!outranks(theirs, mine)) continue;
      // Finding 8: a claimed output is only deferred to once its logged proof verifies off chain.
      const claim = await this.checkClaim(h, ev.args.sequencer, q.vrfOutput, t);
      if (claim.falseProof) falseClaims.push(ev.args.sequencer);
      if (claim.leads) best = false;
    }
    if (!best) {
      if (next < t.commitEnd - 1n) return this.challengeFalseClaims(h, falseClaims);
      const info = await this.client.getHeight(h);
      if (info.winner !== ZERO_ADDRESS) {
        const w = await this.client.getProposal(h, info.winner);
        const theirs = { score: fernetScore(w.vrfOutput, w.feeSplitBps, this.cfg.feeSplitScore), output: w.vrfOutput, addr: info.winner.toLowerCase() };
        if (outranks(theirs, mine)) return;
      }
      this.log.info("a better proposal did not commit: committing", { height: h });
    }
    try {
      await this.commit(r, h, head);
    } finally {
      await this.challengeFalseClaims(h, falseClaims);
    }
  }

  private async commit(r: HeightRecord, h: bigint, head: number): Promise<void> {
    const chosen = await this.chooseProver(h, head, r.proverTip);
    if (chosen) {
      try {
        await this.sender.send("commitProver", h, () => this.client.commitProver({ height: h, prover: chosen.prover, vrfProof: r.vrfProof, proverSignature: chosen.signature }));
        this.put({ ...r, prover: chosen.prover });
        this.log.info("prover committed", { height: h, prover: chosen.prover, price: chosen.price });
        this.emit("committed", h, chosen.prover);
        return;
      } catch (e) {
        this.log.warn("commit with the matched prover failed, proving ourselves", { height: h, error: errText(e) });
      }
    }
    try {
      this.ensureSelfProver();
      await this.sender.send("commitProver", h, () => this.client.commitProver({ height: h, prover: this.address, vrfProof: r.vrfProof }));
      this.put({ ...r, prover: this.address });
      this.log.info("prover committed (self)", { height: h });
      this.emit("committed", h, this.address);
    } catch (e) {
      this.log.warn("commit failed", { height: h, error: errText(e) });
    }
  }

  /**
   * Whether `who`'s proposal at `h` can lead (finding 8): its stake and VRF key were active before the height's
   * activation cutoff (else the contract refuses its leading commit), and the VRF proof logged in its `Proposed`
   * event verifies under the key it had at the cutoff and the height's randomness, with the claimed output. A false
   * claim carries the logged proof and that key, to challenge it (also when the claimer rotated its key or exits).
   */
  private async checkClaim(h: bigint, who: string, claimed: bigint, t: Timeline): Promise<{ leads: boolean; falseProof?: [bigint, bigint]; pk?: VrfPublicKey }> {
    const k = `${h}:${who.toLowerCase()}`;
    const hit = this.claims.get(k);
    if (hit) return hit;
    let verdict: { leads: boolean; falseProof?: [bigint, bigint]; pk?: VrfPublicKey };
    const cutoff = await this.client.activationCutoff(h);
    const eligible = (await this.staking.contract.activeSince(who, Role.Sequencer)) < cutoff;
    const pk = await this.keyAt(who, cutoff);
    const c = this.client.contract;
    const ev = (await c.queryFilter(c.filters.Proposed(h, who), Number(t.proposalStart), Number(t.revealStart)))[0];
    if (!ev || !pk) {
      verdict = { leads: false };
    } else {
      const proof: [bigint, bigint] = [ev.args.vrfProof[0], ev.args.vrfProof[1]];
      const randomness = await this.client.randomnessOf(h);
      let ok = false;
      try {
        ok = vrfOutput(proof) === claimed && vrfVerify(pk, { chainId: this.chainId, verifier: this.o.rollup, randomness, height: h }, proof);
      } catch {
        ok = false; // not a curve point: no valid proof
      }
      verdict = ok ? { leads: eligible } : { leads: false, falseProof: vrfOutput(proof) === claimed ? proof : undefined, pk };
      if (!ok) this.log.warn("false VRF claim ignored", { height: h, sequencer: who, claimed });
    }
    this.claims.set(k, verdict);
    return verdict;
  }

  /** The VRF key `who` had in force at `l1Block` (Staking.keyHashAt): the current key, or the one it replaced (from its log). */
  private async keyAt(who: string, l1Block: bigint): Promise<VrfPublicKey | undefined> {
    const keyHash = await this.staking.contract.keyHashAt(who, l1Block);
    if (/^0x0{64}$/.test(keyHash)) return undefined;
    const hashOf = (pk: readonly bigint[]) => keccak256(AbiCoder.defaultAbiCoder().encode(["uint256[4]"], [pk]));
    const current = [...(await this.staking.contract.vrfKeyOf(who))] as VrfPublicKey;
    if (hashOf(current) === keyHash) return current;
    const s = this.staking.contract;
    const log = (await s.queryFilter(s.filters.VrfKeyRegistered(who, keyHash), 0))[0];
    return log ? ([...log.args.pk] as VrfPublicKey) : undefined;
  }

  /** Challenges false VRF claims (`challengeVrfClaim`): the claimer's proposal is voided, its stake slashed to us. */
  private async challengeFalseClaims(h: bigint, who: string[]): Promise<void> {
    for (const s of who) {
      const k = `${h}:${s.toLowerCase()}`;
      const claim = this.claims.get(k);
      const proof = claim?.falseProof;
      const pk = claim?.pk;
      if (!proof || !pk || this.challenged.has(k)) continue;
      this.challenged.add(k);
      try {
        await this.sender.send("challengeVrfClaim", h, () => this.client.challengeVrfClaim(h, s, proof, pk));
        this.log.warn("false VRF claim challenged", { height: h, sequencer: s });
        this.emit("challengedVrfClaim", h, s);
      } catch (e) {
        this.log.info("VRF claim challenge refused", { height: h, sequencer: s, error: errText(e) });
      }
    }
  }

  /**
   * The seed of the upcoming height is recorded by the first `commitProver` of the height before it; when nobody
   * committed (or before height 1), a sequencer records it with `recordRandomness` while its window is open, else
   * the height could not be proposed at all. A second call is a no-op.
   */
  private async recordSeed(next: bigint): Promise<void> {
    const period = this.cfg.proposalBlocks + this.cfg.revealBlocks + this.cfg.commitBlocks;
    const g = this.cfg.genesisBlock;
    if (next + this.cfg.commitBlocks < g) return;
    const h = (next + this.cfg.commitBlocks - g) / period + 1n;
    const start = g + (h - 1n) * period;
    if (next < start - this.cfg.commitBlocks || next >= start) return;
    // One block into the window first: a commit of the height before (which records the seed) usually lands there.
    if (h > 1n && next === start - this.cfg.commitBlocks && this.cfg.commitBlocks > 1n) return;
    if ((await this.client.getHeight(h)).seedSet) return;
    try {
      await this.sender.send("recordRandomness", h, () => this.client.recordRandomness(h));
      this.log.info("randomness seed recorded", { height: h });
    } catch (e) {
      this.log.debug("recordRandomness failed", { height: h, error: errText(e) });
    }
  }

  /** The prover marketplace: quotes from every prover, nil-style matching with reputation. Null = self-prove. */
  private async chooseProver(h: bigint, head: number, maxPrice: bigint): Promise<{ prover: string; signature: string; price: bigint } | null> {
    const urls = this.o.proverUrls ?? [];
    if (!urls.length) return null;
    const req: QuoteRequest = {
      height: h, maxPrice, maxProvingTime: Number(this.cfg.provingWindow), minDeposit: this.cfg.proverDeposit,
      chainId: this.chainId, rollup: this.o.rollup, sequencer: this.address,
    };
    const answers = await requestQuotes(urls, req, { timeoutMs: this.o.quoteTimeoutMs ?? AGENT_DEFAULTS.quoteTimeoutMs });
    const ok = answers.filter((a) => a.ok && a.commitment !== undefined) as Extract<(typeof answers)[number], { ok: true }>[];
    for (const a of answers) if (!a.ok) this.log.debug("quote declined", { url: a.url, reason: a.reason, message: a.message });
    const match = matchQuotes({ ...req, chainId: this.chainId, rollup: this.o.rollup, currentL1Block: head }, ok.map((a) => a.quote), this.reputation);
    if (!match) {
      this.log.info("no usable quote: self-proving", { height: h, answers: answers.length, quotes: ok.length });
      return null;
    }
    const a = ok.find((x) => x.quote === match)!;
    return { prover: match.quote.prover, signature: a.commitment!, price: match.quote.price };
  }

  private ensureSelfProver(): void {
    if (this.duty) return;
    this.prover = new Prover();
    this.duty = new ProofDuty({
      client: this.client, sender: this.sender, chain: this.chain, prover: this.prover, wasmPath: this.o.wasmPath, zkeyPath: this.o.zkeyPath,
      T: this.o.T, domain: this.domain, me: this.address, store: this.store, log: this.log, post: this.o.postProofs,
      body: async (h) => {
        const r = this.records.get(h) ?? this.store.get<HeightRecord>(HEIGHTS, key(h));
        if (!r) throw new AgentError("BODY_UNAVAILABLE", `no block of ours at height ${h}`);
        return r.txs.map(transferFromJSON);
      },
      onEvent: (e) => {
        if (e.kind === "proven") {
          const r = this.records.get(e.height);
          if (r) this.mark(r.txIds, "proven", this.head, e.height);
        }
        this.emit("proof", e);
      },
    });
  }

  /** Anyone may reorg a height whose late window passed without a proof; the caller earns the bounty. */
  private async reorgDuty(next: bigint): Promise<void> {
    const pending = await this.client.pendingHeights();
    const first = pending[0];
    if (first === undefined) return;
    const t = await this.timeline(first);
    if (next < t.lateDeadline) return;
    const info = await this.client.getHeight(first);
    if (info.status !== HeightStatus.Pending) return;
    try {
      await this.sender.send("triggerReorg", first, () => this.client.triggerReorg(first));
      this.log.warn("triggered reorg of an unproven height", { height: first });
      this.emit("triggeredReorg", first);
    } catch (e) {
      // Expected races: someone else reorged it or it got proven and finalized (it is no longer the first pending
      // height), or a proof posted to the aggregator holds the reorg off until its verify window ends.
      if (!isContractError(e, "Rollup__NotFirstPending", "Rollup__ReorgNotAllowed")) this.log.debug("triggerReorg failed", { height: first, error: errText(e) });
    }
  }

  /** Proof duty in flight (self-proving). */
  get proofsInFlight(): number {
    return this.duty?.inFlight ?? 0;
  }
}
