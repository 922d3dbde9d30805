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
 * What to do is decided by the pure functions of src/agents/decisions/sequencer.ts (and, for the prover choice and
 * reputation, the proving design: src/agents/designs/sidecar.ts); this class reads L1, asks them, performs the
 * actions and persists.
 *
 * Resume: the block of a height (txs, salt, VRF proof) is written to the store before `propose` is sent; every
 * later step reads the proposal's status from L1, so a restarted agent continues where L1 says it is, and never
 * posts a deposit twice (the contract refuses a second commit).
 */
import { AbiCoder, getAddress, hexlify, isAddress, keccak256, randomBytes, Wallet, type JsonRpcProvider } from "ethers";
import { encodeBlockSignatures, executeBlockUnits, initL2, l2Domain, stateFromGenesis, transferFromJSON, type GenesisAccount, type L2State, type Transfer } from "../l2/index.js";
import { Phase, ProposalStatus, Role, RollupClient, StakingClient, isContractError, type RollupConfig, type Timeline } from "../client/index.js";
import { PROPOSAL_RING } from "../protocol.js";
import { AGENT_DEFAULTS } from "../defaults.js";
import { vrfKeyFromSeed, vrfProve, type VrfProof, type VrfPublicKey } from "../vrf/index.js";
import {
  L2RpcClient, L2RpcServer, loadNode, rootHex, saveNode, canTransition, type BlockBody, type L1Point, type Mempool, type StatusTracker, type TxId, type TxStatus, type VrfClaim,
} from "../node/index.js";
import { Store } from "../store/index.js";
import { Reputation, requestQuotes, type QuoteRequestBlock } from "../market/index.js";
import { Prover } from "../zk/prover.js";
import { AgentError, AgentWallet, L2Chain, Logger, PollingAgent, TxSender, ZERO_ADDRESS, connectL1, errText, type L1ReorgEvent, type L1TxRecord } from "./common.js";
import { ProofDuty } from "./proving.js";
import {
  TERMINAL_OUTCOMES, bestServedClaimAbove, buildProposal, servedClaimIgnored, choresDue, claimVerdict, commitDecision, defaultMiddleThreshold, defaultProposeThreshold, phaseDecision, proposalTerms, proposeDecision,
  proposeTimingDecision, releaseDecision, reorgDecision, revealDecision, seedDecision, settleDecision, type ClaimVerdict, type CommitAction,
  type CommitView, type ProposeTimingView, type RankedProposal, type RevealView, type RivalClaim, type RivalProposal, type SequencerRecord,
  type SettleAction, type SettleView, escrowedBy,
} from "./decisions/sequencer.js";
import { sidecar, sidecarQuoteRequest } from "./designs/sidecar.js";
import { designStrategy } from "./designs/index.js";
import type { ProvingDesignStrategy } from "./designs/strategy.js";

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
  /**
   * Fraction (0..1) of the top Fernet score at or above which it proposes at once; below it, it proposes late in the
   * proposal phase (proposeSlackBlocks before its last block) only if no verified better claim appeared
   * (proposeTimingDecision). 0 = always at
   * once. Default: defaultProposeThreshold(N), N the sequencers eligible at the height (from Staking's events).
   */
  proposeThreshold?: number;
  /**
   * Fraction (0..1, below proposeThreshold) of the top score at or above which a below-threshold proposal aims at the
   * phase's second block instead of the late one (a middle tier the lowest scores see before deciding). 0 = one late
   * tier. Default: defaultMiddleThreshold(N, proposeThreshold).
   */
  proposeMiddleThreshold?: number;
  /**
   * Blocks of the proposal phase a below-threshold proposal leaves after the one it aims at (default
   * AGENT_DEFAULTS.proposeSlackBlocks): room to land late, or to be made again after an L1 reorg dropped it.
   */
  proposeSlackBlocks?: number;
  /**
   * The other sequencers' L2 RPC URLs: before proposing it asks each for its VRF claim at the height
   * (`l2_getVrfClaim`), so that only the best proposes when all answer (proposeTimingDecision's `peerClaims`). A
   * function is read at each use. Default none (the threshold alone decides).
   */
  sequencerPeers?: string[] | (() => string[]);
  /** Timeout of one peer's claim request, ms (default AGENT_DEFAULTS.peerClaimTimeoutMs). */
  peerClaimTimeoutMs?: number;
  /** Reveal with the commit, in one transaction (default AGENT_DEFAULTS.revealAtCommit). */
  revealAtCommit?: boolean;
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
  /** Threads of the native prover when it proves its own block (default: all cores). */
  proverThreads?: number;
  /** OS niceness of that proving (default 0); the devnet lowers it below the agents'. */
  proverNiceness?: number;
}

/** What the sequencer keeps per height it proposed at (src/agents/decisions/sequencer.ts). */
export type HeightRecord = SequencerRecord;
/** A block's opening as the merged reveal-and-commit calls take it. */
type BlockOpening = { parent: bigint; newRoot: bigint; salt: string; pubdata: string; signatures: string };

const HEIGHTS = "heights";
const NODE = "node";
/** Longest a received L2 transaction waits to be written to the store, ms (see saveSoon). */
const SAVE_DELAY_MS = 250;
const key = (h: bigint) => h.toString().padStart(12, "0");

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
  private saveTimer?: NodeJS.Timeout;
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
  /** The proving design (from the Rollup's config): how to commit, which prover to name, the verdict on it. */
  private design: ProvingDesignStrategy = sidecar;
  private prover?: Prover;
  private duty?: ProofDuty;
  private staking!: StakingClient;
  /** Off-chain verdicts on other proposals' claimed VRF outputs (finding 8), per `height:sequencer`. */
  private readonly claims = new Map<string, ClaimVerdict>();
  /** False claims already challenged (or given up on), per `height:sequencer`. */
  private readonly challenged = new Set<string>();
  /** Every account that ever staked as a sequencer (Staking's `Staked` logs up to `stakingScannedTo`). */
  private readonly sequencerAccounts = new Set<string>();
  private stakingScannedTo = -1;
  /**
   * A proposal built while waiting for its block late in the proposal phase (proposeTimingDecision): that round then
   * only reads the claims and sends. Kept in memory only: nothing is persisted before the decision to send.
   */
  private readonly prepared = new Map<bigint, { randomness: bigint; built: ReturnType<typeof buildProposal> }>();
  /**
   * Heights whose proposal an L1 reorg dropped (or whose randomness changed under it): made again at once while the
   * phase lasts, whatever the threshold said (proposeTimingDecision `redo`).
   */
  private readonly redo = new Set<bigint>();
  /** Sequencers eligible at a height (stake and key active before its cutoff), per height. */
  private readonly eligibleCounts = new Map<bigint, number>();
  /** Our VRF claim at the next height, made once its randomness is recorded (prepareClaim), served to peers. */
  private readonly ownClaims = new Map<bigint, { randomness: bigint; proof: VrfProof; output: bigint }>();
  /**
   * Our proposal ring slot per height as slotBusy found it: busy (true) means we serve no claim there, so that the
   * others do not wait for a proposal that `propose` would refuse (ProposalSlotBusy) and then all propose late; free
   * (false) stays free (only our own proposal there writes it again), so it is not read again.
   */
  private readonly slotBusyAt = new Map<bigint, boolean>();
  /**
   * Peers whose served claim was the best of a height and came to nothing (not revealed by the end of the reveal
   * phase), with that height: their served claims are ignored for AGENT_DEFAULTS.withholderMemoryHeights heights.
   */
  private readonly withholders = new Map<string, bigint>();
  /** Heights whose served claims were judged (judgePeerClaims). */
  private readonly judgedClaims = new Set<bigint>();
  /** Verified claims the other sequencers served, per height and peer URL (peerClaimsOf). */
  private readonly peerClaims = new Map<bigint, Map<string, RivalClaim>>();
  rpcUrl = "";

  private constructor(o: SequencerOptions, provider: JsonRpcProvider) {
    super(provider, o.log ?? new Logger(o.name), o.pollMs ?? AGENT_DEFAULTS.pollMs);
    this.o = o;
    this.name = o.name;
    this.wallet = new AgentWallet(o.privateKey, provider);
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
    this.design = designStrategy(this.cfg.provingDesign);
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
    for (const [, r] of this.store.list<HeightRecord>(HEIGHTS)) if (!r.outcome || !TERMINAL_OUTCOMES.has(r.outcome)) this.records.set(r.height, r);
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
      onTransaction: () => this.saveSoon(),
      blockBody: (h) => this.blockBody(h),
      vrfClaim: (h) => this.vrfClaim(h),
    });
    this.rpcUrl = await this.rpc.listen(this.o.rpcPort ?? 0, this.o.rpcHost ?? "127.0.0.1");
    this.log.info("sequencer up", { address: this.address, rpc: this.rpcUrl });
  }

  /** `l2_getBlockBody` (served by the L2RpcServer): the signed transfers of our block at `h`, once revealed. */
  private async blockBody(h: bigint): Promise<BlockBody | null> {
    const r = this.records.get(h) ?? this.store.get<HeightRecord>(HEIGHTS, key(h));
    // Only revealed blocks are served: before the reveal the body would leak the block to competitors.
    if (!r) return null;
    const onChain = await this.client.getProposal(h, this.address);
    if (onChain.status < ProposalStatus.Revealed) return null;
    return { height: h.toString(), sequencer: this.address, parent: r.parent.toString(), newRoot: rootHex(r.newRoot), pubdata: r.pubdata, txs: r.txs };
  }

  /**
   * `l2_getVrfClaim`: our claim at `h` from the moment its randomness is recorded (prepareClaim, in the previous
   * height's commit phase), for the other sequencers' propose timing. It tells who is likely to lead a few blocks
   * before the `Proposed` logs do, nothing more: every output is public from the proposal phase on.
   */
  private vrfClaim(h: bigint): VrfClaim | null {
    if (this.slotBusyAt.get(h) === true) return null;
    const r = this.prepared.get(h)?.built.record ?? this.records.get(h);
    const feeSplitBps = r?.feeSplitBps ?? proposalTerms(this.o).feeSplitBps;
    const c = r ? { proof: r.vrfProof, output: r.vrfOutput } : this.ownClaims.get(h);
    if (!c) return null;
    return { height: h.toString(), sequencer: this.address, vrfProof: c.proof.map(String), vrfOutput: c.output.toString(), feeSplitBps: feeSplitBps.toString() };
  }

  /**
   * The claims the other sequencers serve at `h` (l2_getVrfClaim), each checked: its output from its proof, the proof
   * verified under the key the sender had at the cutoff, its eligibility. Verified ones are kept per height; a peer
   * that did not answer, had none yet or served a proof that does not verify is asked again next round.
   */
  private async peerClaimsOf(h: bigint): Promise<RivalClaim[]> {
    const peers = this.peerUrls();
    let known = this.peerClaims.get(h);
    if (!known) this.peerClaims.set(h, (known = new Map()));
    for (const k of this.peerClaims.keys()) if (k < h - 4n) (this.peerClaims.delete(k), this.judgedClaims.delete(k));
    const timeoutMs = this.o.peerClaimTimeoutMs ?? AGENT_DEFAULTS.peerClaimTimeoutMs;
    const ask = peers.filter((u) => u !== this.rpcUrl && !known.has(u));
    if (ask.length) {
      await Promise.all(ask.map(async (url) => {
        let c: VrfClaim | null;
        try {
          c = await new L2RpcClient(url, { timeoutMs }).getVrfClaim(h);
        } catch (e) {
          this.log.debug("peer claim unavailable", { height: h, peer: url, error: errText(e) });
          return;
        }
        if (!c || c.height !== h.toString() || !isAddress(c.sequencer) || c.sequencer.toLowerCase() === this.address.toLowerCase()) return;
        let proof: VrfProof, claimed: bigint, feeSplitBps: bigint;
        try {
          proof = c.vrfProof.map((x) => BigInt(x)) as VrfProof;
          claimed = BigInt(c.vrfOutput);
          feeSplitBps = BigInt(c.feeSplitBps);
        } catch {
          return;
        }
        if (proof.length !== 4) return;
        const claim = await this.claimVerdictOf(h, c.sequencer, claimed, proof);
        if (claim.reason === "verified") known.set(url, { sequencer: getAddress(c.sequencer), vrfOutput: claimed, feeSplitBps, claim });
      }));
    }
    return [...known.values()];
  }

  /** The other sequencers' L2 RPC URLs (`sequencerPeers`, read at each use). */
  private peerUrls(): string[] {
    return typeof this.o.sequencerPeers === "function" ? this.o.sequencerPeers() : this.o.sequencerPeers ?? [];
  }

  /** Whether `who`'s served claims are ignored at `h` (its best served claim came to nothing recently). */
  private withheldRecently(who: string, h: bigint): boolean {
    return servedClaimIgnored(this.withholders.get(who.toLowerCase()), h, AGENT_DEFAULTS.withholderMemoryHeights);
  }

  /**
   * Once a height's commit phase is over (a block may be revealed with its commit): if the best claim served for it
   * was a peer's (better than ours) and that peer proposed and never revealed, its served claims are ignored for a
   * while: waiting for them emptied the height, and a sequencer that proposes and withholds could otherwise empty
   * every height it is best at (the fallback reveal needs a second proposal).
   */
  private async judgePeerClaims(next: bigint): Promise<void> {
    for (const [h, known] of this.peerClaims) {
      if (this.judgedClaims.has(h) || next < (await this.timeline(h)).commitEnd) continue;
      this.judgedClaims.add(h);
      const record = this.records.get(h);
      const output = record?.vrfOutput ?? this.ownClaims.get(h)?.output;
      const mine = output === undefined ? undefined : { sequencer: this.address, vrfOutput: output, feeSplitBps: record?.feeSplitBps ?? proposalTerms(this.o).feeSplitBps };
      const best = bestServedClaimAbove([...known.values()], mine, this.cfg.feeSplitScore);
      if (!best) continue;
      const status = (await this.client.getProposal(h, best.sequencer)).status;
      // Proposed and not revealed: nobody else proposed, so the height is empty. A peer that never proposed is not
      // named: the others' last-block proposals covered the height (a best claim sent late and refused, say).
      if (status === ProposalStatus.Proposed) {
        this.withholders.set(best.sequencer.toLowerCase(), h);
        this.log.warn("a peer served the best claim and did not reveal: its served claims are ignored for a while", {
          height: h, sequencer: best.sequencer, heights: AGENT_DEFAULTS.withholderMemoryHeights,
        });
      }
    }
  }

  /** Stops the loop, the RPC endpoint and the prover; saves the node. */
  async stop(): Promise<void> {
    await this.stopLoop();
    await Promise.allSettled([...this.chores.values()]);
    const drained = this.duty?.drain();
    await this.prover?.close();
    await drained;
    await this.rpc?.close();
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
    void this.rpc?.close().catch(() => {});
    if (this.saveTimer) clearTimeout(this.saveTimer);
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
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.store.closed) saveNode(this.store, NODE, this.mempool, this.tracker);
  }

  /**
   * Saves within SAVE_DELAY_MS, once for all the transactions that arrive meanwhile: a save writes the whole pool
   * and tracker, so one per incoming transaction costs O(pool) each, O(n^2) under load (issue 12). A transaction is
   * on disk at the latest by the next L1 round (onBlock saves) or that delay, whichever comes first.
   */
  private saveSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
    this.saveTimer.unref();
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

  // ---------------------------------------------------------------- L1 reorgs

  /**
   * An L1 reorg replaced blocks this agent had seen: stop waiting for a transaction that may be gone, drop what was
   * derived from the old blocks (L2 states rebuilt from reveals, claim checks), and let a proposal the reorg dropped
   * be made again while its proposal phase lasts, with a VRF proof over the randomness L1 has now (it may have
   * changed: a stale one is refused, Rollup__RandomnessMismatch). Reveals, commits and proofs need nothing here: the
   * next round reads their status from L1 and sends again what is missing, with fresh nonces.
   */
  protected onL1ReorgSuspected(): void {
    this.sender.abandon("L1 reorg suspected");
  }

  protected async onL1Reorg(e: L1ReorgEvent): Promise<void> {
    this.sender.abandon(`L1 reorg of ${e.depth} blocks at ${e.head}`);
    this.chain.forget();
    this.claims.clear();
    this.challenged.clear();
    this.eligibleCounts.clear();
    this.prepared.clear();
    this.sequencerAccounts.clear();
    this.stakingScannedTo = -1;
    this.duty?.afterL1Reorg();
    const next = BigInt(e.head) + 1n;
    for (const r of [...this.records.values()]) {
      if (r.outcome) continue;
      const p = await this.client.getProposal(r.height, this.address);
      if (p.status !== ProposalStatus.None) continue;
      if (next < (await this.timeline(r.height)).revealStart) {
        this.log.warn("the L1 reorg dropped our proposal: proposing again", { height: r.height });
        this.forgetProposal(r.height);
        this.redo.add(r.height);
      }
    }
  }

  /** Forgets an unsent or dropped proposal so that the phase decision proposes again (fresh block, salt, VRF proof). */
  private forgetProposal(h: bigint): void {
    this.records.delete(h);
    if (!this.store.closed) this.store.delete(HEIGHTS, key(h));
  }

  // ---------------------------------------------------------------- the round

  protected async onBlock(head: number, at: L1Point): Promise<void> {
    this.head = at;
    const t0 = performance.now();
    const next = BigInt(head) + 1n;
    const { height, phase } = await this.client.clockAt(next);
    const phaseAction = () => phaseDecision({ height, phase, record: this.records.get(height), persisted: height > 0n && this.store.get(HEIGHTS, key(height)) !== undefined });
    // A reveal, and a proposal prepared in an earlier round (one that waited for the last block of the phase, or one
    // built in the block before the phase: prepareProposal), need nothing the settling below produces: they go first,
    // so that a send for the phase's first or last block lands in it.
    let action = phaseAction();
    let early = action.kind === "reveal";
    if (action.kind === "propose" && this.prepared.has(action.height)) {
      // The tip may have moved since the block was prepared (the previous height's commit landed in the phase's
      // last block, or a reorg trigger): follow it first and rebuild over it, still ahead of the settling (which
      // reads every height in flight and took more than a block under load).
      if ((await this.client.chainTip()) !== this.tipHeight) await this.refreshView(at, []);
      early = true;
    }
    if (early) await this.act(action, next, head, at);
    const reinsert: Transfer[] = [];
    for (const r of [...this.records.values()]) await this.settle(r, next, at, reinsert);
    await this.refreshView(at, reinsert);
    if (!this.running) return;

    // The phase action is the time-critical part: it goes before anything that can wait a block.
    if (!early) {
      action = phaseAction();
      await this.act(action, next, head, at);
    }
    await this.recordSeed(next);
    await this.prepareClaim(height, phase);
    await this.judgePeerClaims(next);
    await this.prepareProposal(next, phase, head);
    this.save();
    // One wallet, one nonce sequence: chores run in the reveal phase (not its last block, kept for a late reveal),
    // where a queued transaction cannot push a proposal, a reveal or a commit out of its window.
    const lastRevealBlock = phase === Phase.Reveal && this.cfg.revealBlocks > 1n && next === (await this.timeline(height)).commitStart - 1n;
    for (const chore of choresDue(phase, lastRevealBlock)) {
      if (chore === "release-lost") this.background(chore, () => this.releaseLost());
      else this.background(chore, () => this.reorgDuty(next));
    }
    await this.duty?.scan(next);
    this.log.debug("round", { l1: head, height, phase: Phase[phase], ms: Math.round(performance.now() - t0) });
  }

  private async act(action: ReturnType<typeof phaseDecision>, next: bigint, head: number, at: L1Point): Promise<void> {
    if (action.kind === "propose") await this.propose(action.height, next, head, at);
    else if (action.kind === "reveal") await this.reveal(action.record, next, head);
    else if (action.kind === "consider-commit") await this.maybeCommit(action.record, next, head);
  }

  private readonly chores = new Map<string, Promise<void>>();

  /** Runs housekeeping (escrow release, reorg trigger) without holding up the next round; one of each at a time. */
  private background(name: string, fn: () => Promise<void>): void {
    if (this.chores.has(name)) return;
    const p = fn()
      .catch((e) => {
        if (this.running) this.log.debug("chore failed", { error: errText(e) });
      })
      .finally(() => this.chores.delete(name));
    this.chores.set(name, p);
  }

  /**
   * Gets the escrow (tip, deposit) of lost proposals back (credited to `claimable` by the Rollup): one release per
   * round at most, so that a backlog cannot hold the nonce queue into the last block of the reveal phase.
   */
  private async releaseLost(): Promise<void> {
    for (const [, r] of this.store.list<HeightRecord>(HEIGHTS)) {
      if (releaseDecision(r).kind !== "release" || !this.running) continue;
      try {
        await this.sender.send("release", r.height, () => this.client.release(r.height, this.address));
      } catch (e) {
        if (!isContractError(e, "Rollup__NotReleasable")) {
          this.log.warn("release failed", { height: r.height, error: errText(e) });
          continue;
        }
      }
      if (!this.store.closed) this.store.put(HEIGHTS, key(r.height), { ...r, released: true });
      return;
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
    const view: SettleView = { me: this.address, record: r, next, timeline: t, status: p.status };
    let a: SettleAction = settleDecision(view);
    for (;;) {
      if (a.kind === "need-height" && !view.height) view.height = await this.client.getHeight(h);
      else if (a.kind === "need-propose-escrow" && view.proposeEscrow === undefined) view.proposeEscrow = await this.proposeEscrow(r, t);
      else break;
      a = settleDecision(view);
    }
    switch (a.kind) {
      case "need-height":
      case "need-propose-escrow":
        return;
      case "track":
        for (const to of a.marks) this.mark(r.txIds, to, at, h);
        return;
      case "abandon":
        // The propose never landed (crash before sending, or it reverted): nothing to undo on L1.
        this.log.warn("proposal never landed", { height: h });
        this.put({ ...r, outcome: "abandoned" });
        this.records.delete(h);
        return;
      case "lost":
        this.log.info("height lost", { height: h, why: a.why });
        for (const to of a.marks) this.mark(r.txIds, to, at, h);
        this.backToPool(r, at, `height ${h} ${a.why}`, reinsert);
        // Escrow (tip, deposit) comes back through release(), sent in the background (releaseLost).
        this.put({ ...r, outcome: "lost", released: a.released });
        this.records.delete(h);
        this.emit("lost", h);
        return;
      case "won":
        break;
    }
    if (a.newlyWon) {
      this.mempool.removeIncluded(r.txs.map(transferFromJSON));
      this.mark(r.txIds, "prover_committed", at, h);
      r = { ...r, outcome: "won" };
      this.put(r);
      this.log.info("height won", { height: h, txs: r.txIds.length, prover: r.prover });
      this.emit("won", h);
    }
    for (const to of a.marks) this.mark(r.txIds, to, at, h);
    if (a.end === "finalized") {
      this.judgeProver(r, a.late ? "late" : "on-time");
      this.put({ ...r, outcome: "finalized" });
      this.records.delete(h);
      this.log.info("height finalized", { height: h, txs: r.txIds.length });
      this.emit("finalized", h);
    } else if (a.end === "reorged") {
      // Our block is gone (its own proof was missed, or an ancestor's): its transactions go back to the pool.
      const missed = (await this.client.contract.queryFilter(this.client.contract.filters.ChainReorged(h), Number(t.commitEnd))).length > 0;
      if (missed) this.judgeProver(r, "missed");
      this.log.warn("height reorged", { height: h, missedHere: missed });
      this.backToPool(r, at, missed ? `height ${h} missed its proof` : `an ancestor of height ${h} missed its proof`, reinsert);
      this.put({ ...r, outcome: "reorged" });
      this.records.delete(h);
      this.emit("reorged", h);
    }
  }

  /** The design's reputation verdict on the prover we named, recorded for the next prover choice. */
  private judgeProver(r: HeightRecord, outcome: "on-time" | "late" | "missed"): void {
    const v = this.design.proverVerdict({ me: this.address, prover: r.prover, outcome });
    if (v?.verdict === "delivered") this.reputation.recordDelivered(v.prover, r.height);
    else if (v?.verdict === "failed") this.reputation.recordFailed(v.prover, r.height);
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

  private async propose(h: bigint, next: bigint, head: number, at: L1Point): Promise<void> {
    const decision = proposeDecision({ height: h, randomness: await this.client.randomnessOf(h) });
    if (decision.kind === "wait") {
      // Nobody recorded the seed in its window (the contract would refuse: RandomnessNotRecorded).
      this.log.warn("no randomness recorded for the height: cannot propose", { height: h });
      return;
    }
    const { randomness } = decision;
    for (const k of this.prepared.keys()) if (k < h) this.prepared.delete(k);
    for (const k of this.redo) if (k < h) this.redo.delete(k);
    const ready = this.proposalFor(h, randomness);
    if (!(await this.mightWin(h, ready.built.record, next, head))) return;
    this.prepared.delete(h);
    this.redo.delete(h);
    const { record: r, commitment, included, rejected } = ready.built;
    for (const x of rejected) this.log.debug("tx not included", { error: x.error.code });
    // Intent first: a crash after sending must find the salt and block to reveal.
    this.put(r);
    try {
      await this.sender.send("propose", h, () =>
        // The randomness the proof signed: if an L1 reorg changes it, the proposal is refused, never slashable.
        this.client.propose({ height: h, vrfProof: r.vrfProof, commitment, feeSplitBps: r.feeSplitBps, proverTip: r.proverTip, proverRewardShareBps: r.proverRewardShareBps, randomness }),
      );
    } catch (e) {
      // The randomness changed under the proof (an L1 reorg), or the wait was abandoned after one: while the
      // proposal phase lasts, the next round proposes again over what L1 says now.
      if ((isContractError(e, "Rollup__RandomnessMismatch") || (e instanceof AgentError && e.code === "L1_REORG")) && next + 1n < (await this.timeline(h)).revealStart) {
        this.log.warn("propose undone by an L1 reorg: proposing again", { height: h, error: errText(e) });
        if ((await this.client.getProposal(h, this.address)).status === ProposalStatus.None) {
          this.forgetProposal(h);
          this.redo.add(h);
        }
        return;
      }
      if (isContractError(e, "Rollup__ProposalSlotBusy")) {
        // Our ring slot (ProposalLib.RING heights back) still holds a pending height we won or escrow to release:
        // we sit this height out (the release chore frees a lost proposal's slot).
        this.log.info("proposal slot busy: sitting this height out", { height: h, error: errText(e) });
      } else {
        this.log.warn("propose failed", { height: h, error: errText(e) });
      }
      this.put({ ...r, outcome: "abandoned" });
      this.records.delete(h);
      return;
    }
    this.mark(r.txIds, "in_proposed_block", at, h);
    this.log.info("proposed", { height: h, parent: r.parent, txs: included.length, l1: Number(next) });
    this.emit("proposed", h);
  }

  /** The block, VRF proof and commitment of our proposal at `h`: built once, rebuilt if the randomness or the tip moved. */
  private proposalFor(h: bigint, randomness: bigint): { randomness: bigint; built: ReturnType<typeof buildProposal> } {
    let ready = this.prepared.get(h);
    if (!ready || ready.randomness !== randomness || ready.built.record.parent !== this.tipHeight) {
      const built = buildProposal({
        me: this.address, height: h, parent: this.tipHeight, tipState: this.tipState, candidates: this.mempool.select(this.o.T), T: this.o.T,
        domain: this.domain, vrfSk: this.vrfSk, chainId: this.chainId, rollup: this.o.rollup, randomness, salt: hexlify(randomBytes(32)),
        // Cooperative offers no tip or prover share (the contract refuses them): FEE_SPLIT is the bid.
        terms: this.design.commit === "units" ? { ...proposalTerms(this.o), proverTip: 0n, proverRewardShareBps: 0n } : proposalTerms(this.o),
      });
      this.prepared.set(h, (ready = { randomness, built }));
    }
    return ready;
  }

  /**
   * In the commit phase of `height`, once the next height's randomness is recorded (its first commit records it): our
   * VRF claim there, served to the other sequencers (l2_getVrfClaim) so that they have it at the proposal phase's first
   * round. Only the claim: the block waits for the block before the phase (prepareProposal), when the tip is known.
   */
  private async prepareClaim(height: bigint, phase: Phase): Promise<void> {
    if (phase !== Phase.Commit || height <= 0n) return;
    const h = height + 1n;
    for (const k of this.ownClaims.keys()) if (k < height) this.ownClaims.delete(k);
    for (const k of this.slotBusyAt.keys()) if (k < height) this.slotBusyAt.delete(k);
    if (await this.slotBusy(h)) return;
    const randomness = await this.client.randomnessOf(h);
    if (randomness === 0n || this.ownClaims.get(h)?.randomness === randomness) return;
    const vrf = vrfProve(this.vrfSk, { chainId: this.chainId, verifier: this.o.rollup, randomness, height: h });
    this.ownClaims.set(h, { randomness, proof: vrf.proof, output: vrf.output });
  }

  /**
   * Whether our proposal ring slot of `h` (PROPOSAL_RING heights back) still holds a committed record, a height we
   * won that is not final yet (proofs wait for their batch) or escrow not yet released: `propose` would revert
   * ProposalSlotBusy. Records the answer in slotBusyAt; a slot found free is not read again.
   */
  private async slotBusy(h: bigint): Promise<boolean> {
    if (this.slotBusyAt.get(h) === false) return false;
    const busy = h > PROPOSAL_RING && (await this.client.getProposal(h - PROPOSAL_RING, this.address)).status === ProposalStatus.Committed;
    if (busy && this.slotBusyAt.get(h) !== true) this.log.info("proposal slot busy: serving no claim at this height", { height: h, holds: h - PROPOSAL_RING });
    this.slotBusyAt.set(h, busy);
    return busy;
  }

  /**
   * In the block before a proposal phase: builds the proposal (block, VRF proof) and reads what the threshold needs, so
   * that the phase's first round sends it at once, ahead of the settling (the early path of onBlock). Built in that
   * round instead, under load the send took more than a block: the claims above the threshold landed in the phase's
   * last block with everyone else's, and every sequencer proposed (issue 13's T=8 runs).
   */
  private async prepareProposal(next: bigint, phase: Phase, head: number): Promise<void> {
    if (phase === Phase.Proposal) return;
    const upcoming = await this.client.clockAt(next + 1n);
    const h = upcoming.height;
    if (upcoming.phase !== Phase.Proposal || h <= 0n || this.records.has(h) || this.prepared.has(h) || this.store.get(HEIGHTS, key(h)) !== undefined) return;
    if (await this.slotBusy(h)) return;
    const randomness = await this.client.randomnessOf(h);
    if (randomness === 0n) return; // not recorded yet: the phase's round builds it
    this.proposalFor(h, randomness);
    await this.timeline(h);
    if (this.o.proposeThreshold === undefined || this.o.proposeMiddleThreshold === undefined) await this.eligibleSequencers(h, head);
  }

  /**
   * Whether to propose now (proposeTimingDecision): at once with a score at or above the threshold; otherwise only
   * late in the proposal phase (proposeSlackBlocks before its last block), if no verified, eligible claim outranks
   * ours by then; at once again after an L1 reorg dropped our proposal.
   */
  private async mightWin(h: bigint, r: HeightRecord, next: bigint, head: number): Promise<boolean> {
    const t = await this.timeline(h);
    const asksPeers = !this.redo.has(h) && this.peerUrls().length > 0;
    const eligible = asksPeers || this.o.proposeThreshold === undefined || this.o.proposeMiddleThreshold === undefined ? await this.eligibleSequencers(h, head) : 0;
    const threshold = this.o.proposeThreshold ?? defaultProposeThreshold(eligible);
    const middleThreshold = this.o.proposeMiddleThreshold ?? defaultMiddleThreshold(eligible, threshold);
    const view: ProposeTimingView = {
      me: this.address, vrfOutput: r.vrfOutput, feeSplitBps: r.feeSplitBps, feeSplitScore: this.cfg.feeSplitScore, threshold, middleThreshold, next, proposalStart: t.proposalStart, proposalEnd: t.revealStart,
      slackBlocks: BigInt(this.o.proposeSlackBlocks ?? AGENT_DEFAULTS.proposeSlackBlocks), redo: this.redo.has(h),
    };
    if (asksPeers) {
      const served = await this.peerClaimsOf(h);
      // A peer whose best claim came to nothing recently is counted as known but not waited for: the best of the
      // others proposes at once beside it, so that the reveal has a fallback if it withholds again.
      view.peerClaims = served.filter((q) => !this.withheldRecently(q.sequencer, h));
      const verified = new Set(served.filter((q) => q.claim?.leads).map((q) => q.sequencer.toLowerCase()));
      verified.delete(this.address.toLowerCase());
      view.peersComplete = verified.size >= eligible - 1;
    }
    for (;;) {
      const a = proposeTimingDecision(view);
      if (a.kind === "need-proposals") view.claims = await this.proposalsOf(h, t, head);
      else if (a.kind === "need-claims") {
        for (const q of view.claims!) if (a.sequencers.includes(q.sequencer)) q.claim = await this.checkClaim(h, q, t);
      } else if (a.kind === "wait") {
        if (a.reason === "below-threshold") this.log.debug("score below the threshold: waiting until late in the proposal phase", { height: h, threshold });
        else if (a.reason === "outranked-off-chain") this.log.debug("a peer served a verified better claim: waiting until late in the proposal phase", { height: h });
        else this.log.info("a verified better claim was made: not proposing", { height: h });
        return false;
      } else {
        if (a.reason === "best-known-claim") this.log.debug("the best of every eligible sequencer's claim: proposing at once", { height: h });
        if (a.reason === "no-better-claim") this.log.info("no verified better claim: proposing late in the phase", { height: h });
        if (a.reason === "no-better-claim-middle") this.log.info("no verified better claim: proposing in the phase's second block (middle tier)", { height: h });
        if (a.reason === "redo-after-l1-reorg") this.log.info("no verified better claim after the L1 reorg: proposing again at once", { height: h });
        return true;
      }
    }
  }

  /** The other sequencers' claims at `h` so far, from their `Proposed` logs (output, fee split). */
  private async proposalsOf(h: bigint, t: Timeline, head: number): Promise<RivalClaim[]> {
    const c = this.client.contract;
    const logs = await c.queryFilter(c.filters.Proposed(h), Number(t.proposalStart), Math.min(head, Number(t.revealStart) - 1));
    return logs
      .filter((ev) => ev.args.sequencer.toLowerCase() !== this.address.toLowerCase())
      .map((ev) => ({ sequencer: ev.args.sequencer, vrfOutput: ev.args.vrfOutput, feeSplitBps: ev.args.feeSplitBps }));
  }

  /**
   * The sequencers eligible at `h` (stake and VRF key active before its activation cutoff): every account that ever
   * staked as a sequencer (Staking's `Staked` logs, scanned incrementally) whose `activeSince` is before the cutoff.
   */
  private async eligibleSequencers(h: bigint, head: number): Promise<number> {
    const hit = this.eligibleCounts.get(h);
    if (hit !== undefined) return hit;
    const s = this.staking.contract;
    if (head > this.stakingScannedTo) {
      for (const ev of await s.queryFilter(s.filters.Staked(), this.stakingScannedTo + 1, head)) {
        if (Number(ev.args.role) === Role.Sequencer) this.sequencerAccounts.add(ev.args.account);
      }
      this.stakingScannedTo = head;
    }
    const cutoff = await this.client.activationCutoff(h);
    let n = 0;
    for (const a of this.sequencerAccounts) if ((await s.activeSince(a, Role.Sequencer)) < cutoff) n++;
    this.eligibleCounts.set(h, n);
    return n;
  }

  /**
   * Reveals only when it might lead (revealDecision): at once if no verified claim outranks ours, otherwise in the
   * last block of the phase if none of the better claimants revealed. False better claims are challenged.
   */
  private async reveal(record: HeightRecord, next: bigint, head: number): Promise<void> {
    const h = record.height;
    const p = await this.client.getProposal(h, this.address);
    const withholdReveal = this.withholdsReveal(h);
    const tip = p.status === ProposalStatus.Proposed && !withholdReveal ? await this.client.chainTip() : this.tipHeight;
    const t = await this.timeline(h);
    const view: RevealView = { me: this.address, record, status: p.status, tip, withholdReveal, next, revealEnd: t.commitStart, feeSplitScore: this.cfg.feeSplitScore, revealAtCommit: this.revealAtCommit };
    let a = revealDecision(view);
    for (;;) {
      if (a.kind === "need-rivals") view.rivals = await this.rivalsOf(h, t, head);
      else if (a.kind === "need-claims") {
        for (const q of view.rivals!) if (a.sequencers.includes(q.sequencer)) q.claim = await this.checkClaim(h, q, t);
      } else break;
      a = revealDecision(view);
    }
    if (a.kind === "wait") {
      if (a.reason === "fault-injection") this.log.warn("not revealing (fault injection)", { height: h });
      if (a.reason === "parent-not-tip") this.log.warn("parent is no longer the tip: cannot reveal", { height: h, parent: record.parent, tip });
      if (a.reason === "outranked") this.log.info("a better proposal revealed: not revealing", { height: h });
      if (a.reason === "reveal-at-commit") this.log.debug("revealing with the commit", { height: h });
      await this.challengeFalseClaims(h, a.challenge);
      return;
    }
    if (a.kind !== "reveal") return;
    const r = a.record;
    if (a.reason === "better-did-not-reveal") this.log.info("the better proposals did not reveal: revealing", { height: h });
    try {
      // The signatures go on L1 with the pubdata: anyone can then prove the block from L1 data alone.
      const signatures = this.signaturesOf(r);
      await this.sender.send("reveal", r.height, () => this.client.reveal({ height: r.height, parent: r.parent, newRoot: r.newRoot, pubdata: r.pubdata, salt: r.salt, signatures }));
      this.mark(r.txIds, "revealed", this.head, r.height);
      this.log.info("revealed", { height: r.height });
      this.emit("revealed", r.height);
    } catch (e) {
      this.log.warn("reveal failed", { height: r.height, error: errText(e) });
    } finally {
      // After the reveal: the challenge is not time-critical, the reveal is.
      await this.challengeFalseClaims(h, a.challenge);
    }
  }

  /** The other proposals of `h` (from the `Proposed` logs) with their status on L1 now. */
  private async rivalsOf(h: bigint, t: Timeline, head: number): Promise<RivalProposal[]> {
    const out: RivalProposal[] = [];
    for (const q of await this.proposalsOf(h, t, head)) {
      const onChain = await this.client.getProposal(h, q.sequencer);
      out.push({ sequencer: q.sequencer, status: onChain.status, vrfOutput: onChain.vrfOutput, feeSplitBps: onChain.feeSplitBps });
    }
    return out;
  }

  /**
   * What `propose` escrowed for our proposal `r`: the tokens its transaction moved from us to the Rollup (the token's
   * `Transfer` logs in the receipt of the transaction that emitted our `Proposed` log). Contracts that escrow the tip
   * at `propose` pull it there; once the tip is escrowed at the commit nothing moves. The `Proposed` log's
   * `proverTip` does not tell them apart: it shows the escrowed tip before that change and the offered one after.
   * Without the log (an L1 reorg took it?), the record's tip: a release then costs gas in vain at worst.
   */
  private async proposeEscrow(r: HeightRecord, t: Timeline): Promise<bigint> {
    const c = this.client.contract;
    const ev = (await c.queryFilter(c.filters.Proposed(r.height, this.address), Number(t.proposalStart), Number(t.revealStart)))[0];
    if (!ev) return r.proverTip;
    const receipt = await this.provider.getTransactionReceipt(ev.transactionHash);
    if (!receipt) return r.proverTip;
    return escrowedBy(receipt.logs, await this.tokenAddress(), this.address, this.o.rollup);
  }

  private token?: string;
  private async tokenAddress(): Promise<string> {
    return (this.token ??= await this.client.contract.token());
  }

  /**
   * Commits only when it matters (commitDecision): at once if this proposal is the best revealed one; otherwise in
   * the last block of the phase, if the best ones did not commit and this one would lead. The decision asks for the
   * claim checks of better-ranked rivals and for the current winner only when it needs them.
   */
  private async maybeCommit(r: HeightRecord, next: bigint, head: number): Promise<void> {
    const h = r.height;
    const p = await this.client.getProposal(h, this.address);
    const withhold = this.withholdsReveal(h);
    const revealAtCommit = this.revealAtCommit && !withhold;
    const mayCommit = p.status === ProposalStatus.Revealed || (p.status === ProposalStatus.Proposed && revealAtCommit);
    const tip = mayCommit ? await this.client.chainTip() : this.tipHeight;
    const t = await this.timeline(h);
    const view: CommitView = {
      me: this.address, record: r, status: p.status, tip, next, commitEnd: t.commitEnd, feeSplitScore: this.cfg.feeSplitScore, revealAtCommit,
      rivalsMayRevealAtCommit: this.design.revealsWithCommit, rivals: [],
    };
    let a: CommitAction = commitDecision(view);
    if (a.kind === "wait" && (a.reason === "not-revealed" || a.reason === "parent-not-tip")) return;
    // Every other proposal may still hold the height (one not revealed yet may reveal with its commit).
    view.rivals = await this.rivalsOf(h, t, head);
    for (;;) {
      a = commitDecision(view);
      if (a.kind === "need-claims") {
        for (const q of view.rivals) if (a.sequencers.includes(q.sequencer)) q.claim = await this.checkClaim(h, q, t);
      } else if (a.kind === "need-winner") {
        const info = await this.client.getHeight(h);
        const w = info.winner === ZERO_ADDRESS ? undefined : await this.client.getProposal(h, info.winner);
        view.winner = w ? { sequencer: info.winner, vrfOutput: w.vrfOutput, feeSplitBps: w.feeSplitBps } : null;
      } else break;
    }
    if (a.kind === "commit") {
      if (a.reason === "better-did-not-commit") this.log.info("a better proposal did not commit: committing", { height: h });
      try {
        await this.commit(r, h, head, a.reveal);
      } finally {
        await this.challengeFalseClaims(h, a.challenge);
      }
    } else if (a.kind === "wait") await this.challengeFalseClaims(h, a.challenge);
  }

  /** Fault injection: this sequencer withholds the reveal of `h` (and so never commits it). */
  private withholdsReveal(h: bigint): boolean {
    return this.o.fault === "no-reveal" || this.o.noRevealAt?.(h) === true;
  }

  /** The block's signatures as L1 takes them (64 bytes per non-empty slot), logged with the reveal. */
  private signaturesOf(r: HeightRecord): Uint8Array {
    return encodeBlockSignatures(r.txs.map(transferFromJSON), this.o.T);
  }

  /** Reveal with the commit where the design's commit can carry the block (revealAndCommitProver, revealAndCommitUnits). */
  private get revealAtCommit(): boolean {
    return this.design.revealsWithCommit && (this.o.revealAtCommit ?? AGENT_DEFAULTS.revealAtCommit);
  }

  /**
   * The design's commit. Sidecar names the prover: `commitProver` for a revealed block; with `reveal`, the block is
   * not revealed yet and goes with the commit (revealAndCommitProver) and with the quote requests (the provers check
   * it against our commitment). Cooperative commits units (`commitUnits`).
   */
  private async commit(r: HeightRecord, h: bigint, head: number, reveal = false): Promise<void> {
    const block = reveal ? { parent: r.parent, newRoot: r.newRoot, salt: r.salt, pubdata: r.pubdata, signatures: hexlify(this.signaturesOf(r)) } : undefined;
    const revealed = () => {
      if (!block) return;
      this.mark(r.txIds, "revealed", this.head, h);
      this.log.info("revealed", { height: h, withCommit: true });
      this.emit("revealed", h);
    };
    if (this.design.commit === "units") return this.commitUnits(r, h, block, revealed);
    const send = (prover: string, proverSignature?: string) =>
      block
        ? this.sender.send("revealAndCommitProver", h, () => this.client.revealAndCommitProver({ height: h, ...block, prover, vrfProof: r.vrfProof, proverSignature }))
        : this.sender.send("commitProver", h, () => this.client.commitProver({ height: h, prover, vrfProof: r.vrfProof, proverSignature }));
    const chosen = await this.chooseProver(h, head, r.proverTip, block);
    if (chosen) {
      try {
        await send(chosen.prover, chosen.signature);
        revealed();
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
      await send(this.address);
      revealed();
      this.put({ ...r, prover: this.address });
      this.log.info("prover committed (self)", { height: h });
      this.emit("committed", h, this.address);
    } catch (e) {
      this.log.warn("commit failed", { height: h, error: errText(e) });
    }
  }

  /**
   * Cooperative's commit: the block's K - 1 intermediate roots (our block executed again on its parent's state and
   * split into units, src/l2/units.ts) and the bond. No prover is named: provers are elected per unit on chain.
   * With `reveal`, the block is not revealed yet and goes with the commit (revealAndCommitUnits).
   */
  private async commitUnits(r: HeightRecord, h: bigint, reveal: BlockOpening | undefined, revealed: () => void): Promise<void> {
    try {
      const parentState = await this.chain.stateAt(r.parent);
      const { block, units } = executeBlockUnits(parentState, r.txs.map(transferFromJSON), this.o.T, Number(this.cfg.units), this.domain);
      if (block.newRoot !== r.newRoot) throw new AgentError("BAD_CONFIG", `our block at ${h} re-executes to root ${block.newRoot}, not ${r.newRoot}`);
      const commit = { height: h, intermediateRoots: units.intermediateRoots, vrfProof: r.vrfProof };
      if (reveal) await this.sender.send("revealAndCommitUnits", h, () => this.client.revealAndCommitUnits({ ...commit, ...reveal }));
      else await this.sender.send("commitUnits", h, () => this.client.commitUnits(commit));
      revealed();
      this.log.info("units committed", { height: h, units: units.K });
      this.emit("committed", h, ZERO_ADDRESS);
    } catch (e) {
      this.log.warn("commit failed", { height: h, error: errText(e) });
    }
  }

  /**
   * `claimVerdict` of `who`'s claim of `claimed` at `h` with `proof` (logged or served): under the key it had at the
   * height's activation cutoff, eligible if its stake and key were active before it.
   */
  private async claimVerdictOf(h: bigint, who: string, claimed: bigint, proof: VrfProof | undefined): Promise<ClaimVerdict> {
    const cutoff = await this.client.activationCutoff(h);
    const eligible = (await this.staking.contract.activeSince(who, Role.Sequencer)) < cutoff;
    const pk = await this.keyAt(who, cutoff);
    const randomness = proof && pk ? await this.client.randomnessOf(h) : undefined;
    return claimVerdict({ height: h, claimed, eligible, loggedProof: proof, pk, randomness, chainId: this.chainId, rollup: this.o.rollup });
  }

  /**
   * Reads what the verdict on `q`'s claimed VRF output needs (finding 8; claimVerdict decides): whether its stake and
   * VRF key were active before the height's activation cutoff, the key it had at the cutoff, the proof logged in its
   * `Proposed` event and the height's randomness. One verdict per (height, sequencer).
   */
  private async checkClaim(h: bigint, q: RankedProposal, t: Timeline): Promise<ClaimVerdict> {
    const who = q.sequencer;
    const k = `${h}:${who.toLowerCase()}`;
    const hit = this.claims.get(k);
    if (hit) return hit;
    // The proof is in the calldata of the proposal (the log has its output). A proof that cannot be read (made
    // through a contract on a node without call traces, say) verifies nothing: the claim is not deferred to.
    let unread = false;
    const logged = await this.client.proposedClaim(h, who, t.proposalStart).catch((e: unknown) => {
      this.log.warn("a claim's VRF proof could not be read from its proposal's calldata: not deferred to", { height: h, sequencer: who, error: errText(e) });
      unread = true;
      return undefined;
    });
    const verdict = await this.claimVerdictOf(h, who, q.vrfOutput, logged && logged.vrfOutput === q.vrfOutput ? logged.vrfProof : undefined);
    if (verdict.reason === "false-claim") this.log.warn("false VRF claim ignored", { height: h, sequencer: who, claimed: q.vrfOutput });
    if (!unread) this.claims.set(k, verdict); // an unread proof is tried again next round
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

  /** Records the upcoming height's randomness seed when nobody did (seedDecision), unless it is already set. */
  private async recordSeed(next: bigint): Promise<void> {
    let a = seedDecision(next, this.cfg);
    if (a.kind === "wait") return;
    const h = a.kind === "need-reveals" ? a.height + 1n : a.height;
    if ((await this.client.getHeight(h)).seedSet) return;
    if (a.kind === "need-reveals") {
      const c = this.client.contract;
      // A proposal of the height before may still commit (and record the seed): revealed, or not yet revealed and
      // revealing with its commit (revealAndCommitProver).
      const proposed = await c.queryFilter(c.filters.Proposed(a.height), Number((await this.timeline(a.height)).proposalStart));
      a = seedDecision(next, this.cfg, proposed.length > 0);
      if (a.kind !== "record-randomness") return;
    }
    try {
      await this.sender.send("recordRandomness", h, () => this.client.recordRandomness(h));
      this.log.info("randomness seed recorded", { height: h });
    } catch (e) {
      this.log.debug("recordRandomness failed", { height: h, error: errText(e) });
    }
  }

  /** The prover market (quotes from every prover) and the design's choice. Null = self-prove. */
  private async chooseProver(h: bigint, head: number, maxPrice: bigint, block?: QuoteRequestBlock): Promise<{ prover: string; signature: string; price: bigint } | null> {
    const urls = this.o.proverUrls ?? [];
    const request = sidecarQuoteRequest({
      height: h, maxPrice, provingWindow: this.cfg.provingWindow, proverDeposit: this.cfg.proverDeposit, chainId: this.chainId, rollup: this.o.rollup, sequencer: this.address, block,
    });
    const answers = urls.length ? await requestQuotes(urls, request, { timeoutMs: this.o.quoteTimeoutMs ?? 3000 }) : [];
    for (const a of answers) if (!a.ok) this.log.debug("quote declined", { url: a.url, reason: a.reason, message: a.message });
    const choice = this.design.chooseProver({ request, answers, currentL1Block: head, reputation: this.reputation });
    if (choice.kind === "self-prove") {
      // The decline reasons go with it: self-proving on the provers' cores is what to explain (busy, timeout, check).
      const declined = answers.filter((a) => !a.ok).map((a) => (a.ok ? "" : `${a.reason}: ${a.message}`)).join("; ");
      if (choice.reason === "no-usable-quote") this.log.info("no usable quote: self-proving", { height: h, answers: answers.length, quotes: choice.quotes, declined });
      return null;
    }
    return choice;
  }

  private ensureSelfProver(): void {
    if (this.duty) return;
    this.prover = new Prover("process", { threads: this.o.proverThreads, niceness: this.o.proverNiceness });
    this.duty = new ProofDuty({
      client: this.client, sender: this.sender, chain: this.chain, prover: this.prover, wasmPath: this.o.wasmPath, zkeyPath: this.o.zkeyPath,
      T: this.o.T, domain: this.domain, me: this.address, store: this.store, log: this.log, post: this.o.postProofs, design: this.design,
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

  /** Triggers the reorg of an overdue unproven height (reorgDecision); the caller earns the bounty. */
  private async reorgDuty(next: bigint): Promise<void> {
    const first = (await this.client.pendingHeights())[0];
    const view = first === undefined ? { next } : { next, first: { height: first, lateDeadline: (await this.timeline(first)).lateDeadline, status: (await this.client.getHeight(first)).status } };
    const a = reorgDecision(view);
    if (a.kind === "wait") return;
    try {
      await this.sender.send("triggerReorg", a.height, () => this.client.triggerReorg(a.height));
      this.log.warn("triggered reorg of an unproven height", { height: a.height });
      this.emit("triggeredReorg", a.height);
    } catch (e) {
      // Expected races: someone else reorged it or it got proven and finalized (it is no longer the first pending
      // height), or a proof posted to the aggregator holds the reorg off until its verify window ends.
      if (!isContractError(e, "Rollup__NotFirstPending", "Rollup__ReorgNotAllowed")) this.log.debug("triggerReorg failed", { height: a.height, error: errText(e) });
    }
  }

  /** Proof duty in flight (self-proving). */
  get proofsInFlight(): number {
    return this.duty?.inFlight ?? 0;
  }
}
