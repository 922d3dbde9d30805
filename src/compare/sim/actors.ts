/**
 * The simulation's actors: in-process strategy objects that, once per L1 block, build the same views the real
 * agents build (src/agents/sequencer.ts, prover.ts, cooperativeProver.ts) and ask the same pure decision functions
 * (src/agents/decisions, the design strategies of src/agents/designs, the market's matching) what to do, then queue
 * the transaction. What differs from the real agents, each named in the run's stand-ins: proofs are made by the
 * clock (a proof "takes" the modelled L1 blocks, SimBlockVerifier accepts it), blocks are synthetic (valid
 * encodings, roots not from a state tree), quotes are asked in-process instead of over HTTP.
 */
import { AbiCoder, keccak256, toBeHex, concat, hexlify, type Interface, type Wallet } from "ethers";
import { AGENT_DEFAULTS } from "../../defaults.js";
import { blockCommitment } from "../../protocol.js";
import { HeightStatus, Phase, ProposalStatus, type ProofWords, type RollupConfig } from "../../client/index.js";
import {
  choresDue, claimVerdict, commitDecision, defaultMiddleThreshold, defaultProposeThreshold, phaseDecision, proposeDecision,
  proposeTimingDecision, releaseDecision, reorgDecision, revealDecision, seedDecision, settleDecision, type ClaimVerdict,
  type SequencerRecord,
} from "../../agents/decisions/sequencer.js";
import { submitDecision, takeHeightDecision } from "../../agents/decisions/prover.js";
import { chooseFeeBurn, placeChance, scoreFor, unitProveDecision, unitSettleDecision, unitSubmitDecision } from "../../agents/decisions/cooperative.js";
import { sidecarQuoteRequest } from "../../agents/designs/sidecar.js";
import type { ProvingDesignStrategy } from "../../agents/designs/index.js";
import { Reputation, type ReputationView } from "../../market/index.js";
import { signProverCommitment, signQuote } from "../../market/quote.js";
import type { QuoteAnswer, QuoteRequest } from "../../market/server.js";
import { unitStatement, unitVrfInput } from "../../cooperative.js";
import { VrfEvaluator, type VrfPublicKey } from "../../vrf/index.js";
import type { SimChain } from "./chain.js";
import type { World } from "./world.js";
import type { ProofOutcome } from "../types.js";

const lc = (a: string) => a.toLowerCase();

/** What every actor shares: the chain, the world, the Rollup's address and interface, the run's constants. */
export interface SimContext {
  chain: SimChain;
  world: World;
  rollup: string;
  iface: Interface;
  chainId: bigint;
  config: RollupConfig;
  domain: bigint;
  seed: number;
  T: number;
  transfersPerBlock: number;
  feePerTransfer: bigint;
  /** Last height of the run: nobody proposes above it. */
  lastHeight: bigint;
  /** Eligible sequencers (for the propose threshold). */
  sequencers: number;
  /** Shared off-chain checks of claimed VRF outputs (a verdict is a pure function of public data). */
  verdicts: Map<string, ClaimVerdict>;
  keys: Map<string, VrfPublicKey>;
  design: ProvingDesignStrategy;
  /** Shared VRF evaluators per (randomness, height): every actor scoring the same input shares one hash and table. */
  vrf(randomness: bigint, height: bigint): VrfEvaluator;
}

/** A cache of VRF evaluators (at most `max`, dropped all at once when full: the heights in play are few). */
export function vrfCache(chainId: bigint, rollup: string, max = 512): (randomness: bigint, height: bigint) => VrfEvaluator {
  const m = new Map<string, VrfEvaluator>();
  return (randomness, height) => {
    const k = `${randomness}:${height}`;
    let e = m.get(k);
    if (!e) {
      if (m.size >= max) m.clear();
      e = new VrfEvaluator({ chainId, verifier: rollup, randomness, height });
      m.set(k, e);
    }
    return e;
  };
}

/** One proof an actor computed (the record's ProofRecord, before the outcome is known from the chain). */
export interface ProofAttempt {
  prover: string;
  height: bigint;
  unit?: bigint;
  l1Block: number;
  /** "sent" until the receipt says; "unsent" when dropped after proving. */
  state: "queued" | "sent" | "unsent" | ProofOutcome;
  hash?: string;
}

export interface SimActor {
  readonly name: string;
  readonly address: string;
  readonly role: "sequencer" | "prover";
  act(next: bigint): Promise<void>;
  /** Proofs this actor computed (its proving cost is their number times its cost per proof). */
  readonly attempts: ProofAttempt[];
}

async function send(ctx: SimContext, a: SimActor, method: string, args: unknown[], height?: bigint): Promise<string> {
  return ctx.chain.send(a.address, ctx.rollup, ctx.iface.encodeFunctionData(method, args), a.name, method, height);
}

/** A synthetic block of `n` transfers in the Rollup's pubdata encoding (from, to, amount, fee per 20-byte slot). */
export function syntheticBlock(ctx: SimContext, h: bigint, who: string): { pubdata: string; signatures: string; newRoot: bigint; roots: bigint[]; salt: string } {
  const slots: Uint8Array[] = [];
  for (let i = 0; i < ctx.T; i++) {
    if (i < ctx.transfersPerBlock) slots.push(concat([toBeHex(1 + i, 4), toBeHex(2 + i, 4), toBeHex(1000n + h, 8), toBeHex(ctx.feePerTransfer, 4)]) as unknown as Uint8Array);
    else slots.push(new Uint8Array(20));
  }
  const tag = (x: string) => BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256", "address", "string"], [ctx.seed, h, who, x]))) >> 8n;
  const K = Number(ctx.config.units);
  return {
    pubdata: hexlify(concat(slots)),
    signatures: "0x" + "00".repeat(64 * ctx.transfersPerBlock),
    newRoot: tag("root"),
    roots: Array.from({ length: K - 1 }, (_, i) => tag(`unit-${i}`)),
    salt: toBeHex(tag("salt"), 32),
  };
}

/** A proof SimBlockVerifier accepts for these public inputs (its stand-in rule). */
export function standInProof(inputs: readonly bigint[]): ProofWords {
  return [BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256[]"], [inputs]))), 0n, 0n, 0n, 0n, 0n, 0n, 0n];
}

/**
 * Proving capacity: `parallel` proofs at a time, each taking `blocks` L1 blocks. A proof started at `next` is ready
 * at next + blocks if a slot is free, else when the earliest slot frees.
 */
export class Capacity {
  private readonly busyUntil: bigint[];
  constructor(readonly parallel: number, readonly blocks: bigint) {
    this.busyUntil = Array.from({ length: parallel }, () => 0n);
  }
  free(next: bigint): boolean {
    return this.busyUntil.some((b) => b <= next);
  }
  inFlight(next: bigint): number {
    return this.busyUntil.filter((b) => b > next).length;
  }
  /** Starts a proof; returns the block it is ready in. */
  start(next: bigint): bigint {
    let i = 0;
    for (let j = 1; j < this.busyUntil.length; j++) if (this.busyUntil[j]! < this.busyUntil[i]!) i = j;
    const begin = this.busyUntil[i]! > next ? this.busyUntil[i]! : next;
    this.busyUntil[i] = begin + this.blocks;
    return begin + this.blocks;
  }
}

// ------------------------------------------------------------------------------------------------ Sidecar proving

interface BlockJob {
  height: bigint;
  sequencer: string;
  pubdata: string;
  readyAt: bigint;
  attempt: ProofAttempt;
}

/** Proves whole blocks assigned to `owner` (a Sidecar prover, or a sequencer proving its own block). */
class BlockProving {
  readonly jobs: BlockJob[] = [];
  readonly taken = new Set<bigint>();
  constructor(private readonly ctx: SimContext, private readonly owner: SimActor, readonly capacity: Capacity) {}

  take(h: bigint, sequencer: string, pubdata: string, next: bigint): void {
    if (this.taken.has(h)) return;
    this.taken.add(h);
    const attempt: ProofAttempt = { prover: this.owner.name, height: h, l1Block: 0, state: "queued" };
    this.owner.attempts.push(attempt);
    this.jobs.push({ height: h, sequencer, pubdata, readyAt: this.capacity.start(next), attempt });
  }

  async step(next: bigint, paused: boolean): Promise<void> {
    for (const job of [...this.jobs]) {
      if (job.readyAt > next) continue;
      const t = await this.ctx.world.timeline(job.height);
      const info = await this.ctx.world.height(job.height);
      const a = submitDecision({
        next, commitEnd: t.commitEnd, paused, height: { status: info.status, winner: info.winner }, sequencer: job.sequencer, post: false, corrupt: false,
      });
      if (a.kind === "wait" || a.kind === "need-height") continue;
      this.jobs.splice(this.jobs.indexOf(job), 1);
      job.attempt.l1Block = Number(next);
      if (a.kind === "drop") {
        job.attempt.state = "unsent";
        continue;
      }
      const inputs = await this.ctx.world.client.publicInputsOf(job.height, job.pubdata, this.owner.address);
      job.attempt.hash = await send(this.ctx, this.owner, "submitProof", [job.height, standInProof(inputs), job.pubdata, this.owner.address], job.height);
      job.attempt.state = "sent";
    }
  }
}

// ------------------------------------------------------------------------------------------------ sequencer

export interface SequencerParams {
  name: string;
  wallet: Wallet;
  vrfSk: bigint;
  feeSplitBps: bigint;
  proverTip: bigint;
  proverRewardShareBps: bigint;
  noReveal: boolean;
  offline: (height: number) => boolean;
  /** Self-proving capacity (when no prover quotes). */
  selfProofBlocks: bigint;
  /** Sidecar market: the provers asked for quotes, and how quotes are ranked. */
  market: () => SidecarProver[];
  matching: "reputation" | "cheapest";
}

interface SeqRecord extends SequencerRecord {
  roots: bigint[];
}

export class SimSequencer implements SimActor {
  readonly role = "sequencer" as const;
  readonly attempts: ProofAttempt[] = [];
  readonly address: string;
  readonly name: string;
  private readonly records = new Map<bigint, SeqRecord>();
  private readonly outputs = new Map<bigint, bigint>();
  private readonly reputation: ReputationView;
  private readonly rep?: Reputation;
  private readonly proving: BlockProving;

  constructor(private readonly ctx: SimContext, private readonly p: SequencerParams) {
    this.address = p.wallet.address;
    this.name = p.name;
    if (p.matching === "reputation") this.reputation = this.rep = new Reputation();
    else this.reputation = { score: () => 1 };
    this.proving = new BlockProving(ctx, this, new Capacity(1, p.selfProofBlocks));
  }

  async act(next: bigint): Promise<void> {
    const { world } = this.ctx;
    const clock = await world.clock();
    await this.settleAll(next, clock.phase);
    await this.proving.step(next, false);
    if (this.p.offline(Number(clock.height))) return;
    await this.seed(next);
    if (clock.height > this.ctx.lastHeight) return;
    const record = this.records.get(clock.height);
    const action = phaseDecision({ height: clock.height, phase: clock.phase, record: record && !record.outcome ? record : undefined, persisted: record !== undefined });
    if (action.kind === "propose") await this.propose(clock.height, next);
    else if (action.kind === "reveal") await this.reveal(action.record as SeqRecord, next);
    else if (action.kind === "consider-commit") await this.commit(action.record as SeqRecord, next);
  }

  private async seed(next: bigint): Promise<void> {
    const c = this.ctx.config;
    let a = seedDecision(next, c);
    if (a.kind === "need-reveals") {
      const revealed = [...this.ctx.world.proposalsOf(a.height).values()].some((p) => p.status !== ProposalStatus.Proposed);
      a = seedDecision(next, c, revealed);
    }
    if (a.kind !== "record-randomness" || a.height > this.ctx.lastHeight || this.ctx.world.seeds.has(a.height)) return;
    if (!this.ctx.world.claim(`seed:${a.height}`)) return;
    if ((await this.ctx.world.height(a.height)).seedSet) return;
    await send(this.ctx, this, "recordRandomness", [a.height], a.height);
  }


  private async claimsOf(h: bigint, randomness: bigint) {
    const out = [];
    for (const q of this.ctx.world.proposalsOf(h).values()) {
      if (lc(q.sequencer) === lc(this.address)) continue;
      out.push({ sequencer: q.sequencer, vrfOutput: q.vrfOutput, feeSplitBps: q.feeSplitBps, status: q.status, claim: this.verdict(h, q.sequencer, q.vrfOutput, q.vrfProof, randomness) });
    }
    return out;
  }

  private verdict(h: bigint, who: string, claimed: bigint, proof: [bigint, bigint, bigint, bigint], randomness: bigint): ClaimVerdict {
    const key = `${h}:${lc(who)}`;
    let v = this.ctx.verdicts.get(key);
    if (!v) {
      v = claimVerdict({ height: h, claimed, eligible: true, loggedProof: proof, pk: this.ctx.keys.get(lc(who)), randomness, chainId: this.ctx.chainId, rollup: this.ctx.rollup });
      this.ctx.verdicts.set(key, v);
    }
    return v;
  }

  private async propose(h: bigint, next: bigint): Promise<void> {
    const { world, config } = this.ctx;
    const randomness = await world.randomnessOf(h);
    if (proposeDecision({ height: h, randomness }).kind !== "propose") return;
    let out = this.outputs.get(h);
    if (out === undefined) {
      out = this.ctx.vrf(randomness, h).output(this.p.vrfSk);
      this.outputs.set(h, out);
    }
    const t = await world.timeline(h);
    const threshold = defaultProposeThreshold(this.ctx.sequencers);
    const timing = proposeTimingDecision({
      me: this.address, vrfOutput: out, feeSplitBps: this.p.feeSplitBps, feeSplitScore: config.feeSplitScore, threshold,
      middleThreshold: defaultMiddleThreshold(this.ctx.sequencers, threshold), next, proposalStart: t.proposalStart, proposalEnd: t.revealStart,
      slackBlocks: BigInt(AGENT_DEFAULTS.proposeSlackBlocks), claims: await this.claimsOf(h, randomness),
    });
    if (timing.kind !== "propose") return;
    const vrf = this.ctx.vrf(randomness, h).prove(this.p.vrfSk);
    const parent = await world.chainTip();
    // Cooperative proposals carry no tip or prover share (the contract refuses them: TermsNotInDesign), as the agent's.
    const units = this.ctx.design.commit === "units";
    const proverTip = units ? 0n : this.p.proverTip;
    const proverRewardShareBps = units ? 0n : this.p.proverRewardShareBps;
    const b = syntheticBlock(this.ctx, h, this.address);
    const record: SeqRecord = {
      height: h, parent, newRoot: b.newRoot, pubdata: b.pubdata, salt: b.salt, vrfProof: vrf.proof, vrfOutput: vrf.output,
      feeSplitBps: this.p.feeSplitBps, proverTip, proverRewardShareBps, txs: [], txIds: [], roots: b.roots,
    };
    this.records.set(h, record);
    const commitment = blockCommitment({ proposer: this.address, height: h, parent, newRoot: b.newRoot, pubdata: b.pubdata, salt: b.salt });
    await send(this.ctx, this, "propose", [h, vrf.proof, commitment, this.p.feeSplitBps, proverTip, proverRewardShareBps, randomness], h);
  }

  private status(h: bigint): ProposalStatus {
    return this.ctx.world.proposalsOf(h).get(lc(this.address))?.status ?? ProposalStatus.None;
  }

  private async reveal(r: SeqRecord, next: bigint): Promise<void> {
    const { world } = this.ctx;
    const t = await world.timeline(r.height);
    const a = revealDecision({
      me: this.address, record: r, status: this.status(r.height), tip: await world.chainTip(), withholdReveal: this.p.noReveal, next,
      revealEnd: t.commitStart, feeSplitScore: this.ctx.config.feeSplitScore, revealAtCommit: this.revealAtCommit,
      rivals: await this.claimsOf(r.height, await world.randomnessOf(r.height)),
    });
    if (a.kind !== "reveal") return;
    const b = syntheticBlock(this.ctx, r.height, this.address);
    await send(this.ctx, this, "reveal", [r.height, r.parent, r.newRoot, r.pubdata, r.salt, b.signatures], r.height);
  }

  private async commit(r: SeqRecord, next: bigint): Promise<void> {
    const { world } = this.ctx;
    const t = await world.timeline(r.height);
    const rivals = await this.claimsOf(r.height, await world.randomnessOf(r.height));
    const view = {
      me: this.address, record: r, status: this.status(r.height), tip: await world.chainTip(), next, commitEnd: t.commitEnd, feeSplitScore: this.ctx.config.feeSplitScore,
      revealAtCommit: this.revealAtCommit && !this.p.noReveal, rivalsMayRevealAtCommit: this.ctx.design.revealsWithCommit, rivals,
    };
    let a = commitDecision(view);
    if (a.kind === "need-winner") {
      const leader = world.leader.get(r.height);
      const p = leader ? world.proposalsOf(r.height).get(lc(leader)) : undefined;
      a = commitDecision({ ...view, winner: p ? { sequencer: p.sequencer, vrfOutput: p.vrfOutput, feeSplitBps: p.feeSplitBps } : null });
    }
    if (a.kind !== "commit") return;
    // Not revealed yet: the block goes with the commit (revealAndCommitProver / revealAndCommitUnits), as the agent's.
    const block = () => ({ parent: r.parent, newRoot: r.newRoot, salt: r.salt, pubdata: r.pubdata, signatures: syntheticBlock(this.ctx, r.height, this.address).signatures });
    if (this.ctx.design.commit === "units") {
      if (a.reveal) await send(this.ctx, this, "revealAndCommitUnits", [r.height, block(), r.roots, r.vrfProof], r.height);
      else await send(this.ctx, this, "commitUnits", [r.height, r.roots, r.vrfProof], r.height);
      return;
    }
    const head = Number(next - 1n);
    const request = sidecarQuoteRequest({
      height: r.height, maxPrice: this.p.proverTip, provingWindow: this.ctx.config.provingWindow, proverDeposit: this.ctx.config.proverDeposit,
      chainId: this.ctx.chainId, rollup: this.ctx.rollup, sequencer: this.address,
    });
    const answers: QuoteAnswer[] = [];
    for (const p of this.p.market()) {
      const ans = await p.quote(request, head);
      if (ans) answers.push(ans);
    }
    const choice = this.ctx.design.chooseProver({ request, answers, currentL1Block: head, reputation: this.reputation });
    const [prover, signature] = choice.kind === "commit-prover" ? [choice.prover, choice.signature] : [this.address, "0x"];
    r.prover = prover;
    if (a.reveal) await send(this.ctx, this, "revealAndCommitProver", [r.height, block(), prover, signature, r.vrfProof], r.height);
    else await send(this.ctx, this, "commitProver", [r.height, prover, signature, r.vrfProof], r.height);
  }

  /** Reveal with the commit where the design allows it, as the agents do by default (SequencerAgent.revealAtCommit). */
  private get revealAtCommit(): boolean {
    return this.ctx.design.revealsWithCommit && AGENT_DEFAULTS.revealAtCommit;
  }

  /** Won / lost bookkeeping, releases, self-proving, reorg duty (settleDecision, releaseDecision, reorgDecision). */
  private async settleAll(next: bigint, phase: number): Promise<void> {
    const { world } = this.ctx;
    const chores = choresDue(phase as Phase);
    for (const r of this.records.values()) {
      if (r.outcome && r.outcome !== "won") {
        if (chores.includes("release-lost") && releaseDecision(r).kind === "release") {
          r.released = true;
          await send(this.ctx, this, "release", [r.height, this.address], r.height);
        }
        continue;
      }
      const t = await world.timeline(r.height);
      if (next < t.commitEnd) continue;
      const info = await world.height(r.height);
      // Nothing is escrowed at `propose` (the tip moves at the commit): a proposal that never committed has nothing to release.
      const a = settleDecision({ me: this.address, record: r, next, timeline: t, status: this.status(r.height), height: { winner: info.winner, status: info.status, late: info.late }, proposeEscrow: 0n });
      if (a.kind === "lost") {
        r.outcome = "lost";
        r.released = a.released;
      } else if (a.kind === "won") {
        if (a.newlyWon && r.prover && lc(r.prover) === lc(this.address) && info.status === HeightStatus.Pending) this.proving.take(r.height, this.address, r.pubdata, next);
        if (a.end) {
          r.outcome = a.end;
          const verdict = this.ctx.design.proverVerdict({ me: this.address, prover: r.prover, outcome: a.end === "reorged" ? "missed" : a.late ? "late" : "on-time" });
          if (verdict && this.rep) {
            if (verdict.verdict === "delivered") this.rep.recordDelivered(verdict.prover, r.height);
            else this.rep.recordFailed(verdict.prover, r.height);
          }
        } else r.outcome = "won";
      }
    }
    if (chores.includes("reorg-duty")) {
      const first = (await world.pendingHeights())[0];
      const view = first === undefined ? { next } : { next, first: { height: first, lateDeadline: (await world.timeline(first)).lateDeadline, status: (await world.height(first)).status } };
      const a = reorgDecision(view);
      if (a.kind === "trigger-reorg" && world.claim(`reorg:${a.height}`)) await send(this.ctx, this, "triggerReorg", [a.height], a.height);
    }
  }
}

// ------------------------------------------------------------------------------------------------ provers

export interface ProverParams {
  name: string;
  wallet: Wallet;
  vrfSk: bigint;
  price: bigint;
  withhold: boolean;
  offline: (height: number) => boolean;
  capacity: Capacity;
  feeBurnBps: bigint;
  feeBurnStrategy: "fixed" | "min-to-displace";
  rescue: boolean;
  minPlaceChance: number;
  /** Eligible provers (for placeChance). */
  provers: number;
}

/** A Sidecar prover: quotes in the market (backSequencer), proves the heights it is named for (provesHeight). */
export class SidecarProver implements SimActor {
  readonly role = "prover" as const;
  readonly attempts: ProofAttempt[] = [];
  readonly address: string;
  readonly name: string;
  private readonly proving: BlockProving;
  private offlineNow = false;

  constructor(private readonly ctx: SimContext, private readonly p: ProverParams) {
    this.address = p.wallet.address;
    this.name = p.name;
    this.proving = new BlockProving(ctx, this, p.capacity);
  }

  /** The in-process quote server: the design's backing rule, then a signed quote and the deposit consent. */
  async quote(req: QuoteRequest, head: number): Promise<QuoteAnswer | undefined> {
    const next = BigInt(head) + 1n;
    const terms = { price: this.p.price, provingTimeL1Blocks: Number(this.p.capacity.blocks), deposit: req.minDeposit };
    const d = this.ctx.design.backSequencer({
      sequencer: req.sequencer, offline: this.offlineNow, inFlight: this.p.capacity.inFlight(next), maxInFlight: this.p.withhold ? Number.MAX_SAFE_INTEGER : this.p.capacity.parallel,
      block: { status: ProposalStatus.Revealed }, terms,
    });
    if (d.kind !== "offer") return undefined;
    if (d.offer.price > req.maxPrice || d.offer.provingTimeL1Blocks > req.maxProvingTime) return undefined;
    const quote = await signQuote(this.p.wallet, {
      prover: this.address, rollup: this.ctx.rollup, chainId: this.ctx.chainId, height: req.height, price: d.offer.price,
      provingTimeL1Blocks: d.offer.provingTimeL1Blocks, deposit: d.offer.deposit, expiresAtL1Block: head + 3, nonce: req.height,
    });
    const commitment = await signProverCommitment(this.p.wallet, this.ctx.chainId, this.ctx.rollup, { height: req.height, sequencer: req.sequencer!, prover: this.address, deposit: d.offer.deposit });
    return { url: this.name, ok: true, quote, commitment };
  }

  async act(next: bigint): Promise<void> {
    const { world } = this.ctx;
    const clock = await world.clock();
    this.offlineNow = this.p.offline(Number(clock.height));
    // Heights whose winning commit named this prover, once the commit phase is over (the winner is final).
    for (const [h, leader] of world.leader) {
      if (this.proving.taken.has(h) || world.finalized.has(h) || world.reorged.has(h)) continue;
      const prop = world.proposalsOf(h).get(lc(leader));
      if (!prop?.prover || lc(prop.prover) !== lc(this.address)) continue;
      const t = await world.timeline(h);
      if (next < t.commitEnd) continue;
      const info = await world.height(h);
      const a = takeHeightDecision({ me: this.address, height: h, busy: false, done: false, status: info.status, namedProver: prop.prover }, this.ctx.design);
      if (a.kind !== "prove") continue;
      if (this.p.withhold) {
        this.proving.taken.add(h); // takes the height (its deposit is at stake) and never proves it
        continue;
      }
      this.proving.take(h, leader, prop.pubdata!, next);
    }
    await this.proving.step(next, this.offlineNow);
  }
}

interface UnitJob {
  height: bigint;
  unit: bigint;
  feeBurnBps: bigint;
  readyAt: bigint;
  attempt: ProofAttempt;
}

/** A Cooperative prover: per unit of every decided height, its VRF score and the agent's prove / submit / settle rules. */
export class CooperativeProver implements SimActor {
  readonly role = "prover" as const;
  readonly attempts: ProofAttempt[] = [];
  readonly address: string;
  readonly name: string;
  private readonly jobs: UnitJob[] = [];
  private readonly outputs = new Map<string, bigint>();
  private readonly started = new Set<string>();
  private readonly retired = new Set<bigint>();

  constructor(private readonly ctx: SimContext, private readonly p: ProverParams) {
    this.address = p.wallet.address;
    this.name = p.name;
  }

  private async vrfInput(h: bigint, u: bigint, winner: string): Promise<bigint> {
    const w = this.ctx.world.proposalsOf(h).get(lc(winner))!;
    return unitVrfInput(await this.ctx.world.randomnessOf(h), w.vrfOutput, u);
  }

  private async view(h: bigint, u: bigint, next: bigint, myScore: bigint | undefined) {
    const { world } = this.ctx;
    const t = await world.timeline(h);
    const info = await world.height(h);
    const units = await world.unitsOf(h);
    const entries = await world.unitEntries(h, u);
    return {
      me: this.address, next, provingDeadline: t.provingDeadline, lateDeadline: t.lateDeadline, close: units.closeAt === 0n ? t.provingDeadline : units.closeAt,
      status: info.status, unitProven: ((units.provenUnits >> u) & 1n) === 1n, entries, holdsSlot: entries.some((e) => lc(e.payee) === lc(this.address)),
      myScore, rescue: this.p.rescue,
    };
  }

  async act(next: bigint): Promise<void> {
    const { world } = this.ctx;
    const clock = await world.clock();
    // A withholding prover has nothing to withhold here (no prover is named): it stays away, as an offline one.
    const offline = this.p.withhold || this.p.offline(Number(clock.height));
    if (!offline) await this.submitReady(next);
    const K = this.ctx.config.units;
    for (const [h, leader] of world.leader) {
      if (this.retired.has(h)) continue;
      if (world.reorged.has(h) || world.settled.has(h)) {
        this.retired.add(h);
        continue;
      }
      const t = await world.timeline(h);
      if (next < t.commitEnd) continue;
      if (next >= t.lateDeadline + 40n) {
        this.retired.add(h);
        continue;
      }
      if (offline) continue;
      const info = await world.height(h);
      if (info.status === HeightStatus.Pending) {
        for (let u = 0n; u < K; u++) {
          const key = `${h}:${u}`;
          if (this.started.has(key) || !this.p.capacity.free(next)) continue;
          let out = this.outputs.get(key);
          if (out === undefined) {
            out = this.ctx.vrf(await this.vrfInput(h, u, leader), h).output(this.p.vrfSk);
            this.outputs.set(key, out);
          }
          const entries = await world.unitEntries(h, u);
          const choice = chooseFeeBurn({ strategy: this.p.feeBurnStrategy, feeBurnBps: this.p.feeBurnBps, vrfOutput: out, entries });
          const v = await this.view(h, u, next, scoreFor(choice, out));
          const d = unitProveDecision({ ...v, provingTimeL1Blocks: this.p.capacity.blocks, minPlaceChance: this.p.minPlaceChance, placeChance: placeChance(out, this.p.provers) });
          if (d.kind !== "prove") continue;
          this.started.add(key);
          const attempt: ProofAttempt = { prover: this.name, height: h, unit: u, l1Block: 0, state: "queued" };
          this.attempts.push(attempt);
          this.jobs.push({ height: h, unit: u, feeBurnBps: "feeBurnBps" in choice && d.reason !== "rescue" ? choice.feeBurnBps : this.p.feeBurnBps, readyAt: this.p.capacity.start(next), attempt });
        }
      }
      // Settle in turns among the height's payees (unitSettleDecision).
      if (info.status === HeightStatus.Finalized && !world.settled.has(h)) {
        const units = await world.unitsOf(h);
        const payees = new Set<string>();
        let mine = false;
        for (let u = 0n; u < K; u++) for (const e of await world.unitEntries(h, u)) {
          payees.add(lc(e.payee));
          if (lc(e.payee) === lc(this.address)) mine = true;
        }
        const turn = [...payees].sort().indexOf(lc(this.address));
        const a = unitSettleDecision({ holdsSlot: mine, finalized: true, settled: units.settled, next, close: units.closeAt === 0n ? t.provingDeadline : units.closeAt, turn: Math.max(0, turn) });
        if (a.kind === "settle" && world.claim(`settle:${h}`)) await send(this.ctx, this, "settleUnits", [h], h);
      }
    }
  }

  private async submitReady(next: bigint): Promise<void> {
    const { world } = this.ctx;
    for (const job of [...this.jobs]) {
      if (job.readyAt > next) continue;
      this.jobs.splice(this.jobs.indexOf(job), 1);
      job.attempt.l1Block = Number(next);
      const leader = world.leader.get(job.height)!;
      const out = this.outputs.get(`${job.height}:${job.unit}`)!;
      const v = await this.view(job.height, job.unit, next, scoreFor({ feeBurnBps: job.feeBurnBps }, out));
      const a = unitSubmitDecision(v);
      if (a.kind === "wasted") {
        job.attempt.state = "unsent";
        continue;
      }
      const prop = world.proposalsOf(job.height).get(lc(leader))!;
      const vrf = this.ctx.vrf(await this.vrfInput(job.height, job.unit, leader), job.height).prove(this.p.vrfSk);
      const inputs = await unitInputs(world, prop, Number(this.ctx.config.units), Number(job.unit), this.address, this.ctx.domain, job.feeBurnBps);
      const u = { height: job.height, unit: job.unit, proof: standInProof(inputs), payee: this.address, feeBurnBps: job.feeBurnBps, vrfProof: vrf.proof };
      job.attempt.hash = await send(this.ctx, this, "submitUnitProof", [u, prop.pubdata!, prop.roots ?? []], job.height);
      job.attempt.state = "sent";
    }
  }
}

/** A unit proof's public inputs from the winner's revealed block and committed roots (src/cooperative.ts unitStatement). */
async function unitInputs(world: World, prop: { pubdata?: string; parent?: bigint; newRoot?: bigint; roots?: bigint[] }, K: number, unit: number, payee: string, domain: bigint, feeBurnBps: bigint): Promise<bigint[]> {
  return unitStatement({
    pubdata: prop.pubdata!, units: K, unit, parentRoot: await world.rootOf(prop.parent!), newRoot: prop.newRoot!, intermediateRoots: prop.roots ?? [],
    payee, domain, feeBurnBps,
  });
}
