/**
 * Prover agent: serves quotes (src/market QuoteServer, with the EIP-712 ProverCommitment consent so the sequencer
 * can pull the deposit from it), and proves the blocks it was committed to (ProofDuty). Everything comes from L1
 * alone: the parent state is rebuilt from genesis + the revealed pubdata, and the signed transfers of the block from
 * its revealed pubdata + signatures (`Revealed` log). The sequencers' `l2_getBlockBody` is only a fallback (or, with
 * `preferRpcBodies`, tried first); a body from an RPC is checked against the block's L1 commitment (revealed
 * pubdata hash and root) before it is used or cached, so a lying RPC costs a retry, never a height.
 */
import { keccak256, Wallet, type JsonRpcProvider } from "ethers";
import { executeBlock, initL2, l2Domain, stateFromGenesis, transferFromJSON, transferToJSON, type GenesisAccount, type Transfer, type TransferJSON } from "../l2/index.js";
import { blockFromL1 } from "./proving.js";
import { ProposalStatus, RollupClient, blockCommitment, type RollupConfig } from "../client/index.js";
import { AGENT_DEFAULTS } from "../defaults.js";
import { L2RpcClient, type L1Point } from "../node/index.js";
import { Store } from "../store/index.js";
import { QuoteServer, type QuoteOffer, type QuoteRequest, type QuoteRequestBlock } from "../market/index.js";
import { Prover } from "../zk/prover.js";
import { AgentError, AgentWallet, L2Chain, Logger, PollingAgent, TxSender, connectL1, errText, type L1ReorgEvent, type L1TxRecord } from "./common.js";
import { ProofDuty, handedFromJSON, type ProofEvent } from "./proving.js";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { VerificationKey } from "../zk/libs.js";
import { sidecar } from "./designs/sidecar.js";
import type { BackingView, ProvingDesignStrategy } from "./designs/strategy.js";

export interface ProverOptions {
  name: string;
  rpcUrl: string;
  rollup: string;
  privateKey: string;
  T: number;
  D: number;
  genesis: GenesisAccount[];
  storePath: string;
  wasmPath: string;
  zkeyPath: string;
  quotePort?: number;
  quoteHost?: string;
  price?: bigint;
  provingTimeL1Blocks?: number;
  maxInFlight?: number;
  /** Sequencers' L2 RPC URLs: a fallback source of block bodies (may be empty: L1 has everything). */
  sequencerRpcUrls?: string[];
  /** Ask the sequencers' `l2_getBlockBody` before reading the `Revealed` log (an optimisation; checked all the same). */
  preferRpcBodies?: boolean;
  fault?: "none" | "withhold";
  /** Per-height withholding (scenarios): commits to these heights and never proves them. */
  withholdAt?: (height: bigint) => boolean;
  /** Invalid proofs (scenarios): at these heights it submits or posts a proof that fails verification. */
  invalidProofAt?: (height: bigint) => boolean;
  /** Scenarios: declines every quote for these heights (so that another prover takes them). */
  declineAt?: (height: bigint) => boolean;
  /** Offline windows (scenarios): no rounds, declines every quote, holds its submissions while true for the L1 head. */
  offline?: (l1Block: number) => boolean;
  pollMs?: number;
  log?: Logger;
  onTx?: (r: L1TxRecord) => void;
  /** Batch path: post proofs to the ProofAggregator instead of submitting them verified. */
  postProofs?: boolean;
  /**
   * Proofs sent together in one `ProofAggregator.submitBatch` (default AGENT_DEFAULTS.proofBatchSize; 1 = each alone
   * through `Rollup.submitProof`; without a ProofAggregator on the Rollup, always alone).
   */
  batchSize?: number;
  /** Held proofs go out once the oldest one's proving deadline is this many L1 blocks away (AGENT_DEFAULTS). */
  batchDeadlineMarginBlocks?: number;
  /**
   * Other provers' quote URLs: finished proofs are handed to the one proving the next height (POST `/proofs`), which
   * sends them in its batch; theirs are taken the same way (src/agents/proving.ts). Empty: each prover batches only
   * its own proofs. A function is read at each use (the devnet knows the peers only once all are up).
   */
  batchPeers?: string[] | (() => string[]);
  /** Own proofs handed to a peer are sent by us this many L1 blocks before their deadline if still unproven (AGENT_DEFAULTS). */
  forwardFallbackMarginBlocks?: number;
  /** The circuit's verification key, to check proofs peers hand over (default: vkey.json next to the zkey, if there). */
  vkey?: VerificationKey;
  /** Threads of the native prover (default: all cores); the devnet gives each of its M provers cores / M. */
  proverThreads?: number;
  /** OS niceness of the proving processes (default 0); the devnet lowers their priority below the agents'. */
  proverNiceness?: number;
}

const BODIES = "bodies";
const META = "meta";
const key = (h: bigint, s: string) => `${h.toString().padStart(12, "0")}:${s.toLowerCase()}`;

export class ProverAgent extends PollingAgent {
  readonly name: string;
  readonly address: string;
  quoteUrl = "";
  private readonly o: ProverOptions;
  private readonly wallet: Wallet;
  private readonly client: RollupClient;
  private readonly sender: TxSender;
  private readonly prover: Prover;
  private store!: Store;
  private chain!: L2Chain;
  private cfg!: RollupConfig;
  private duty!: ProofDuty;
  private server?: QuoteServer;
  private quoted = 0;
  /** The proving design: whether to back a sequencer's block, which heights are ours to prove. */
  private readonly design: ProvingDesignStrategy = sidecar;

  private constructor(o: ProverOptions, provider: JsonRpcProvider) {
    super(provider, o.log ?? new Logger(o.name), o.pollMs ?? AGENT_DEFAULTS.pollMs);
    this.o = o;
    this.prover = new Prover("process", { threads: o.proverThreads, niceness: o.proverNiceness });
    this.name = o.name;
    this.wallet = new AgentWallet(o.privateKey, provider);
    this.address = this.wallet.address;
    this.client = new RollupClient(o.rollup, this.wallet);
    this.sender = new TxSender(this.wallet, o.name, o.onTx);
    this.offline = o.offline;
  }

  static async start(o: ProverOptions): Promise<ProverAgent> {
    await initL2();
    const provider = await connectL1(o.rpcUrl, o.pollMs ?? AGENT_DEFAULTS.pollMs);
    const a = new ProverAgent(o, provider);
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
    const chainId = (await this.provider.getNetwork()).chainId;
    this.domain = l2Domain(chainId, this.o.rollup);
    const genesis = stateFromGenesis(this.o.genesis, this.o.D);
    if (genesis.root !== this.cfg.genesisRoot) throw new AgentError("BAD_CONFIG", `genesis root differs from the rollup's`);
    this.chain = new L2Chain(this.client, genesis);
    this.store = Store.open(this.o.storePath);
    this.duty = new ProofDuty({
      client: this.client, sender: this.sender, chain: this.chain, prover: this.prover, wasmPath: this.o.wasmPath, zkeyPath: this.o.zkeyPath,
      T: this.o.T, domain: this.domain, me: this.address, store: this.store, log: this.log, withhold: this.o.fault === "withhold" ? true : this.o.withholdAt, corrupt: this.o.invalidProofAt, post: this.o.postProofs,
      batchSize: this.o.batchSize ?? AGENT_DEFAULTS.proofBatchSize, batchDeadlineMarginBlocks: this.o.batchDeadlineMarginBlocks ?? AGENT_DEFAULTS.batchDeadlineMarginBlocks,
      forwardFallbackMarginBlocks: this.o.forwardFallbackMarginBlocks, peerUrl: (a) => this.peerUrl(a), vkey: this.o.vkey ?? loadVkeyNextTo(this.o.zkeyPath),
      paused: this.o.offline ? () => this.o.offline!(this.lastL1) : undefined,
      body: (h, s) => this.body(h, s), design: this.design,
      onEvent: (e: ProofEvent) => this.emit("proof", e),
    });
    this.server = new QuoteServer({
      signer: this.wallet, chainId, rollup: this.o.rollup, policy: (req, l1) => this.policy(req, l1),
      currentL1Block: () => this.provider.getBlockNumber(), signCommitments: true,
      // Peers hand over finished proofs for this prover's batch (checked before they are queued).
      routes: {
        "/proofs": {
          maxBody: 64 * 1024,
          handle: async (body) => {
            let proofs;
            try {
              proofs = handedFromJSON(body);
            } catch (e) {
              return { status: 400, body: { ok: false, reason: "BAD_REQUEST", message: errText(e) } };
            }
            const r = await this.duty.receive(proofs);
            return { status: 200, body: { ok: true, accepted: r.accepted.map(String), refused: r.refused.map((x) => ({ height: String(x.height), reason: x.reason })) } };
          },
        },
      },
      // Quote nonces survive restarts (a quote is identified by prover + nonce).
      nextNonce: () => {
        const n = this.store.get<bigint>(META, "quoteNonce") ?? 0n;
        this.store.put(META, "quoteNonce", n + 1n);
        return n;
      },
    });
    this.quoteUrl = await this.server.listen(this.o.quotePort ?? 0, this.o.quoteHost ?? "127.0.0.1");
    this.log.info("prover up", { address: this.address, quotes: this.quoteUrl, fault: this.o.fault ?? "none" });
  }

  private lastL1 = 0;
  /** Peer provers' hand-over URLs by address (lower case), learnt from their `/health`. */
  private readonly peerByAddress = new Map<string, string>();

  /** The hand-over URL of prover `address` if it is one of the batch peers (asks the unknown peers who they are). */
  private async peerUrl(address: string): Promise<string | undefined> {
    const want = address.toLowerCase();
    if (want === this.address.toLowerCase()) return undefined;
    const known = this.peerByAddress.get(want);
    if (known !== undefined) return known;
    const urls = typeof this.o.batchPeers === "function" ? this.o.batchPeers() : this.o.batchPeers ?? [];
    const learnt = new Set(this.peerByAddress.values());
    for (const url of urls) {
      if (learnt.has(url) || url === this.quoteUrl) continue;
      try {
        const r = (await (await fetch(url.replace(/\/+$/, "") + "/health", { signal: AbortSignal.timeout(1000) })).json()) as { prover?: string };
        if (typeof r.prover === "string") this.peerByAddress.set(r.prover.toLowerCase(), url);
      } catch (e) {
        this.log.debug("batch peer not reachable", { url, error: errText(e) });
      }
    }
    return this.peerByAddress.get(want);
  }

  /** The rollup's L2 domain (chain id, rollup address): what the transfers are signed under. */
  private domain = 0n;

  /** An L1 reorg: stop waiting for a dropped submission, rebuild L2 states from L1 again, resubmit what is still needed. */
  protected onL1ReorgSuspected(): void {
    this.sender.abandon("L1 reorg suspected");
  }

  protected onL1Reorg(e: L1ReorgEvent): void {
    this.sender.abandon(`L1 reorg of ${e.depth} blocks at ${e.head}`);
    this.chain.forget();
    this.duty.afterL1Reorg();
  }

  protected async onBlock(head: number, _at: L1Point): Promise<void> {
    this.lastL1 = head;
    await this.duty.scan(BigInt(head) + 1n);
  }

  get proofsInFlight(): number {
    return this.duty?.inFlight ?? 0;
  }

  /** Finished proofs held for the next batch (submitBatch). */
  get proofsHeld(): number {
    return this.duty?.heldProofs ?? 0;
  }

  /**
   * Quote policy (the design's `backSequencer`, Sidecar by default): only for a revealed block whose body we could
   * fetch and check (committing is vouching: the block must be provable), and only while we have capacity. The
   * block is read and checked only when the decision asks for it.
   */
  private async policy(req: QuoteRequest, l1Block: number): Promise<QuoteOffer | { decline: string }> {
    if (this.o.declineAt?.(req.height) === true) return { decline: "not quoting this height (scenario)" };
    const view: BackingView = {
      sequencer: req.sequencer, offline: this.o.offline?.(l1Block) === true, inFlight: this.duty.inFlight, maxInFlight: this.o.maxInFlight ?? 1,
      terms: { price: this.o.price ?? 5n * 10n ** 17n, provingTimeL1Blocks: this.o.provingTimeL1Blocks ?? 8, deposit: this.cfg.proverDeposit },
    };
    let d = this.design.backSequencer(view);
    if (d.kind === "check-block") d = this.design.backSequencer({ ...view, block: await this.checkBlock(req.height, req.sequencer!, req.block) });
    if (d.kind === "offer") {
      this.quoted++;
      return d.offer;
    }
    return { decline: d.kind === "decline" ? d.reason : "the block was not checked" };
  }

  /**
   * The proposal's status and, if revealed, whether a body rebuilding the block was found (L1 first). A proposal not
   * revealed yet is checked against the block the request carries (`opening`: the sequencer reveals and commits in
   * one transaction): `opened` once it opens the proposal's commitment and rebuilds.
   */
  private async checkBlock(h: bigint, sequencer: string, opening?: QuoteRequestBlock): Promise<{ status?: ProposalStatus; bodyError?: string; opened?: boolean }> {
    let status: ProposalStatus | undefined;
    try {
      const p = await this.client.getProposal(h, sequencer);
      status = p.status;
      if (status === ProposalStatus.Revealed) await this.body(h, sequencer);
      else if (status === ProposalStatus.Proposed && opening !== undefined) {
        await this.openedBody(h, sequencer, p.commitment, opening);
        return { status, opened: true };
      }
      return { status };
    } catch (e) {
      return { status, bodyError: errText(e) };
    }
  }

  /**
   * A block not revealed yet, as a quote request carries it: it must open the proposal's commitment on L1 (which
   * binds the proposer, height, parent, root, pubdata and salt, so the reveal that follows can only be this block)
   * and rebuild on its parent with valid signatures. Kept like a checked body: it is the one proven.
   */
  private async openedBody(h: bigint, sequencer: string, commitment: string | undefined, b: QuoteRequestBlock): Promise<Transfer[]> {
    const opens = blockCommitment({ proposer: sequencer, height: h, parent: b.parent, newRoot: b.newRoot, pubdata: b.pubdata, salt: b.salt });
    if (commitment === undefined || opens !== commitment) {
      throw new AgentError("BODY_MISMATCH", `the block sent does not open the commitment of height ${h} by ${sequencer}`);
    }
    const txs = blockFromL1(await this.chain.stateAt(b.parent), { newRoot: b.newRoot, pubdata: b.pubdata, signatures: b.signatures }, this.o.T, this.domain).txs;
    this.store.put(BODIES, key(h, sequencer), txs.map(transferToJSON));
    return txs;
  }

  /**
   * The signed transfers of a revealed block, checked against its L1 commitment (the proposal's revealed pubdata hash
   * and root on the rebuilt parent state): from the store (only checked bodies are stored), else from L1 (revealed
   * pubdata + signatures), else from the sequencers' RPCs (each answer checked; a wrong one is skipped, not cached).
   */
  private async body(h: bigint, sequencer: string): Promise<Transfer[]> {
    const cached = this.store.get<TransferJSON[]>(BODIES, key(h, sequencer));
    if (cached) return cached.map(transferFromJSON);
    const p = await this.client.getProposal(h, sequencer);
    if (p.status < ProposalStatus.Revealed) throw new AgentError("BODY_UNAVAILABLE", `height ${h} by ${sequencer} is not revealed`);
    const parent = await this.chain.stateAt(p.parent);
    const matches = (txs: Transfer[]) => {
      const block = executeBlock(parent, txs, this.o.T, this.domain);
      // The word is keccak256(pubdata) once revealed (a Settled proposal never revealed holds its commitment, which
      // no pubdata hashes to: it never matches).
      return block.newRoot === p.newRoot && keccak256(block.pubdata) === p.commitmentOrPubdataHash;
    };
    const keep = (txs: Transfer[]) => {
      this.store.put(BODIES, key(h, sequencer), txs.map(transferToJSON));
      return txs;
    };
    const fromL1 = async (): Promise<Transfer[] | undefined> => {
      try {
        // blockFromL1 checks the block against its own Revealed log, which the Rollup emitted with the very pubdata
        // and root it stored for this proposal.
        return blockFromL1(parent, await this.client.revealedBlock(h, sequencer), this.o.T, this.domain).txs;
      } catch (e) {
        this.log.debug("block not readable from L1", { height: h, error: errText(e) });
        return undefined;
      }
    };
    if (!this.o.preferRpcBodies) {
      const txs = await fromL1();
      if (txs) return keep(txs);
    }
    for (const url of this.o.sequencerRpcUrls ?? []) {
      try {
        const r = await new L2RpcClient(url, { timeoutMs: 2000 }).getBlockBody(h);
        if (!r || r.sequencer.toLowerCase() !== sequencer.toLowerCase()) continue;
        const txs = r.txs.map(transferFromJSON);
        if (!matches(txs)) {
          this.log.warn("a sequencer RPC served a body that does not match L1: ignored", { url, height: h, sequencer });
          continue;
        }
        return keep(txs);
      } catch (e) {
        this.log.debug("body fetch failed", { url, height: h, error: errText(e) });
      }
    }
    if (this.o.preferRpcBodies) {
      const txs = await fromL1();
      if (txs) return keep(txs);
    }
    throw new AgentError("BODY_UNAVAILABLE", `no body matching L1 for height ${h} by ${sequencer}`);
  }

  /** Proofs handed over by peers and own ones handed to a peer (tests, status). */
  get proofsHandedOver(): number {
    return this.duty?.handedOver ?? 0;
  }

  async stop(): Promise<void> {
    await this.stopLoop();
    await this.server?.close();
    const drained = this.duty?.drain();
    await this.prover.close();
    await drained;
    if (!this.store.closed) this.store.close();
    this.provider.destroy();
  }

  /** Simulates a crash (see SequencerAgent.crash). */
  async crash(): Promise<void> {
    this.running = false;
    this.duty?.halt();
    await this.server?.close().catch(() => {});
    await this.prover.close();
    this.store.close();
    // The provider goes last (see SequencerAgent.crash): no in-flight L1 request may outlive it.
    await this.stopLoop().catch(() => {});
    await this.duty?.drain();
    await this.sender.idle();
    this.provider.destroy();
  }
}


/** The verification key next to a zkey (the circuit build writes vkey.json beside it), if there. */
function loadVkeyNextTo(zkeyPath: string): VerificationKey | undefined {
  const path = join(dirname(zkeyPath), "vkey.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as VerificationKey) : undefined;
}
