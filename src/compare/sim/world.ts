/**
 * What the simulation's actors see of L1: the Rollup's events, indexed as they are mined (proposals and their
 * status, reveals, commits, proofs, finalizations, reorgs, unit proofs), plus the contract's own views read once
 * per block and shared (every actor would read the same values; reading them once keeps the run fast). Nothing
 * here decides anything: the actors' decisions are the agents' pure functions (src/agents/decisions).
 */
import type { LogDescription } from "ethers";
import { ProposalStatus, proposalOfCalldata, revealOfCalldata, type RollupClient, type RollupConfig, type Timeline } from "../../client/index.js";
import type { VrfProof } from "../../vrf/index.js";
import type { SimReceipt } from "./chain.js";

export interface SimProposal {
  sequencer: string;
  vrfOutput: bigint;
  vrfProof: VrfProof;
  feeSplitBps: bigint;
  status: ProposalStatus;
  pubdata?: string;
  parent?: bigint;
  newRoot?: bigint;
  /** Cooperative: the committed intermediate roots. */
  roots?: bigint[];
  /** Sidecar: the prover named at the commit. */
  prover?: string;
}

export interface UnitEntryView {
  payee: string;
  feeBurnBps: bigint;
  score: bigint;
}

const lc = (a: string) => a.toLowerCase();

export class World {
  /** The block being built (head + 1). */
  next = 0n;
  readonly proposals = new Map<bigint, Map<string, SimProposal>>();
  readonly seeds = new Set<bigint>();
  /** Heights with a leading commit, and who leads. */
  readonly leader = new Map<bigint, string>();
  readonly finalized = new Map<bigint, { block: number; sequencer: string; prover: string; submitter: string; sequencerReward: bigint; proverReward: bigint; submissionReward: bigint }>();
  readonly reorged = new Map<bigint, number>();
  readonly unitAccepted = new Map<bigint, { unit: bigint; payee: string; late: boolean; displaced: string; block: number }[]>();
  readonly unitPaid = new Map<string, bigint>();
  readonly rescuePaid = new Map<string, bigint>();
  readonly settled = new Set<bigint>();
  readonly lateSettled = new Map<bigint, { rescuer: string; toRescuer: bigint; slashed: bigint }>();
  slashed = 0n;
  /** All decoded Rollup events, in order (for the record). */
  readonly log: { block: number; event: LogDescription }[] = [];

  private readonly timelines = new Map<bigint, Timeline>();
  private readonly randomness = new Map<bigint, bigint>();
  private perBlock = new Map<string, Promise<unknown>>();
  /** Things claimed for this block (one recordRandomness / triggerReorg / settleUnits per block among all actors). */
  private claims = new Set<string>();

  constructor(readonly client: RollupClient, readonly config: RollupConfig) {}

  beginBlock(next: bigint): void {
    this.next = next;
    this.perBlock = new Map();
    this.claims = new Set();
  }

  /** True for the first caller in this block: the others leave the shared chore alone. */
  claim(key: string): boolean {
    if (this.claims.has(key)) return false;
    this.claims.add(key);
    return true;
  }

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let p = this.perBlock.get(key) as Promise<T> | undefined;
    if (!p) {
      p = read();
      this.perBlock.set(key, p);
    }
    return p;
  }

  async timeline(h: bigint): Promise<Timeline> {
    let t = this.timelines.get(h);
    if (!t) {
      t = await this.client.timeline(h);
      this.timelines.set(h, t);
    }
    return t;
  }

  clock(): Promise<{ height: bigint; phase: number }> {
    return this.once("clock", () => this.client.clockAt(this.next));
  }

  chainTip(): Promise<bigint> {
    return this.once("tip", () => this.client.chainTip());
  }

  height(h: bigint) {
    return this.once(`height:${h}`, () => this.client.getHeight(h));
  }

  pendingHeights(): Promise<bigint[]> {
    return this.once("pending", () => this.client.pendingHeights());
  }

  rootOf(h: bigint): Promise<bigint> {
    return this.once(`root:${h}`, () => this.client.rootOf(h));
  }

  unitEntries(h: bigint, u: bigint): Promise<UnitEntryView[]> {
    return this.once(`entries:${h}:${u}`, () => this.client.unitEntries(h, u));
  }

  unitsOf(h: bigint) {
    return this.once(`units:${h}`, () => this.client.unitsOf(h));
  }

  /** The height's randomness (read once its seed is recorded; fixed from then on). */
  async randomnessOf(h: bigint): Promise<bigint> {
    const r = this.randomness.get(h);
    if (r !== undefined) return r;
    const v = await this.client.randomnessOf(h);
    if (v !== 0n && this.seeds.has(h)) this.randomness.set(h, v);
    return v;
  }

  proposalsOf(h: bigint): Map<string, SimProposal> {
    let m = this.proposals.get(h);
    if (!m) {
      m = new Map();
      this.proposals.set(h, m);
    }
    return m;
  }

  /** Indexes the events of a mined block. */
  apply(receipts: readonly SimReceipt[]): void {
    for (const r of receipts) {
      for (const e of r.events) {
        this.log.push({ block: r.block, event: e });
        const a = e.args;
        const h = e.fragment.inputs.some((i) => i.name === "height") ? (a.height as bigint) : undefined;
        switch (e.name) {
          case "Proposed":
            this.proposalsOf(h!).set(lc(a.sequencer), {
              // The proof is in the proposal's calldata (the log has its output).
              sequencer: a.sequencer, vrfOutput: a.vrfOutput, vrfProof: proposalOfCalldata(r.data, h!, a.vrfOutput as bigint)?.vrfProof as VrfProof, feeSplitBps: a.feeSplitBps, status: ProposalStatus.Proposed,
            });
            break;
          case "RandomnessRecorded":
            this.seeds.add(h!);
            break;
          case "Revealed": {
            const p = this.proposalsOf(h!).get(lc(a.sequencer));
            // The pubdata is in the reveal's calldata (the log has its hash).
            const pubdata = revealOfCalldata(r.data, h!, a.pubdataHash as string)?.pubdata;
            if (p) Object.assign(p, { status: ProposalStatus.Revealed, pubdata, parent: a.parent, newRoot: a.newRoot });
            break;
          }
          case "ProverCommitted":
          case "UnitsCommitted": {
            const p = this.proposalsOf(h!).get(lc(a.sequencer));
            if (p) {
              p.status = ProposalStatus.Committed;
              if (e.name === "UnitsCommitted") p.roots = [...a.intermediateRoots];
              else p.prover = a.prover;
            }
            if (a.leads) this.leader.set(h!, a.sequencer);
            // The first commit of a height records the seed of the next one.
            this.seeds.add(h! + 1n);
            break;
          }
          case "EscrowReleased":
          case "BondReleased":
          case "VrfClaimChallenged": {
            const p = this.proposalsOf(h!).get(lc(a.sequencer));
            if (p) p.status = ProposalStatus.Settled;
            if (e.name === "VrfClaimChallenged") this.slashed += a.slashed as bigint;
            break;
          }
          case "HeightFinalized":
            this.finalized.set(h!, {
              block: r.block, sequencer: a.sequencer, prover: a.prover, submitter: a.submitter,
              sequencerReward: a.sequencerReward, proverReward: a.proverReward, submissionReward: a.submissionReward,
            });
            break;
          case "ChainReorged":
            this.reorged.set(a.missedHeight as bigint, r.block);
            this.slashed += a.slashed as bigint;
            break;
          case "HeightReorgedOut":
            this.reorged.set(h!, r.block);
            break;
          case "LateProofSettled":
            this.lateSettled.set(h!, { rescuer: a.rescuer, toRescuer: a.toRescuer, slashed: a.slashed });
            this.slashed += a.slashed as bigint;
            break;
          case "UnitProofAccepted": {
            const list = this.unitAccepted.get(h!) ?? [];
            list.push({ unit: a.unit, payee: a.payee, late: a.late, displaced: a.displaced, block: r.block });
            this.unitAccepted.set(h!, list);
            break;
          }
          case "UnitProofPaid":
            this.unitPaid.set(`${h}:${a.unit}:${lc(a.payee)}`, a.amount);
            break;
          case "UnitRescuePaid":
            this.rescuePaid.set(`${h}:${a.unit}:${lc(a.rescuer)}`, a.amount);
            break;
          case "UnitsSettled":
            this.settled.add(h!);
            break;
        }
      }
    }
  }
}
