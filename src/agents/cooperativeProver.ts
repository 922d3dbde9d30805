/**
 * Cooperative prover agent (the Cooperative design, seed 002, adapted to Groth16 without recursion: PROTOCOL.md,
 * contracts/coordination/CooperativeLib.sol). A block of T slots is K units of S = T / K slots; per (height, unit)
 * every staked prover scores VRF x (1 + FEE_BURN) and the three highest-scoring valid proofs posted before the close
 * are paid. This agent, for each decided height:
 *
 *   1. reads the winner, its `UnitsCommitted` roots and its `Revealed` block; rebuilds the parent state from L1
 *      (L2Chain: genesis + revealed pubdata) and the block's transfers from the revealed pubdata + signatures
 *      (`blockFromL1`), splits the block into units and checks the committed roots against the computed ones (a
 *      mismatch: the block is unprovable, counted and skipped);
 *   2. per unit: its VRF over `unitVrfInput(randomness, winner output, unit)`, the FEE_BURN (decisions/cooperative.ts
 *      `chooseFeeBurn`), the decision (`unitProveDecision`: a free slot, a score above the lowest, or a rescue after
 *      the proving deadline), the proof (one unit at a time), the decision again on fresh entries
 *      (`unitSubmitDecision`: submit, or count it wasted), and `submitUnitProof`; an on-chain refusal (score too low,
 *      already in the unit, closed) is counted, not thrown;
 *   3. settles (`settleUnits`) the heights where it holds a paid slot once they are finalized and closed.
 *
 * Each round does at most one proof (the first unit that needs one, heights in order) so that the next round acts on
 * fresh L1 reads. Progress per (height, unit) is in the store (the proof before it is sent, the outcome after), so a
 * restarted agent sends a finished proof again if still useful and never proves twice what it submitted; the lowest
 * height not yet done is stored too. After an L1 reorg the L2 states are rebuilt (L2Chain.forget), the submission in
 * flight is abandoned (TxSender.abandon), heights retired on blocks the reorg replaced are looked at again, and sent
 * proofs of open heights are checked again against the entries (a dropped submission is sent again, from the store).
 */
import type { JsonRpcProvider, TransactionReceipt, Wallet } from "ethers";
import { Contract } from "ethers";
import { initL2, l2Domain, splitBlock, stateFromGenesis, unitSize, unitWithPayee, type BlockUnits, type GenesisAccount } from "../l2/index.js";
import { HeightStatus, ProvingDesign, RollupClient, contractErrorName, type ProofWords, type RollupConfig } from "../client/index.js";
import { unitScore, unitVrfInput, type UnitEntry } from "../cooperative.js";
import { AGENT_DEFAULTS } from "../defaults.js";
import { BPS } from "../protocol.js";
import type { L1Point } from "../node/index.js";
import { Store } from "../store/index.js";
import { publicKeyG1Of, vrfKeyFromSeed, vrfProve, type VrfProof } from "../vrf/index.js";
import { Prover } from "../zk/prover.js";
import { AgentError, AgentWallet, L2Chain, Logger, PollingAgent, TxSender, connectL1, errText, type L1ReorgEvent, type L1TxRecord } from "./common.js";
import { blockFromL1, corruptProof } from "./proving.js";
import {
  FEE_BURN_STRATEGIES, chooseFeeBurn, heightRetireDecision, unitSettleDecision, unitProveDecision, unitRefusal, unitSubmitDecision,
  type FeeBurnStrategy, type UnitView,
} from "./decisions/cooperative.js";


export interface CooperativeProverOptions {
  name: string;
  rpcUrl: string;
  rollup: string;
  /** The prover's L1 key: it sends the proofs and is their payee (the account staked as a prover). */
  privateKey: string;
  /** Seed of its VRF key (`vrfKeyFromSeed(vrfSeed).sk`), the key registered with its prover stake. */
  vrfSeed: string;
  /** Slots per block, tree depth, units per block (must match the Rollup's `slots` and `units`). */
  T: number;
  D: number;
  K: number;
  genesis: GenesisAccount[];
  storePath: string;
  /** The unit circuit Unit(T / K, D)'s artifacts (`artifactsFor({ T: T / K, D, kind: "unit" })`). */
  wasmPath: string;
  zkeyPath: string;
  /**
   * FEE_BURN bound into its proofs, basis points 0..10000 (default 0). Its score is VRF x (1 + FEE_BURN) and its pay
   * x (1 - FEE_BURN): 0 keeps the whole share and competes on luck alone; more buys a better chance at a slot.
   */
  feeBurnBps?: number | bigint;
  /**
   * "fixed" (default): always `feeBurnBps`. "min-to-displace" (a sniper): 0 while a slot is free, else the smallest
   * FEE_BURN that strictly beats the lowest paid entry read before proving (`chooseFeeBurn`).
   */
  feeBurnStrategy?: FeeBurnStrategy;
  /** Prove units nobody proved by the proving deadline (a rescue: unpaid but for part of the bond). Default true. */
  rescue?: boolean;
  /** Expected L1 blocks from deciding to prove a unit to its proof landing (default 4). */
  provingTimeL1Blocks?: number;
  /** Start at this height (default: the stored progress, else the first height whose commit ends after the start). */
  fromHeight?: bigint;
  pollMs?: number;
  log?: Logger;
  onTx?: (r: L1TxRecord) => void;
  proverThreads?: number;
  proverNiceness?: number;
  /** Offline windows (scenarios): no rounds while true for the L1 head. */
  offline?: (l1Block: number) => boolean;
  /** Fault injection (scenarios): at these heights it submits proofs that fail verification. */
  invalidProofAt?: (height: bigint) => boolean;
  /** Fault injection (scenarios): proves nothing at these heights. */
  withholdAt?: (height: bigint) => boolean;
}

export interface CooperativeProverStats {
  /** Unit proofs computed. */
  proofsMade: number;
  /** `submitUnitProof` transactions sent. */
  submitted: number;
  /** Of them: accepted (a paid slot, or a rescue). */
  accepted: number;
  /** Of them: refused on chain (score too low, already in the unit, closed, invalid proof...). */
  refused: number;
  /** Proofs made but not sent: the re-decision on fresh entries found them useless. */
  wasted: number;
  /** Units of retired heights this agent made no proof for (its decision was to skip them). */
  skipped: number;
  /** Accepted rescues (a unit proven after the proving deadline). */
  rescues: number;
  /** Successful `settleUnits` calls. */
  settled: number;
  /** Of them: failed without a contract refusal (out of gas, node error, L1 reorg): sent again from the store. */
  failed: number;
  /** Heights whose committed roots or revealed block do not rebuild: nobody can prove them. */
  unprovable: number;
}

/** Progress of one (height, unit), in the store. */
interface UnitRecord {
  height: bigint;
  unit: number;
  /** The height's winner whose block the proof is of. */
  sequencer: string;
  /**
   * proven: made, not yet sent (resume: sent again if still useful). sending: sent, outcome unknown (resume: the
   * entries tell). accepted: took a paid slot or rescued the unit. refused / wasted: final for this proof.
   */
  state: "proven" | "sending" | "accepted" | "refused" | "wasted";
  feeBurnBps: bigint;
  proof: bigint[];
  rescue: boolean;
}

/** A height's data as rebuilt from L1 (cached per height and winner). */
interface HeightContext {
  height: bigint;
  winner: string;
  pubdata: string;
  roots: bigint[];
  units: BlockUnits;
  randomness: bigint;
  winnerOutput: bigint;
  /** Per unit: this prover's VRF proof and output. */
  vrf: { proof: VrfProof; output: bigint }[];
}

const UNITS = "units";
const META = "meta";
const DONE = "done";
const pad = (h: bigint) => h.toString().padStart(12, "0");
const unitKey = (h: bigint, u: number) => `${pad(h)}:${u.toString().padStart(3, "0")}`;

/** Checks the options; AgentError BAD_CONFIG names the first bad one. */
export function checkCooperativeOptions(o: CooperativeProverOptions): void {
  const bad = (m: string): never => {
    throw new AgentError("BAD_CONFIG", `cooperative prover ${o?.name ?? "?"}: ${m}`);
  };
  if (typeof o !== "object" || o === null) bad("options must be an object");
  if (typeof o.name !== "string" || o.name.length === 0) bad("name must be a non-empty string");
  for (const k of ["rpcUrl", "rollup", "privateKey", "vrfSeed", "storePath", "wasmPath", "zkeyPath"] as const) {
    if (typeof o[k] !== "string" || o[k].length === 0) bad(`${k} must be a non-empty string`);
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(o.rollup)) bad(`rollup must be an address, got ${o.rollup}`);
  for (const k of ["T", "D", "K"] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) bad(`${k} must be a positive integer, got ${String(o[k])}`);
  }
  if (o.T % o.K !== 0) bad(`K = ${o.K} must divide T = ${o.T}`);
  if (!Array.isArray(o.genesis)) bad("genesis must be an array of accounts");
  const fb = o.feeBurnBps ?? 0;
  if (!(typeof fb === "bigint" || Number.isInteger(fb)) || BigInt(fb) < 0n || BigInt(fb) > BPS) bad(`feeBurnBps must be an integer in 0..${BPS}, got ${String(fb)}`);
  if (o.feeBurnStrategy !== undefined && !FEE_BURN_STRATEGIES.includes(o.feeBurnStrategy)) {
    bad(`feeBurnStrategy must be one of ${FEE_BURN_STRATEGIES.join(", ")}, got ${String(o.feeBurnStrategy)}`);
  }
  if (o.provingTimeL1Blocks !== undefined && (!Number.isInteger(o.provingTimeL1Blocks) || o.provingTimeL1Blocks < 0)) {
    bad(`provingTimeL1Blocks must be a non-negative integer, got ${String(o.provingTimeL1Blocks)}`);
  }
  if (o.fromHeight !== undefined && (typeof o.fromHeight !== "bigint" || o.fromHeight < 1n)) bad("fromHeight must be a bigint >= 1");
  if (o.pollMs !== undefined && (!Number.isFinite(o.pollMs) || o.pollMs <= 0)) bad("pollMs must be a positive number");
}

export class CooperativeProverAgent extends PollingAgent {
  readonly name: string;
  readonly address: string;
  private readonly o: CooperativeProverOptions;
  private readonly wallet: Wallet;
  private readonly client: RollupClient;
  private readonly sender: TxSender;
  private readonly prover: Prover;
  private readonly sk: bigint;
  private readonly feeBurnBps: bigint;
  private readonly strategy: FeeBurnStrategy;
  private readonly provingTime: bigint;
  private store!: Store;
  private chain!: L2Chain;
  private cfg!: RollupConfig;
  private chainId = 0n;
  private domain = 0n;
  /** Lowest height not yet retired. */
  private cursor = 1n;
  private readonly contexts = new Map<bigint, HeightContext>();
  /** Heights found unprovable (not counted twice). */
  private readonly unprovable = new Set<string>();
  private readonly counters: CooperativeProverStats = {
    proofsMade: 0, submitted: 0, accepted: 0, refused: 0, failed: 0, wasted: 0, skipped: 0, rescues: 0, settled: 0, unprovable: 0,
  };
  /** Seconds of the unit proofs made (the last few). */
  readonly proofSeconds: number[] = [];
  private stopped = false;

  private constructor(o: CooperativeProverOptions, provider: JsonRpcProvider) {
    super(provider, o.log ?? new Logger(o.name), o.pollMs ?? AGENT_DEFAULTS.pollMs);
    this.o = o;
    this.name = o.name;
    this.wallet = new AgentWallet(o.privateKey, provider);
    this.address = this.wallet.address;
    this.client = new RollupClient(o.rollup, this.wallet);
    this.sender = new TxSender(this.wallet, o.name, o.onTx);
    this.prover = new Prover("process", { threads: o.proverThreads, niceness: o.proverNiceness });
    this.sk = vrfKeyFromSeed(o.vrfSeed).sk;
    this.feeBurnBps = BigInt(o.feeBurnBps ?? 0);
    this.strategy = o.feeBurnStrategy ?? "fixed";
    this.provingTime = BigInt(o.provingTimeL1Blocks ?? 4);
    this.offline = o.offline;
  }

  static async start(o: CooperativeProverOptions): Promise<CooperativeProverAgent> {
    checkCooperativeOptions(o);
    await initL2();
    const provider = await connectL1(o.rpcUrl, o.pollMs ?? AGENT_DEFAULTS.pollMs);
    const a = new CooperativeProverAgent(o, provider);
    try {
      await a.init();
    } catch (e) {
      a.store?.close();
      provider.destroy();
      throw e;
    }
    a.startLoop();
    return a;
  }

  private async init(): Promise<void> {
    const o = this.o;
    this.cfg = await this.client.config();
    if (this.cfg.provingDesign !== BigInt(ProvingDesign.Cooperative)) throw new AgentError("BAD_CONFIG", `the Rollup's proving design is ${this.cfg.provingDesign}, not Cooperative (${ProvingDesign.Cooperative})`);
    if (Number(this.cfg.slots) !== o.T) throw new AgentError("BAD_CONFIG", `the Rollup has T = ${this.cfg.slots}, the options say ${o.T}`);
    if (Number(this.cfg.units) !== o.K) throw new AgentError("BAD_CONFIG", `the Rollup has K = ${this.cfg.units}, the options say ${o.K}`);
    unitSize(o.T, o.K);
    this.chainId = (await this.provider.getNetwork()).chainId;
    this.domain = l2Domain(this.chainId, o.rollup);
    const genesis = stateFromGenesis(o.genesis, o.D);
    if (genesis.root !== this.cfg.genesisRoot) throw new AgentError("BAD_CONFIG", "the genesis root differs from the Rollup's");
    this.chain = new L2Chain(this.client, genesis);
    await this.checkVrfKey();
    this.store = Store.open(o.storePath);
    const stored = this.store.get<bigint>(META, "cursor");
    const head = BigInt(await this.provider.getBlockNumber());
    this.cursor = o.fromHeight ?? stored ?? this.firstHeightAfter(head);
    // Persisted at once: a restart resumes here, not at the first height after its own start.
    this.store.put(META, "cursor", this.cursor);
    this.log.info("cooperative prover up", {
      address: this.address, from: this.cursor, feeBurnBps: this.feeBurnBps, strategy: this.strategy, rescue: o.rescue ?? true, K: o.K,
    });
  }

  /** Warns when the Staking contract holds another VRF key for this account (its proofs would be refused). */
  private async checkVrfKey(): Promise<void> {
    try {
      const staking = new Contract(await this.client.contract.staking(), ["function vrfG1KeyOf(address) view returns (uint256[2])"], this.provider);
      const onChain = (await staking.getFunction("vrfG1KeyOf")(this.address)) as bigint[];
      const mine = publicKeyG1Of(this.sk);
      if (onChain[0] !== mine[0] || onChain[1] !== mine[1]) {
        this.log.warn("the VRF key registered for this account is not vrfSeed's: its unit proofs will be refused (InvalidVrfProof)", { address: this.address });
      }
    } catch (e) {
      this.log.warn("could not read the registered VRF key", { error: errText(e) });
    }
  }

  /** The first height whose commit phase ends after L1 block `head` (heights are `period` blocks apart from genesis). */
  private firstHeightAfter(head: bigint): bigint {
    const period = this.cfg.proposalBlocks + this.cfg.revealBlocks + this.cfg.commitBlocks;
    const commitEnd1 = this.cfg.genesisBlock + period; // commitEnd of height 1
    if (head < commitEnd1) return 1n;
    return (head - commitEnd1) / period + 2n;
  }

  stats(): CooperativeProverStats {
    return { ...this.counters };
  }

  // ---------------------------------------------------------------- the round

  protected async onBlock(head: number, _at: L1Point): Promise<void> {
    if (this.stopped) return;
    const next = BigInt(head) + 1n;
    let proved = false;
    const period = this.cfg.proposalBlocks + this.cfg.revealBlocks + this.cfg.commitBlocks;
    for (let h = this.cursor; !this.stopped; h++) {
      // ClockLib.timeline: commitEnd(h) = genesisBlock + h x period. Decided once the head is at or past it (views
      // run on the head, a transaction lands in head + 1).
      if (BigInt(head) < this.cfg.genesisBlock + h * period) break;
      const r = await this.handleHeight(h, next, BigInt(head), !proved);
      proved ||= r.proved;
      if (r.retired && h === this.cursor) this.advanceCursor();
    }
  }

  /** Moves the cursor over retired heights (persisted). */
  private advanceCursor(): void {
    let c = this.cursor;
    while (this.store.get(DONE, pad(c)) !== undefined) c++;
    if (c !== this.cursor) {
      this.cursor = c;
      this.store.put(META, "cursor", c);
    }
  }

  private retire(h: bigint, head: bigint, ctx: HeightContext | undefined): void {
    if (this.store.get(DONE, pad(h)) !== undefined) return;
    if (ctx !== undefined) {
      for (let u = 0; u < this.o.K; u++) if (this.store.get<UnitRecord>(UNITS, unitKey(h, u)) === undefined) this.counters.skipped++;
    }
    this.store.put(DONE, pad(h), { at: head });
    this.contexts.delete(h);
  }

  /**
   * One height in one round: proofs (at most one when `mayProve`), settlement, retirement. Returns whether it made a
   * proof and whether the height is retired.
   */
  private async handleHeight(h: bigint, next: bigint, head: bigint, mayProve: boolean): Promise<{ proved: boolean; retired: boolean }> {
    if (this.store.get(DONE, pad(h)) !== undefined) return { proved: false, retired: true };
    const info = await this.client.getHeight(h);
    const t = await this.client.timeline(h);
    if (info.status === HeightStatus.None || info.status === HeightStatus.Reorged || /^0x0{40}$/i.test(info.winner)) {
      this.retire(h, head, undefined);
      return { proved: false, retired: true };
    }
    const ctx = await this.context(h, info.winner, info.parent);
    if (ctx === undefined) {
      this.retire(h, head, undefined);
      return { proved: false, retired: true };
    }
    const withhold = this.o.withholdAt?.(h) === true;
    let proved = false;
    let holdsAny = false;
    // Every payee of the height (for the settlement turn: one of them settles, not all in the same block).
    const payees = new Set<string>();
    for (let u = 0; u < this.o.K && !this.stopped; u++) {
      // Fresh reads per unit: a proof takes seconds, the chain moves meanwhile.
      const units = await this.client.unitsOf(h);
      const entries = await this.client.unitEntries(h, BigInt(u));
      const holds = entries.some((e) => e.payee.toLowerCase() === this.address.toLowerCase());
      holdsAny ||= holds;
      for (const e of entries) payees.add(e.payee.toLowerCase());
      const rec = this.store.get<UnitRecord>(UNITS, unitKey(h, u));
      if (holds) {
        if (rec !== undefined && rec.state !== "accepted") this.store.put(UNITS, unitKey(h, u), { ...rec, state: "accepted" });
        continue;
      }
      if (withhold || !mayProve || proved) continue;
      const view = (n: bigint, st: HeightStatus, un: typeof units, es: UnitEntry[], myScore: bigint | undefined): Omit<UnitView, "provingTimeL1Blocks"> => ({
        me: this.address, next: n, provingDeadline: t.provingDeadline, lateDeadline: t.lateDeadline,
        close: un.closeAt !== 0n ? un.closeAt : t.provingDeadline, status: st, unitProven: ((un.provenUnits >> BigInt(u)) & 1n) === 1n,
        entries: es, holdsSlot: es.some((e) => e.payee.toLowerCase() === this.address.toLowerCase()), myScore, rescue: this.o.rescue ?? true,
      });
      const output = ctx.vrf[u]!.output;
      const choice = chooseFeeBurn({ strategy: this.strategy, feeBurnBps: this.feeBurnBps, vrfOutput: output, entries });
      const feeBurn = "feeBurnBps" in choice ? choice.feeBurnBps : 0n;
      const myScore = "feeBurnBps" in choice ? unitScore(output, feeBurn) : undefined;
      // A proof already made for this unit (a restart, an L1 reorg, or a sniper's FEE_BURN unchanged) is reused.
      const same = rec !== undefined && rec.sequencer.toLowerCase() === ctx.winner.toLowerCase();
      let stored = same && (rec.state === "proven" || rec.state === "sending") ? rec : undefined;
      if (stored === undefined) {
        // A proof sent (accepted, then displaced), refused or wasted is final, unless a new FEE_BURN changes the
        // score (the sniper answering a displacement).
        if (same && rec.feeBurnBps === feeBurn) continue;
        const d = unitProveDecision({ ...view(next, info.status, units, entries, myScore), provingTimeL1Blocks: this.provingTime });
        if (d.kind === "skip") {
          this.log.debug("unit skipped", { height: h, unit: u, reason: d.reason });
          continue;
        }
        const rescue = d.reason === "rescue";
        const burn = rescue ? 0n : feeBurn;
        this.log.info("proving unit", { height: h, unit: u, reason: d.reason, feeBurnBps: burn, score: rescue ? undefined : myScore });
        const proof = await this.proveUnit(ctx, u, burn);
        if (proof === undefined) return { proved, retired: false }; // stopped
        proved = true;
        stored = { height: h, unit: u, sequencer: ctx.winner, state: "proven", feeBurnBps: burn, proof, rescue };
        this.store.put(UNITS, unitKey(h, u), stored);
      }
      await this.submit(ctx, stored, view);
    }
    // Settlement of the paid slots it holds, then retirement.
    const units = await this.client.unitsOf(h);
    const close = units.closeAt !== 0n ? units.closeAt : t.provingDeadline;
    const after = BigInt(await this.provider.getBlockNumber()) + 1n;
    // A height with no paid proof at all (every unit rescued late) has nobody who wants its settlement, which burns
    // its network reward: every prover takes a turn at it (staggered by address), so the books close.
    const orphan = payees.size === 0 && units.finalized && !units.settled;
    const turn = orphan ? 1 + (Number.parseInt(this.address.slice(-2), 16) % 4) : Math.max(0, [...payees].sort().indexOf(this.address.toLowerCase()));
    const settles = holdsAny || orphan;
    const s = unitSettleDecision({ holdsSlot: settles, finalized: units.finalized, settled: units.settled, next: after, close, turn });
    let settled = units.settled;
    if (s.kind === "settle") settled = await this.settle(h);
    const status = (await this.client.getHeight(h)).status;
    const allProven = units.provenUnits === (1n << BigInt(this.o.K)) - 1n;
    if (heightRetireDecision({ status, next: after, close, lateDeadline: t.lateDeadline, allProven, holdsSlot: settles, settled, rescue: (this.o.rescue ?? true) && !withhold })) {
      this.retire(h, head, ctx);
      return { proved, retired: true };
    }
    return { proved, retired: false };
  }

  /** Decides again on fresh reads and sends the stored proof, or counts it wasted. */
  private async submit(
    ctx: HeightContext,
    rec: UnitRecord,
    view: (n: bigint, st: HeightStatus, un: Awaited<ReturnType<RollupClient["unitsOf"]>>, es: UnitEntry[], myScore: bigint | undefined) => Omit<UnitView, "provingTimeL1Blocks">,
  ): Promise<void> {
    const h = rec.height;
    const u = rec.unit;
    const [info, units, entries, head] = await Promise.all([
      this.client.getHeight(h), this.client.unitsOf(h), this.client.unitEntries(h, BigInt(u)), this.provider.getBlockNumber(),
    ]);
    const score = unitScore(ctx.vrf[u]!.output, rec.feeBurnBps);
    const d = unitSubmitDecision(view(BigInt(head) + 1n, info.status, units, entries, score));
    if (d.kind === "wasted") {
      if (d.reason === "already-paid") {
        this.store.put(UNITS, unitKey(h, u), { ...rec, state: "accepted" }); // a sent proof that landed after all
        return;
      }
      this.counters.wasted++;
      this.store.put(UNITS, unitKey(h, u), { ...rec, state: "wasted" });
      this.log.info("unit proof wasted: others posted meanwhile", { height: h, unit: u, reason: d.reason });
      return;
    }
    const corrupt = this.o.invalidProofAt?.(h) === true;
    const proof = (corrupt ? corruptProof(rec.proof) : rec.proof) as ProofWords;
    if (corrupt) this.log.warn("sending an invalid unit proof (fault injection)", { height: h, unit: u });
    this.store.put(UNITS, unitKey(h, u), { ...rec, state: "sending" });
    this.counters.submitted++;
    let r: TransactionReceipt;
    try {
      r = await this.sender.send("submitUnitProof", h, () => this.sendUnitProof({
        height: h, unit: BigInt(u), proof, payee: this.address, feeBurnBps: rec.feeBurnBps, vrfProof: ctx.vrf[u]!.proof,
      }, ctx));
    } catch (e) {
      if (unitRefusal(contractErrorName(e)) === "refused") {
        this.counters.refused++;
        this.store.put(UNITS, unitKey(h, u), { ...rec, state: "refused" });
        this.log.info("unit proof refused on chain", { height: h, unit: u, error: errText(e) });
        return;
      }
      // Unknown outcome or no contract refusal (out of gas, an L1 reorg, the node): the record stays "sending"; the
      // next round reads the entries and sends the stored proof again if still useful.
      this.counters.failed++;
      throw e;
    }
    this.counters.accepted++;
    const late = this.client.decodeEvents(r).some((e) => e.name === "UnitProofAccepted" && e.args.late === true);
    if (late) this.counters.rescues++;
    this.store.put(UNITS, unitKey(h, u), { ...rec, state: "accepted", rescue: late });
    this.log.info(late ? "unit rescued" : "unit proof accepted", { height: h, unit: u, reason: d.reason, gas: r.gasUsed });
  }

  /**
   * submitUnitProof through the client, which adds UNIT_PROOF_GAS_MARGIN to the estimate: the estimate is made on
   * the entries of the moment and the cost depends on them (a free slot, a displacement, the proof completing the
   * height and finalizing it and the heights waiting for it). On measured runs a submission whose unit changed
   * between its estimate and its block ran out of gas (gas seen 336k-528k). A refusal at estimation is thrown as the
   * contract's error.
   */
  private sendUnitProof(u: { height: bigint; unit: bigint; proof: ProofWords; payee: string; feeBurnBps: bigint; vrfProof: VrfProof }, ctx: HeightContext) {
    return this.client.submitUnitProof({
      ...u, proof: [...u.proof] as ProofWords, vrfProof: [...u.vrfProof] as VrfProof, pubdata: ctx.pubdata, intermediateRoots: ctx.roots,
    });
  }

  /** settleUnits(h); true if the height is settled now (by us or someone else). */
  private async settle(h: bigint): Promise<boolean> {
    try {
      await this.sender.send("settleUnits", h, () => this.client.settleUnits(h));
      this.counters.settled++;
      this.log.info("height settled", { height: h });
      return true;
    } catch (e) {
      if (contractErrorName(e) === "Rollup__UnitsNotSettleable") return (await this.client.unitsOf(h)).settled;
      // Another payee's settlement landed first in the same block (its turn came earlier but it sent late): ours
      // reverted on chain. The height is settled: nothing to retry.
      if ((await this.client.unitsOf(h)).settled) {
        this.log.info("height settled by another payee first", { height: h, error: errText(e) });
        return true;
      }
      throw e;
    }
  }

  /** Proves unit `u` paying this agent at `feeBurnBps`; undefined if stopped. */
  private async proveUnit(ctx: HeightContext, u: number, feeBurnBps: bigint): Promise<bigint[] | undefined> {
    const { circuitInput, publicInputs } = unitWithPayee(ctx.units.units[u]!, this.address, feeBurnBps);
    const t0 = performance.now();
    let r;
    try {
      r = await this.prover.prove({ wasmPath: this.o.wasmPath, zkeyPath: this.o.zkeyPath, input: circuitInput as unknown as Record<string, unknown> });
    } catch (e) {
      if (this.stopped) return undefined;
      throw e;
    }
    const seconds = (performance.now() - t0) / 1000;
    this.counters.proofsMade++;
    this.proofSeconds.push(seconds);
    if (this.proofSeconds.length > 32) this.proofSeconds.shift();
    if (r.publicSignals.length !== publicInputs.length || r.publicSignals.some((x, i) => x !== publicInputs[i])) {
      throw new AgentError("BODY_MISMATCH", `height ${ctx.height} unit ${u}: the proof's public inputs differ from the unit's (wrong circuit?)`);
    }
    this.log.info("unit proof ready", { height: ctx.height, unit: u, seconds: seconds.toFixed(2) });
    this.emit("proof", { height: ctx.height, unit: u, seconds });
    return r.proof;
  }

  /**
   * The height's block as rebuilt from L1, split into units, with this prover's VRF per unit; undefined (counted,
   * warned once) if it is unprovable: the revealed transfers do not rebuild the revealed pubdata/root, or the
   * committed intermediate roots are not the computed ones. RPC errors are thrown (the round retries).
   */
  private async context(h: bigint, winner: string, parent: bigint): Promise<HeightContext | undefined> {
    const hit = this.contexts.get(h);
    if (hit !== undefined && hit.winner.toLowerCase() === winner.toLowerCase()) return hit;
    const key = `${h}:${winner.toLowerCase()}`;
    if (this.unprovable.has(key)) return undefined;
    const [roots, revealed, parentState, randomness, proposal] = await Promise.all([
      this.client.committedUnitRoots(h), this.client.revealedBlock(h, winner), this.chain.stateAt(parent),
      this.client.randomnessOf(h), this.client.getProposal(h, winner),
    ]);
    const unprovable = (why: string) => {
      this.unprovable.add(key);
      this.counters.unprovable++;
      this.log.warn("height unprovable: skipped", { height: h, winner, why });
      return undefined;
    };
    if (roots === undefined) return unprovable("no UnitsCommitted log of the winner");
    let units: BlockUnits;
    try {
      units = splitBlock(blockFromL1(parentState, revealed, this.o.T, this.domain), this.o.K);
    } catch (e) {
      return unprovable(`the revealed block does not rebuild: ${errText(e)}`);
    }
    if (units.intermediateRoots.length !== roots.length || units.intermediateRoots.some((r, i) => r !== roots[i])) {
      return unprovable("the committed intermediate roots are not the block's");
    }
    const vrf = units.units.map((_, u) => vrfProve(this.sk, {
      chainId: this.chainId, verifier: this.o.rollup, randomness: unitVrfInput(randomness, proposal.vrfOutput, BigInt(u)), height: h,
    }));
    const ctx: HeightContext = { height: h, winner, pubdata: revealed.pubdata, roots, units, randomness, winnerOutput: proposal.vrfOutput, vrf };
    this.contexts.set(h, ctx);
    return ctx;
  }

  // ---------------------------------------------------------------- L1 reorgs, stop

  protected onL1ReorgSuspected(): void {
    this.sender.abandon("L1 reorg suspected");
  }

  /**
   * An L1 reorg: stop waiting for the submission in flight, rebuild L2 states and height data from L1, look again at
   * heights retired on blocks that are gone, and treat sent proofs of open heights as unconfirmed (the next round
   * finds them in the entries, or sends them again from the store).
   */
  protected onL1Reorg(e: L1ReorgEvent): void {
    this.sender.abandon(`L1 reorg of ${e.depth} blocks at ${e.head}`);
    this.chain.forget();
    this.contexts.clear();
    this.unprovable.clear();
    let lowest = this.cursor;
    for (const [k, v] of this.store.list<{ at: bigint }>(DONE)) {
      if (v.at >= BigInt(e.firstReplaced)) {
        this.store.delete(DONE, k);
        const h = BigInt(k);
        if (h < lowest) lowest = h;
      }
    }
    for (const [k, r] of this.store.list<UnitRecord>(UNITS, "")) {
      if (r.height >= lowest && r.state === "accepted") this.store.put(UNITS, k, { ...r, state: "sending" });
    }
    if (lowest !== this.cursor) {
      this.cursor = lowest;
      this.store.put(META, "cursor", lowest);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.prover.close();
    await this.stopLoop();
    await this.sender.idle();
    if (!this.store.closed) this.store.close();
    this.provider.destroy();
  }

  /** Simulates a crash: nothing is awaited beyond what must end before the provider goes. */
  async crash(): Promise<void> {
    this.stopped = true;
    this.running = false;
    await this.prover.close();
    this.store.close();
    await this.stopLoop().catch(() => {});
    await this.sender.idle().catch(() => {});
    this.provider.destroy();
  }
}
