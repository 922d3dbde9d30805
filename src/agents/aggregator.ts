/**
 * Aggregator agent (batch path, docs/batch-verification.md): provers post proofs unverified to the ProofAggregator
 * (`postProof`, cheap); this agent collects the live posts of pending heights, checks them off chain with the
 * TypeScript twin of the batched pairing check (src/zk/batchVerify.ts), leaves out any invalid one, and verifies the
 * rest in one transaction (`verifyBatch`), which marks the heights proven and finalizes the ready prefix. It is paid
 * the aggregation reward from the Rollup's pool.
 *
 * When to send: as soon as `minBatch` heights are posted, or when the oldest post is within `marginBlocks` of the end
 * of its verify window (a post that expires unverified is worth nothing), whichever comes first. That choice is
 * src/agents/decisions/aggregator.ts; this loop only reads the posts, asks, and sends.
 */
import { Wallet, type JsonRpcProvider } from "ethers";
import { RollupClient, proofHash, type AggregatorClient, type HeightStatus, type ProofWords } from "../client/index.js";
import type { L1Point } from "../node/index.js";
import { findInvalid } from "../zk/batchVerify.js";
import type { VerificationKey } from "../zk/libs.js";
import { aggregatorDecisionConfig, batchDecision, isLivePost, splitChecked, type BatchView } from "./decisions/aggregator.js";
import { Logger, PollingAgent, TxSender, connectL1, errText, type L1TxRecord } from "./common.js";
import { AGENT_DEFAULTS } from "../defaults.js";

export interface AggregatorOptions {
  name: string;
  rpcUrl: string;
  rollup: string;
  privateKey: string;
  /** Verification key of the block circuit (off-chain pre-check). */
  vkey: VerificationKey;
  /** L1 block to scan posts from (the deployment block). */
  fromBlock?: bigint;
  minBatch?: number;
  maxBatch?: number;
  marginBlocks?: number;
  pollMs?: number;
  log?: Logger;
  onTx?: (r: L1TxRecord) => void;
}

export class AggregatorAgent extends PollingAgent {
  readonly name: string;
  readonly address: string;
  private readonly o: AggregatorOptions;
  private readonly client: RollupClient;
  private readonly sender: TxSender;
  private agg!: AggregatorClient;
  private window = 0n;
  batches = 0;

  private constructor(o: AggregatorOptions, provider: JsonRpcProvider) {
    super(provider, o.log ?? new Logger(o.name), o.pollMs ?? AGENT_DEFAULTS.aggregatorPollMs);
    this.o = o;
    this.name = o.name;
    const wallet = new Wallet(o.privateKey, provider);
    this.address = wallet.address;
    this.client = new RollupClient(o.rollup, wallet);
    this.sender = new TxSender(wallet, o.name, o.onTx);
  }

  static async start(o: AggregatorOptions): Promise<AggregatorAgent> {
    const provider = await connectL1(o.rpcUrl, o.pollMs ?? AGENT_DEFAULTS.aggregatorPollMs);
    const a = new AggregatorAgent(o, provider);
    try {
      a.agg = await a.client.aggregator();
      a.window = await a.agg.verifyWindow();
    } catch (e) {
      provider.destroy();
      throw e;
    }
    a.log.info("aggregator up", { address: a.address, aggregator: a.agg.address, verifyWindow: a.window });
    a.startLoop();
    return a;
  }

  /** Posts shown invalid off chain (by proof hash): never batched again; challenged on chain for their bond. */
  private readonly invalid = new Set<string>();
  challenges = 0;

  protected async onBlock(head: number, _at: L1Point): Promise<void> {
    const next = BigInt(head) + 1n;
    const config = aggregatorDecisionConfig({ verifyWindow: this.window, minBatch: this.o.minBatch, maxBatch: this.o.maxBatch, marginBlocks: this.o.marginBlocks });
    const statuses = new Map<bigint, HeightStatus>();
    const posts: BatchView["posts"] = [];
    for (const post of await this.agg.postedProofs(this.o.fromBlock)) {
      // Only a live post's height is read (expired or known-invalid ones are skipped by the decision anyway).
      if (isLivePost(post, next, this.window, this.invalid) && !statuses.has(post.height)) statuses.set(post.height, (await this.client.getHeight(post.height)).status);
      posts.push({ post, heightStatus: statuses.get(post.height) });
    }
    const decision = batchDecision({ next, posts, invalid: this.invalid }, config);
    if (decision.kind === "wait") return;

    const withData = await Promise.all(decision.items.map(async (p) => ({ ...p, pubdata: (await this.client.revealedBlock(p.height)).pubdata })));
    const inputs = await Promise.all(withData.map((p) => this.client.statementOf(p.height, p.pubdata, p.payee)));
    const { challenge, verify: batch } = splitChecked(withData, findInvalid(this.o.vkey, withData.map((p) => p.proof), inputs));
    for (const p of challenge) {
      this.log.warn("posted proof is invalid: left out of the batch, challenged", { height: p.height, poster: p.poster });
      this.invalid.add(proofHash(p.proof, p.payee));
      // The challenge removes the post and pays its bond to this agent; a later valid post of the height is batched.
      void this.sender
        .send("challengePostedProof", p.height, () => this.agg.challengePostedProof(p.height, p.proof as ProofWords, p.payee, p.pubdata))
        .then(() => {
          this.challenges++;
          this.emit("challenged", p.height);
        })
        .catch((e) => this.log.warn("challenge failed", { height: p.height, error: errText(e) }));
    }
    if (batch.length === 0) return;
    try {
      // The batch serves its highest height (the gas accounting counts it once that height is finalized).
      const served = batch.reduce((m, p) => (p.height > m ? p.height : m), 0n);
      const r = await this.sender.send("verifyBatch", served, () => this.agg.verifyBatch(batch.map((p) => ({ height: p.height, proof: p.proof, payee: p.payee, pubdata: p.pubdata }))));
      this.batches++;
      this.log.info("batch verified", { heights: batch.map((p) => p.height), gas: r.gasUsed, gasPerProof: r.gasUsed / BigInt(batch.length) });
      this.emit("batch", batch.map((p) => p.height));
    } catch (e) {
      this.log.warn("verifyBatch failed", { heights: batch.map((p) => p.height), error: errText(e) });
    }
  }

  async stop(): Promise<void> {
    await this.stopLoop();
    // A challenge is sent without being awaited: let it settle before the provider goes.
    await this.sender.idle();
    this.provider.destroy();
  }
}
