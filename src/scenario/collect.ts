/**
 * The figures of a run, from L1 alone (events and receipts), so that a replay on another node gives comparable
 * numbers: per-height timeline and outcome, a ledger of rewards, slashes, bounties, refunds and deposits per actor,
 * and gas per phase (transactions of the run's block range, grouped by the contract method called).
 */
import { Interface, type JsonRpcProvider } from "ethers";
import { commitsFromLogs, HeightStatus, ProvingDesign, RollupClient, type RollupConfig } from "../client/index.js";
import { ProofAggregator__factory, Rollup__factory, Staking__factory } from "../../types/ethers-contracts/index.js";
import type { CooperativeFigure, GasFigure, HeightFigure, LedgerEntry } from "./figures.js";

const ZERO = "0x0000000000000000000000000000000000000000";

export interface CollectInput {
  provider: JsonRpcProvider;
  rollup: string;
  aggregator?: string;
  staking?: string;
  token?: string;
  /** First block of the run (the deployment); transactions before the Rollup's genesis block count as "setup". */
  startBlock: number;
  endBlock: number;
  /** Heights to report at least (firstHeight..firstHeight + n - 1); heights seen in events beyond it are reported too. */
  heights: number;
  /** First height of the run (default 1; later when the run attached to a chain that already advanced). */
  firstHeight?: number;
  /** address (lowercase) -> actor name */
  names: Map<string, string>;
}

export interface Collected {
  heights: HeightFigure[];
  ledger: LedgerEntry[];
  gasByPhase: Record<string, GasFigure>;
  config: RollupConfig;
  design: "sidecar" | "cooperative";
  /** The Cooperative design's unit proofs, payments and bonds. */
  cooperative?: CooperativeFigure;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function collectFigures(a: CollectInput): Promise<Collected> {
  const client = new RollupClient(a.rollup, a.provider);
  const c = client.contract;
  const cfg = await client.config();
  const name = (addr: string) => a.names.get(addr.toLowerCase()) ?? addr.slice(0, 10);
  const from = a.startBlock;
  const to = a.endBlock;
  const q = <T>(f: Promise<T>) => f;

  const [proposed, revealed, committed, submitted, finalized, reorged, reorgedOut, late, released, aggRewarded] = await Promise.all([
    q(c.queryFilter(c.filters.Proposed(), from, to)),
    q(c.queryFilter(c.filters.Revealed(), from, to)),
    q(c.queryFilter(c.filters.ProverCommitted(), from, to)),
    q(c.queryFilter(c.filters.ProofSubmitted(), from, to)),
    q(c.queryFilter(c.filters.HeightFinalized(), from, to)),
    q(c.queryFilter(c.filters.ChainReorged(), from, to)),
    q(c.queryFilter(c.filters.HeightReorgedOut(), from, to)),
    q(c.queryFilter(c.filters.LateProofSettled(), from, to)),
    q(c.queryFilter(c.filters.EscrowReleased(), from, to)),
    q(c.queryFilter(c.filters.AggregationRewarded(), from, to)),
  ]);
  // The Cooperative design (docs/cooperative.md): the sequencer's bond in place of a prover's deposit, unit proofs paid
  // per UnitProofPaid; its events are absent on a Sidecar deployment (and Sidecar's ProverCommitted and co. here).
  const coop = Number(cfg.provingDesign) === ProvingDesign.Cooperative;
  const [unitsCommitted, unitAccepted, unitPaid, unitsSettled, bondSettled, bondReleased] = coop
    ? await Promise.all([
      c.queryFilter(c.filters.UnitsCommitted(), from, to), c.queryFilter(c.filters.UnitProofAccepted(), from, to),
      c.queryFilter(c.filters.UnitProofPaid(), from, to), c.queryFilter(c.filters.UnitsSettled(), from, to),
      c.queryFilter(c.filters.BondSettled(), from, to), c.queryFilter(c.filters.BondReleased(), from, to),
    ])
    : [[], [], [], [], [], []];
  // A Cooperative commit as the Sidecar commit the ledger's helpers read: the sequencer backs its own block.
  const commitLogs = coop
    ? unitsCommitted.map((e) => ({ blockNumber: e.blockNumber, args: { height: e.args.height, sequencer: e.args.sequencer, depositor: e.args.sequencer, deposit: e.args.bond, leads: e.args.leads, prover: undefined as string | undefined } }))
    : committed.map((e) => ({ blockNumber: e.blockNumber, args: { height: e.args.height, sequencer: e.args.sequencer, depositor: e.args.depositor, deposit: e.args.deposit, leads: e.args.leads, prover: e.args.prover as string | undefined } }));
  let verifiedPosts: { height: bigint; blockNumber: number; poster: string }[] = [];
  let rejected: { height: bigint; poster: string; challenger: string; bond: bigint; blockNumber: number }[] = [];
  if (a.aggregator) {
    const g = ProofAggregator__factory.connect(a.aggregator, a.provider);
    verifiedPosts = (await g.queryFilter(g.filters.PostedProofVerified(), from, to)).map((e) => ({ height: e.args.height, blockNumber: e.blockNumber, poster: e.args.poster }));
    rejected = (await g.queryFilter(g.filters.PostedProofRejected(), from, to)).map((e) => ({ height: e.args.height, poster: e.args.poster, challenger: e.args.challenger, bond: e.args.bond, blockNumber: e.blockNumber }));
  }

  const first = a.firstHeight ?? 1;
  const last = first + a.heights - 1;
  let maxH = last;
  for (const e of proposed) maxH = Math.max(maxH, Number(e.args.height));
  // Heights whose commit phase has not ended by the end block are not reported.
  const period = cfg.proposalBlocks + cfg.revealBlocks + cfg.commitBlocks;
  const openH = Number((BigInt(to) - cfg.genesisBlock) / period) + 1; // the height whose phases contain `to`
  maxH = Math.max(first, Math.min(maxH, Math.max(last, openH - 1)));

  const ledger: LedgerEntry[] = [];
  const add = (l1Block: number, actor: string, kind: LedgerEntry["kind"], amount: bigint, height?: bigint) => {
    if (amount > 0n) ledger.push({ l1Block, actor: name(actor), kind, amount: amount.toString(), height: height === undefined ? undefined : Number(height) });
  };

  const heights: HeightFigure[] = [];
  for (let h = first; h <= maxH; h++) {
    const H = BigInt(h);
    const info = await client.getHeight(H);
    const fin = finalized.find((e) => e.args.height === H);
    const winner = fin?.args.sequencer ?? (info.winner !== ZERO ? info.winner : undefined);
    const lead = commitLogs.filter((e) => e.args.height === H && e.args.leads).at(-1);
    const reorgAt = reorged.find((e) => e.args.missedHeight === H)?.blockNumber ?? reorgedOut.find((e) => e.args.height === H)?.blockNumber;
    const provenBy = submitted.find((e) => e.args.height === H);
    const provenAt = provenBy?.blockNumber ?? verifiedPosts.find((p) => p.height === H)?.blockNumber;
    const rev = revealed.find((e) => e.args.height === H && winner !== undefined && e.args.sequencer.toLowerCase() === winner.toLowerCase());
    let txs = 0;
    if (rev) {
      // The pubdata is in the reveal's calldata (the log has its hash).
      const { pubdata } = await client.revealedBlock(H, rev.args.sequencer, BigInt(rev.blockNumber));
      const bytes = Buffer.from(pubdata.slice(2), "hex");
      for (let i = 0; i < bytes.length; i += 20) if (bytes.subarray(i, i + 20).some((x) => x !== 0)) txs++;
    }
    const outcome: HeightFigure["outcome"] =
      fin || info.status === HeightStatus.Finalized ? "finalized"
      : reorgAt !== undefined || info.status === HeightStatus.Reorged ? "reorged"
      : info.status === HeightStatus.None ? (BigInt(to) >= cfg.genesisBlock + H * period ? "skipped" : "pending")
      : "pending";
    heights.push({
      height: h, outcome, txs,
      sequencer: winner ? name(winner) : undefined,
      // Cooperative: the payee of the proof that completed the height (ProofSubmitted's submitter), and every payee.
      prover: coop ? (provenBy ? name(provenBy.args.submitter) : undefined) : lead?.args.prover ? name(lead.args.prover) : undefined,
      ...(coop ? { provers: [...new Set(unitAccepted.filter((e) => e.args.height === H).map((e) => name(e.args.payee)))].sort() } : {}),
      proposedAt: proposed.find((e) => e.args.height === H)?.blockNumber,
      revealedAt: rev?.blockNumber ?? revealed.find((e) => e.args.height === H)?.blockNumber,
      committedAt: lead?.blockNumber,
      provenAt,
      finalizedAt: fin?.blockNumber,
      reorgedAt: reorgAt,
    });
  }

  // Ledger. Deposits leave the depositor at commit; on-time finalization refunds them; a reorg or a late proof slashes.
  // From the logs, not the records: proposal records leave their ring after 32 heights, height records after 64.
  for (const e of commitLogs) add(e.blockNumber, e.args.depositor, "deposit", e.args.deposit, e.args.height);
  const commits = commitsFromLogs(commitLogs);
  const backer = commits.backer;
  const lateLog = new Map<bigint, boolean>();
  for (const e of submitted) if (!lateLog.has(e.args.height)) lateLog.set(e.args.height, e.args.late);
  for (const e of coop ? finalized : []) {
    // The prover network's reward is escrowed (HeightFinalized.prover is zero): paid per UnitProofPaid below.
    add(e.blockNumber, e.args.sequencer, "reward", e.args.sequencerReward, e.args.height);
  }
  for (const e of coop ? [] : finalized) {
    add(e.blockNumber, e.args.sequencer, "reward", e.args.sequencerReward, e.args.height);
    add(e.blockNumber, e.args.prover, "reward", e.args.proverReward, e.args.height);
    add(e.blockNumber, e.args.submitter, "reward", e.args.submissionReward, e.args.height);
    if (!(lateLog.get(e.args.height) ?? (await client.getHeight(e.args.height)).late)) {
      const b = backer(e.args.height, e.args.sequencer);
      add(e.blockNumber, b.depositor, "refund", b.deposit > 0n ? b.deposit : cfg.proverDeposit, e.args.height);
    }
  }
  for (const e of reorged) {
    const h = e.args.missedHeight;
    const w = commits.winner(h) ?? (await client.getHeight(h)).winner;
    add(e.blockNumber, backer(h, w).depositor, "slash", e.args.slashed, h);
    const tx = await e.getTransaction();
    add(e.blockNumber, tx.from, "bounty", e.args.bounty, h);
  }
  for (const e of reorgedOut) add(e.blockNumber, e.args.sequencer, "bounty", e.args.compensation, e.args.height);
  for (const e of late) {
    const w = commits.winner(e.args.height) ?? (await client.getHeight(e.args.height)).winner;
    add(e.blockNumber, backer(e.args.height, w).depositor, "slash", e.args.slashed, e.args.height);
    add(e.blockNumber, e.args.rescuer, "bounty", e.args.toRescuer, e.args.height);
  }
  for (const e of released) {
    add(e.blockNumber, e.args.sequencer, "refund", e.args.tipRefund, e.args.height);
    if (e.args.depositRefund > 0n) {
      add(e.blockNumber, backer(e.args.height, e.args.sequencer).depositor, "refund", e.args.depositRefund, e.args.height);
    }
  }
  // Cooperative: the bond back at finalization, or (a rescued height) its rescuer's share and the burnt rest as the
  // sequencer's slash; bonds refunded to losers and to the lost descendants of a reorg; the paid unit proofs.
  for (const e of bondSettled) {
    add(e.blockNumber, e.args.sequencer, "refund", e.args.returned, e.args.height);
    add(e.blockNumber, e.args.sequencer, "slash", e.args.burnt + e.args.toRescuer, e.args.height);
  }
  // Each rescued unit's rescuer, paid out of the bond.
  if (coop) for (const e of await c.queryFilter(c.filters.UnitRescuePaid(), from, to)) add(e.blockNumber, e.args.rescuer, "bounty", e.args.amount, e.args.height);
  for (const e of bondReleased) add(e.blockNumber, e.args.sequencer, "refund", e.args.bond, e.args.height);
  for (const e of unitPaid) add(e.blockNumber, e.args.payee, "reward", e.args.amount, e.args.height);
  for (const e of aggRewarded) add(e.blockNumber, e.args.account, "reward", e.args.amount);
  for (const r of rejected) {
    add(r.blockNumber, r.poster, "slash", r.bond, r.height);
    add(r.blockNumber, r.challenger, "bounty", r.bond, r.height);
  }
  ledger.sort((x, y) => x.l1Block - y.l1Block || (x.height ?? 0) - (y.height ?? 0) || x.actor.localeCompare(y.actor) || x.kind.localeCompare(y.kind));

  // Gas per phase: every transaction of the run's blocks, named by the method it called.
  const ifaces = [Rollup__factory.createInterface(), ProofAggregator__factory.createInterface(), Staking__factory.createInterface(),
    new Interface(["function mint(address,uint256)", "function approve(address,uint256)", "function transfer(address,uint256)"])];
  const gas = new Map<string, number[]>();
  for (let b = from; b <= to; b++) {
    const block = await a.provider.getBlock(b, true);
    if (!block) continue;
    for (const tx of block.prefetchedTransactions) {
      const r = await a.provider.getTransactionReceipt(tx.hash);
      if (!r) continue;
      let method = "other";
      if (!tx.to) method = "deploy";
      else for (const i of ifaces) {
        const p = i.parseTransaction({ data: tx.data, value: tx.value });
        if (p) {
          method = p.name;
          break;
        }
      }
      if (r.status !== 1) method = `${method} (reverted)`;
      else if (BigInt(b) < cfg.genesisBlock && !["propose", "reveal", "commitProver", "revealAndCommitProver", "revealAndCommitUnits"].includes(method)) method = "setup";
      const list = gas.get(method) ?? [];
      list.push(Number(r.gasUsed));
      gas.set(method, list);
    }
  }
  const gasByPhase: Record<string, GasFigure> = {};
  for (const [m, xs] of [...gas].sort((x, y) => x[0].localeCompare(y[0]))) gasByPhase[m] = { count: xs.length, total: xs.reduce((s, x) => s + x, 0), median: median(xs) };
  let cooperative: CooperativeFigure | undefined;
  if (coop) {
    const books = new Map<string, CooperativeFigure["provers"][number]>();
    const book = (addr: string) => {
      const n = name(addr);
      let b = books.get(n);
      if (!b) books.set(n, (b = { name: n, accepted: 0, rescues: 0, displaced: 0, paidProofs: 0, paid: "0", burnt: "0" }));
      return b;
    };
    for (const [addr, n] of a.names) if (/prover/i.test(n)) book(addr);
    for (const e of unitAccepted) {
      if (e.args.late) book(e.args.payee).rescues++;
      else book(e.args.payee).accepted++;
      if (e.args.displaced !== ZERO) book(e.args.displaced).displaced++;
    }
    for (const e of unitPaid) {
      const b = book(e.args.payee);
      b.paidProofs++;
      b.paid = (BigInt(b.paid) + e.args.amount).toString();
      b.burnt = (BigInt(b.burnt) + e.args.burnt).toString();
    }
    cooperative = {
      units: Number(cfg.units),
      accepted: unitAccepted.map((e) => ({
        height: Number(e.args.height), unit: Number(e.args.unit), payee: name(e.args.payee), feeBurnBps: Number(e.args.feeBurnBps), late: e.args.late,
        ...(e.args.displaced !== ZERO ? { displaced: name(e.args.displaced) } : {}), l1Block: e.blockNumber,
      })),
      provers: [...books.values()].sort((x, y) => x.name.localeCompare(y.name)),
      settled: unitsSettled.map((e) => ({ height: Number(e.args.height), networkReward: e.args.networkReward.toString(), paid: e.args.paid.toString(), burnt: e.args.burnt.toString(), proofs: Number(e.args.proofs) })),
      bonds: bondSettled.map((e) => ({
        height: Number(e.args.height), sequencer: name(e.args.sequencer), returned: e.args.returned.toString(),
        ...(e.args.rescuer !== ZERO ? { rescuer: name(e.args.rescuer) } : {}), toRescuer: e.args.toRescuer.toString(), burnt: e.args.burnt.toString(),
      })),
    };
  }
  return { heights, ledger, gasByPhase, config: cfg, design: coop ? "cooperative" : "sidecar", cooperative };
}

/** Median L1 blocks from first proposal to finalization over finalized heights. */
export function medianLatency(heights: readonly HeightFigure[]): number {
  return median(heights.filter((h) => h.outcome === "finalized" && h.proposedAt !== undefined && h.finalizedAt !== undefined).map((h) => h.finalizedAt! - h.proposedAt!));
}
