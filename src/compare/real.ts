/**
 * Real mode of a comparison: each design variant runs as a small scenario of the real devnet agents (src/scenario:
 * its own Hardhat node, the real contracts with the Groth16 verifier, real proofs on this machine), and the run's
 * figures (figures.json), its recorded L1 traffic (l1-log.json) and its deployment (run.json) are turned into the
 * same `RunRecord` the simulation writes (src/compare/types.ts), so that the metrics and the report read both alike.
 *
 * - `realScenario` builds the scenario document from the comparison's `real` scale, the workload's first actors and
 *   the variant's parameters, and validates it with the scenario schema (`validateScenario`, one place for the
 *   rules); what real mode cannot reproduce is said in its notes.
 * - `l1DataFromLog` reads what the figures do not hold from the recorded L1 log: each actor's gas, each revealed
 *   block's L2 fees and FEE_SPLIT, the proofs (accepted and refused), each finalization's split, Sidecar's tips.
 * - `recordFromFigures` is the conversion itself, pure (tested on hand-built figures).
 * - `runRealVariant` runs one variant end to end.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Transaction, type Interface, type Result } from "ethers";
import { Rollup__factory } from "../../types/ethers-contracts/index.js";
import { revealOfCalldata } from "../client/index.js";
import { ROLLUP_DEFAULTS, SCENARIO_DEFAULTS } from "../defaults.js";
import { decodePubdata, isNoop } from "../l2/pubdata.js";
import type { ScenarioFigures } from "../scenario/figures.js";
import type { ReplayLog } from "../scenario/record.js";
import { runScenario, toJson, type RunMeta } from "../scenario/runner.js";
import { validateScenario, type Scenario } from "../scenario/schema.js";
import { DESIGNS } from "./designs.js";
import { CompareError, expand, tokenWei, type ComparisonSpec, type ProverGroup, type SequencerGroup, type VariantSpec } from "./spec.js";
import type { ActorRecord, HeightRecord, ProofRecord, RunRecord } from "./types.js";

const BPS = 10_000n;
const lc = (a: string) => a.toLowerCase();
const sum = (xs: readonly (string | bigint)[]) => xs.reduce<bigint>((s, x) => s + BigInt(x), 0n);

// ------------------------------------------------------------------------------------------------ the scenario

/** A variant's scenario for real mode. */
export interface RealScenario {
  scenario: Scenario;
  /** Heights the record covers (1..heights): the comparison's `real.heights` (a cooperative run goes past them). */
  heights: number;
  /** What real mode could not reproduce of the comparison, or changed, in words. */
  notes: string[];
}

/** Rollup parameters a scenario sets (`$.params`); the others keep the contracts' defaults in real mode. */
const SCENARIO_PARAMS = ["proposalBlocks", "revealBlocks", "commitBlocks", "provingWindow", "lateWindow", "proverDeposit", "blockReward", "submissionReward"];
const TOKEN_PARAMS = new Set(["proverDeposit", "blockReward", "submissionReward"]);


/** A scenario name (letters, digits, - and _, starting with a letter, at most 32) from the comparison and variant. */
function scenarioName(spec: ComparisonSpec, v: VariantSpec): string {
  const n = `${spec.name}-${v.label}`.replace(/[^A-Za-z0-9_-]+/g, "-");
  return (/^[A-Za-z]/.test(n) ? n : `c-${n}`).slice(0, 32);
}

/** The first `n` members of the groups, one from each group first (so that every kind of prover is in). */
export function pickSpread<G extends { name: string; count: number }>(groups: readonly G[], n: number): (G & { group: string })[] {
  const all = expand(groups);
  const firsts = groups.map((g) => all.find((a) => a.group === g.name)!);
  const rest = all.filter((a) => !firsts.includes(a));
  return [...firsts, ...rest].slice(0, n);
}

/** The largest divisor of `t` that is at most `k` (at least 1). */
function divisorAtMost(t: number, k: number): number {
  for (let d = Math.min(k, t); d > 1; d--) if (t % d === 0) return d;
  return 1;
}

function offlineDoc(windows: SequencerGroup["offline"]): Record<string, unknown> | undefined {
  if (windows.length === 0) return undefined;
  return { kind: "offline", windows: windows.map((w) => ({ unit: "height", from: w.from, ...(w.to !== undefined ? { to: w.to } : {}) })) };
}

/**
 * The scenario of one variant in real mode: the comparison's `real` scale (heights, sequencers, provers, circuit
 * T and D), the workload's first sequencers and provers (one prover of each group first) with their terms and
 * strategies, the workload's and the variant's Rollup parameters, no expectations (a comparison measures, it does
 * not assert). Built as a scenario document and validated by the scenario schema.
 */
export function realScenario(spec: ComparisonSpec, variant: VariantSpec, seed = spec.seeds[0] ?? 1): RealScenario {
  const w = spec.workload;
  const r = spec.real;
  const coop = variant.design === "cooperative";
  const notes: string[] = [];
  const merged: Record<string, string | number | boolean> = { ...DESIGNS[variant.design].defaults, ...w.rollup, ...variant.rollup };

  // Rollup parameters.
  const params: Record<string, unknown> = {};
  for (const k of SCENARIO_PARAMS) {
    const x = merged[k];
    if (x === undefined) continue;
    params[k] = TOKEN_PARAMS.has(k) ? tokenWei(x, `rollup.${k}`).toString() : Number(x);
  }
  for (const [k, x] of Object.entries(merged)) {
    if (SCENARIO_PARAMS.includes(k) || k === "units") continue;
    // Only a value the comparison set (not a design default) is worth a note.
    if (w.rollup[k] !== undefined || variant.rollup[k] !== undefined) notes.push(`rollup parameter ${k} = ${String(x)} is not configurable in real mode: the devnet deploys the contracts' default`);
  }
  let units: number | undefined;
  if (coop) {
    const k = Number(merged.units ?? DESIGNS.cooperative.defaults.units);
    units = divisorAtMost(r.T, k);
    if (units !== k) notes.push(`K = ${k} units does not divide the real circuit's T = ${r.T}: real mode runs K = ${units} (the largest divisor of T not above ${k})`);
  } else if (merged.units !== undefined && Number(merged.units) !== 1 && variant.rollup.units !== undefined) {
    notes.push(`units = ${String(merged.units)} ignored: Sidecar proves whole blocks`);
  }

  // Sequencers.
  const seqs = expand(w.sequencers).slice(0, r.sequencers);
  const seqTotal = expand(w.sequencers).length;
  if (seqs.length < seqTotal) notes.push(`real mode runs ${seqs.length} of the workload's ${seqTotal} sequencers (${seqs.map((s) => s.name).join(", ")})`);
  const shares = [...new Set(seqs.map((s) => s.proverRewardShareBps))];
  if (!coop && shares.some((x) => x !== 2_000n)) notes.push(`proverRewardShareBps (${shares.join(", ")}) is not configurable in real mode: the agents offer 2000 bps`);
  const sequencers = seqs.map((s) => {
    const strategy = [...(s.strategy === "noReveal" ? ["noReveal"] : []), ...(offlineDoc(s.offline) ? [offlineDoc(s.offline)] : [])];
    return {
      name: s.name, feeSplitBps: Number(s.feeSplitBps), proverTip: s.proverTip.toString(),
      ...(strategy.length ? { strategy } : {}),
    };
  });

  // Provers.
  const provers = pickSpread(w.provers, r.provers);
  const proverTotal = expand(w.provers).length;
  if (provers.length < proverTotal) notes.push(`real mode runs ${provers.length} of the workload's ${proverTotal} provers (${provers.map((p) => p.name).join(", ")}: one of each group first)`);
  notes.push(`prover speed is not modelled in real mode: all provers share this machine's 2 cores (speeds ${[...new Set(provers.map((p) => p.speed))].join(", ")} asked)`);
  if (provers.some((p) => p.parallel !== 1)) notes.push("prover parallel is not configurable in real mode: each prover agent proves what it takes on this machine's cores");
  if (coop && provers.some((p) => p.minPlaceChance !== 0)) notes.push("minPlaceChance is not configurable in real mode: the cooperative prover agents prove every unit with a free slot");
  const proverDocs = provers.map((p: ProverGroup & { group: string }) => {
    const strategy = [...(p.strategy === "withhold" ? ["withhold"] : []), ...(offlineDoc(p.offline) ? [offlineDoc(p.offline)] : [])];
    return {
      name: p.name, price: p.price.toString(), cost: p.costPerProof.toString(),
      ...(strategy.length ? { strategy } : {}),
      ...(coop ? {
        feeBurnStrategy: p.feeBurnStrategy, ...(p.feeBurnStrategy === "fixed" ? { feeBurnBps: Number(p.feeBurnBps) } : {}), rescue: p.rescue,
      } : {}),
    };
  });
  if (!coop && variant.matching === "cheapest") notes.push('matching not configurable in real mode: the sequencer agents match quotes by price and reputation (the variant asks for "cheapest")');

  // Load: the workload's share of full blocks at the real T, offered a half more than it fills (blocks fill).
  const phase = SCENARIO_DEFAULTS.phaseBlocks;
  const period = Number(params.proposalBlocks ?? phase) + Number(params.revealBlocks ?? phase) + Number(params.commitBlocks ?? phase);
  const periodSeconds = (period * SCENARIO_DEFAULTS.blockTimeMs) / 1000;
  const perBlock = Math.round((w.transfersPerBlock / w.T) * r.T);
  const txRate = perBlock === 0 ? 0 : Math.round(((1.5 * perBlock) / periodSeconds) * 100) / 100;
  notes.push(`load: about ${perBlock} of ${r.T} transfers per block (the workload fills ${w.transfersPerBlock} of ${w.T}); L2 fees are the devnet generator's (random per transfer), not feePerTransfer`);

  // Cooperative pays unit proofs after each height's close (proving deadline, extended by a soft close): the run
  // goes on for enough heights that the recorded ones are settled before it stops.
  const provingWindow = Number(params.provingWindow ?? SCENARIO_DEFAULTS.provingWindow);
  const extra = coop ? Math.ceil((provingWindow + Number(ROLLUP_DEFAULTS.unitSoftCloseBlocks)) / period) : 0;
  if (extra) notes.push(`cooperative: the run goes ${extra} heights past the ${r.heights} recorded so that their unit proofs are settled (paid) before it stops; only heights 1..${r.heights} are recorded`);

  const doc = {
    name: scenarioName(spec, variant),
    description: `Real mode of comparison ${spec.name}, variant ${variant.label}${variant.description ? `: ${variant.description}` : ""}`,
    design: variant.design,
    ...(coop ? { units } : {}),
    seed,
    circuit: { T: r.T, D: r.D },
    params,
    load: { txRate },
    sequencers,
    provers: proverDocs,
    stop: { heights: r.heights + extra, timeoutSeconds: 600 + 120 * extra },
    expect: [],
  };
  return { scenario: validateScenario(doc, "compare"), heights: r.heights, notes };
}

// ------------------------------------------------------------------------------------------------ the L1 log

/** What the record needs beyond the figures, from the recorded L1 traffic (`l1DataFromLog`). Names, not addresses. */
export interface RunL1Data {
  /** L1 gas per sender (actor name) of its transactions to the Rollup (reverted ones too), heights 1..H only. */
  gas: Record<string, number>;
  /** Every revealed block of heights 1..H: its L2 fees (token wei, decimal) and the FEE_SPLIT its sequencer proposed. */
  blocks: { height: number; sequencer: string; fees: string; feeSplitBps: number }[];
  /** Accepted whole-block proofs (ProofSubmitted; Cooperative: the proof that completed the height). */
  submitted: { height: number; submitter: string; late: boolean; l1Block: number }[];
  /** Proof transactions refused on chain (reverted submitProof / submitUnitProof). */
  refused: { height: number; prover: string; unit?: number; l1Block: number }[];
  /** HeightFinalized: the split of each finalized height (token wei, decimal). */
  finalized: { height: number; sequencer: string; prover: string; submitter: string; sequencerReward: string; proverReward: string; submissionReward: string }[];
  /** Sidecar's LateProofSettled: the late proof's payee and its share of the deposit. */
  lateSettled: { height: number; rescuer: string; toRescuer: string }[];
  /**
   * Token flows the figures' ledger does not hold, signed: Sidecar's tip escrowed at the commit (ProverCommitted.tip,
   * negative) and given back to the missed proposal's sequencer at a reorg (positive); a false VRF claim's stake slash
   * (negative) and the challenger's half (positive).
   */
  flows: { actor: string; height: number; amount: string; what: "tip" | "tipRefund" | "stakeSlash" | "challengeReward" }[];
  /** Stake slashed for false VRF claims (VrfClaimChallenged.slashed; half burnt). */
  stakeSlashes: { height: number; sequencer: string; amount: string }[];
}

/** Rollup calls that are set-up, not the protocol: not counted in an actor's gas (as in sim mode). */
const SETUP_METHODS = new Set(["fundBalance", "fundRewards", "setAggregator"]);

/** The height a Rollup call is about (its `height` argument, or a unit proof's), if any. */
function heightArg(iface: Interface, data: string): { method?: string; height?: number; unit?: number } {
  try {
    const p = iface.parseTransaction({ data });
    if (!p) return {};
    const i = p.fragment.inputs.findIndex((x) => x.name === "height");
    if (i >= 0) return { method: p.name, height: Number(p.args[i] as bigint) };
    const first = p.args[0] as Result | undefined;
    if (p.fragment.inputs[0]?.components?.some((c) => c.name === "height") && first) {
      return { method: p.name, height: Number(first.getValue("height") as bigint), unit: Number(first.getValue("unit") as bigint) };
    }
    return { method: p.name };
  } catch {
    return {};
  }
}

/**
 * Reads a run's recorded L1 log (l1-log.json) for what the record needs beyond the figures (`RunL1Data`): heights
 * 1..`heights` only (a transaction or event about a later height is left out). `meta` is the run's run.json.
 */
export function l1DataFromLog(log: ReplayLog, meta: Pick<RunMeta, "names" | "deployment">, heights: number): RunL1Data {
  const iface = Rollup__factory.createInterface() as unknown as Interface;
  const rollup = lc(meta.deployment.rollup);
  const names = new Map(Object.entries(meta.names).map(([a, n]) => [lc(a), n]));
  const name = (a: string) => names.get(lc(a)) ?? lc(a);
  const out: RunL1Data = { gas: {}, blocks: [], submitted: [], refused: [], finalized: [], lateSettled: [], flows: [], stakeSlashes: [] };
  const fees = new Map<string, bigint>();
  const split = new Map<string, number>();
  const tips = new Map<string, bigint>();
  const inRange = (h: number) => h >= 1 && h <= heights;
  for (const b of log.blocks) {
    for (const t of b.txs) {
      if (t.to !== rollup) continue;
      let data = "0x";
      try {
        data = t.raw ? Transaction.from(t.raw).data : (t.request?.data ?? "0x");
      } catch {
        // unreadable bytes: counted as a call about no height
      }
      const a = heightArg(iface, data);
      if (a.method && SETUP_METHODS.has(a.method)) continue;
      if (a.height !== undefined && !inRange(a.height)) continue;
      out.gas[name(t.from)] = (out.gas[name(t.from)] ?? 0) + Number(t.gasUsed);
      if (t.status !== 1) {
        if ((a.method === "submitProof" || a.method === "submitUnitProof") && a.height !== undefined) {
          out.refused.push({ height: a.height, prover: name(t.from), ...(a.unit !== undefined ? { unit: a.unit } : {}), l1Block: b.number });
        }
        continue;
      }
      let missed: number | undefined;
      const reorgedOut: { height: number; sequencer: string }[] = [];
      for (const l of t.logs) {
        if (l.address !== rollup) continue;
        let ev;
        try {
          ev = iface.parseLog({ topics: l.topics, data: l.data });
        } catch {
          continue;
        }
        if (!ev) continue;
        const key = ev.fragment.inputs.find((i) => i.name === "height" || i.name === "missedHeight")?.name;
        if (!key) continue;
        const x = ev.args;
        const H = Number(x.getValue(key) as bigint);
        if (!inRange(H)) continue;
        switch (ev.name) {
          case "Proposed":
            split.set(`${H}:${lc(x.sequencer as string)}`, Number(x.feeSplitBps as bigint));
            break;
          case "Revealed": {
            // The pubdata is in the reveal's calldata (the log has its hash); the agents call the Rollup directly.
            const pubdata = revealOfCalldata(data, BigInt(H), x.pubdataHash as string)?.pubdata;
            if (pubdata === undefined) throw new CompareError("RUN_FAILED", `height ${H}: the reveal's pubdata is not in its transaction's calldata (${a.method ?? "unknown call"})`);
            let f = 0n;
            for (const s of decodePubdata(Uint8Array.from(Buffer.from(pubdata.slice(2), "hex")))) if (!isNoop(s)) f += s.fee;
            fees.set(`${H}:${lc(x.sequencer as string)}`, f);
            break;
          }
          case "ProverCommitted": {
            const tip = x.tip as bigint;
            tips.set(`${H}:${lc(x.sequencer as string)}`, tip);
            if (tip > 0n) out.flows.push({ actor: name(x.sequencer as string), height: H, amount: (-tip).toString(), what: "tip" });
            break;
          }
          case "ChainReorged":
            missed = H;
            break;
          case "HeightReorgedOut":
            reorgedOut.push({ height: H, sequencer: lc(x.sequencer as string) });
            break;
          case "ProofSubmitted":
            out.submitted.push({ height: H, submitter: name(x.submitter as string), late: x.late as boolean, l1Block: b.number });
            break;
          case "HeightFinalized":
            out.finalized.push({
              height: H, sequencer: name(x.sequencer as string), prover: name(x.prover as string), submitter: name(x.submitter as string),
              sequencerReward: (x.sequencerReward as bigint).toString(), proverReward: (x.proverReward as bigint).toString(), submissionReward: (x.submissionReward as bigint).toString(),
            });
            break;
          case "LateProofSettled":
            out.lateSettled.push({ height: H, rescuer: name(x.rescuer as string), toRescuer: (x.toRescuer as bigint).toString() });
            break;
          case "VrfClaimChallenged": {
            const amount = x.slashed as bigint;
            out.stakeSlashes.push({ height: H, sequencer: name(x.sequencer as string), amount: amount.toString() });
            out.flows.push({ actor: name(x.sequencer as string), height: H, amount: (-amount).toString(), what: "stakeSlash" });
            if (amount / 2n > 0n) out.flows.push({ actor: name(x.challenger as string), height: H, amount: (amount / 2n).toString(), what: "challengeReward" });
            break;
          }
        }
      }
      // A reorg's HeightReorgedOut of the missed height is its missed proposal: Sidecar gives its escrowed tip back.
      const missedSeq = reorgedOut.find((r) => r.height === missed)?.sequencer;
      const tip = missedSeq === undefined ? 0n : (tips.get(`${missed}:${missedSeq}`) ?? 0n);
      if (tip > 0n) out.flows.push({ actor: name(missedSeq!), height: missed!, amount: tip.toString(), what: "tipRefund" });
    }
  }
  for (const [k, f] of fees) {
    const [h, seq] = k.split(":");
    out.blocks.push({ height: Number(h), sequencer: name(seq!), fees: f.toString(), feeSplitBps: split.get(k) ?? 0 });
  }
  out.blocks.sort((x, y) => x.height - y.height || x.sequencer.localeCompare(y.sequencer));
  return out;
}

// ------------------------------------------------------------------------------------------------ the record

export interface RecordInput {
  spec: ComparisonSpec;
  variant: VariantSpec;
  seed: number;
  /** The scenario that ran (its provers' costs). */
  scenario: Scenario;
  figures: ScenarioFigures;
  l1: RunL1Data;
  /** Heights recorded: 1..heights (the figures may hold more). */
  heights: number;
  /** Wall-clock seconds of the run (default: the figures'). */
  wallSeconds?: number;
}

/**
 * A scenario run's figures as a comparison's `RunRecord`. What each field is in real mode:
 * - heights 1..H from the figures; `proposedAt` is the first block of the proposal phase (genesis + (h - 1) x period,
 *   as in sim mode); `fees` is the pot: the L2 fees of the winning revealed block, plus the block reward when the
 *   height finalized; `mev` the workload's mevPerBlock for a finalized height; `proverPaid` the pay of its proofs,
 *   `sequencerPaid` the sequencer's reward (HeightFinalized);
 * - proofs: Sidecar, each accepted ProofSubmitted ("paid" when its payee is the finalization's submitter: submission
 *   reward + the prover's reward if it is the prover paid + a late proof's deposit share); Cooperative, each accepted
 *   unit proof (late ones "rescue" with their UnitRescuePaid share, on-time ones in the unit's final paid set of a
 *   settled height "paid" with reward / (3 K) x (1 - FEE_BURN), others "unpaid"); both, refused proof transactions
 *   ("refused"). Proofs computed and never sent are not seen on L1: real mode has no "unsent";
 * - actors: gas of their Rollup transactions about heights 1..H; tokenDelta = rewards + refunds + bounties -
 *   deposits of the ledger (a slash is the part of a deposit or bond not refunded: already out with the deposit),
 *   plus the tips and stake slashes the ledger does not hold (`RunL1Data.flows`); provingCost = proofs x cost per proof
 *   (a self-proving sequencer at the cheapest prover's cost, as in sim mode);
 * - burnt: Sidecar, FEE_SPLIT of each finalized pot; Cooperative, the settled heights' burnt network reward and the
 *   late bonds' burnt part; both, half of a false VRF claim's stake slash;
 * - slashed: deposits and bonds slashed by a reorg or a late proof (ChainReorged, LateProofSettled: a rescued
 *   cooperative height's bond is in `burnt` and the rescuers' pay, as in sim mode) and stake slashes.
 */
export function recordFromFigures(o: RecordInput): RunRecord {
  const { spec, variant, figures: f, l1, heights: H } = o;
  const w = spec.workload;
  const coop = (f.design ?? "sidecar") === "cooperative";
  const p = f.params;
  const period = Number(p.proposalBlocks) + Number(p.revealBlocks) + Number(p.commitBlocks);
  const genesis = Number(p.genesisBlock);
  const blockReward = BigInt(p.blockReward ?? 0);
  const inRange = (h: number | undefined) => h === undefined || (h >= 1 && h <= H);
  const fin = new Map(l1.finalized.map((x) => [x.height, x]));
  const feesOf = (h: number, seq?: string) => l1.blocks.find((b) => b.height === h && b.sequencer === seq);
  const ledger = f.ledger.filter((e) => inRange(e.height));
  const figs = f.heights.filter((h) => h.height >= 1 && h.height <= H).sort((a, b) => a.height - b.height);
  const outcomeOf = new Map(figs.map((h) => [h.height, h.outcome]));

  // ---- proofs
  const proofs: ProofRecord[] = [];
  if (coop) {
    const c = f.cooperative;
    const K = BigInt(c?.units ?? 1);
    const settled = new Map((c?.settled ?? []).map((s) => [s.height, BigInt(s.networkReward)]));
    const accepted = (c?.accepted ?? []).filter((a) => inRange(a.height));
    // Which on-time proofs stayed in their unit's paid set: a later proof of the unit that displaced its payee ends it.
    const out = new Set<number>();
    accepted.forEach((a, i) => {
      if (!a.displaced) return;
      for (let j = i - 1; j >= 0; j--) {
        const b = accepted[j]!;
        if (b.height === a.height && b.unit === a.unit && b.payee === a.displaced && !b.late && !out.has(j)) {
          out.add(j);
          break;
        }
      }
    });
    for (const [i, a] of accepted.entries()) {
      let outcome: ProofRecord["outcome"] = "unpaid";
      let paid = 0n;
      if (a.late) {
        outcome = "rescue";
        // Every rescuer of a height is paid the same share (UnitRescuePaid): the payee's bounties there / its rescues.
        const mine = accepted.filter((b) => b.late && b.height === a.height && b.payee === a.payee).length;
        const bounty = sum(ledger.filter((e) => e.kind === "bounty" && e.height === a.height && e.actor === a.payee).map((e) => e.amount));
        if (outcomeOf.get(a.height) === "finalized") paid = bounty / BigInt(mine);
      } else if (settled.has(a.height) && !out.has(i)) {
        outcome = "paid";
        const perProof = settled.get(a.height)! / (K * 3n);
        paid = (perProof * (BPS - BigInt(a.feeBurnBps))) / BPS;
      }
      proofs.push({ prover: a.payee, height: a.height, unit: a.unit, l1Block: a.l1Block, outcome, paid: paid.toString() });
    }
  } else {
    for (const s of l1.submitted.filter((x) => inRange(x.height))) {
      const z = fin.get(s.height);
      let outcome: ProofRecord["outcome"] = "unpaid";
      let paid = 0n;
      if (z && z.submitter === s.submitter) {
        outcome = "paid";
        const late = l1.lateSettled.find((x) => x.height === s.height && x.rescuer === s.submitter);
        paid = BigInt(z.submissionReward) + (z.prover === s.submitter ? BigInt(z.proverReward) : 0n) + BigInt(late?.toRescuer ?? 0);
      }
      proofs.push({ prover: s.submitter, height: s.height, l1Block: s.l1Block, outcome, paid: paid.toString() });
    }
  }
  for (const r of l1.refused.filter((x) => inRange(x.height))) {
    proofs.push({ prover: r.prover, height: r.height, ...(r.unit !== undefined ? { unit: r.unit } : {}), l1Block: r.l1Block, outcome: "refused", paid: "0" });
  }
  proofs.sort((a, b) => a.l1Block - b.l1Block || a.height - b.height || (a.unit ?? 0) - (b.unit ?? 0) || a.prover.localeCompare(b.prover));

  // ---- heights
  const heights: HeightRecord[] = figs.map((h) => {
    const finalized = h.outcome === "finalized";
    const b = feesOf(h.height, h.sequencer);
    const l2Fees = BigInt(b?.fees ?? 0);
    const provedBy = coop ? (h.provers ?? []) : [...new Set(l1.submitted.filter((s) => s.height === h.height && fin.get(h.height)?.submitter === s.submitter).map((s) => s.submitter))];
    return {
      height: h.height, outcome: h.outcome, ...(h.sequencer !== undefined ? { sequencer: h.sequencer } : {}),
      provers: finalized ? provedBy : [], transfers: h.txs,
      fees: (l2Fees + (finalized ? blockReward : 0n)).toString(), mev: finalized ? w.mevPerBlock.toString() : "0",
      proverPaid: sum(proofs.filter((x) => x.height === h.height).map((x) => x.paid)).toString(),
      sequencerPaid: fin.get(h.height)?.sequencerReward ?? "0",
      proposedAt: genesis + (h.height - 1) * period,
      ...(h.finalizedAt !== undefined ? { finalizedAt: h.finalizedAt } : {}),
      ...(h.reorgedAt !== undefined ? { reorgedAt: h.reorgedAt } : {}),
    };
  });

  // ---- burnt and slashed
  let burnt = 0n;
  if (coop) {
    burnt += sum((f.cooperative?.settled ?? []).filter((s) => inRange(s.height)).map((s) => s.burnt));
    burnt += sum((f.cooperative?.bonds ?? []).filter((s) => inRange(s.height)).map((s) => s.burnt));
  } else {
    for (const h of heights.filter((x) => x.outcome === "finalized")) {
      const fsb = BigInt(Math.min(feesOf(h.height, h.sequencer)?.feeSplitBps ?? 0, Number(BPS)));
      burnt += (BigInt(h.fees) * fsb) / BPS;
    }
  }
  const stake = l1.stakeSlashes.filter((s) => inRange(s.height)).map((s) => BigInt(s.amount));
  burnt += sum(stake.map((x) => x - x / 2n));
  const bondSlashes = coop ? sum((f.cooperative?.bonds ?? []).filter((s) => inRange(s.height)).map((s) => BigInt(s.burnt) + BigInt(s.toRescuer))) : 0n;
  const slashed = sum(ledger.filter((e) => e.kind === "slash").map((e) => e.amount)) - bondSlashes + sum(stake);

  // ---- actors
  const costOf = new Map(o.scenario.provers.map((x) => [x.name, x.cost]));
  const cheapest = o.scenario.provers.reduce<bigint | undefined>((m, x) => (m === undefined || x.cost < m ? x.cost : m), undefined) ?? 0n;
  const actors: ActorRecord[] = f.actors.filter((a) => a.role === "sequencer" || a.role === "prover").map((a) => {
    const role = a.role as ActorRecord["role"];
    const mine = ledger.filter((e) => e.actor === a.name);
    const delta = sum(mine.filter((e) => e.kind === "reward" || e.kind === "refund" || e.kind === "bounty").map((e) => e.amount))
      - sum(mine.filter((e) => e.kind === "deposit").map((e) => e.amount))
      + sum(l1.flows.filter((x) => x.actor === a.name && inRange(x.height)).map((x) => x.amount));
    const made = BigInt(proofs.filter((x) => x.prover === a.name).length);
    const won = heights.filter((h) => h.outcome === "finalized" && h.sequencer === a.name).length;
    return {
      name: a.name, role, address: a.address, gasUsed: l1.gas[a.name] ?? 0, tokenDelta: delta.toString(),
      provingCost: (made * (role === "prover" ? (costOf.get(a.name) ?? 0n) : cheapest)).toString(),
      mev: role === "sequencer" ? (BigInt(won) * w.mevPerBlock).toString() : "0",
    };
  });

  return {
    mode: "real", design: variant.design, variant: variant.label, seed: o.seed, standIns: [], l1BlockSeconds: w.l1BlockSeconds,
    startBlock: Number.isFinite(genesis) ? genesis : f.startBlock, endBlock: f.endBlock, actors, heights, proofs,
    burnt: burnt.toString(), slashed: slashed.toString(),
    prices: { gasPriceWei: BigInt(Math.round(w.gasPriceGwei * 1e9)).toString(), tokensPerEthE18: (BigInt(Math.round(w.tokensPerEth * 1e6)) * 10n ** 12n).toString() },
    wallSeconds: o.wallSeconds ?? f.wallSeconds,
  };
}

// ------------------------------------------------------------------------------------------------ one run

export interface RealRunOptions {
  spec: ComparisonSpec;
  variant: VariantSpec;
  seed: number;
  /** The run's folder (report.md, figures.json, l1-log.json, run.json, and record.json: the RunRecord and notes). */
  outDir: string;
  progress?: (m: string) => void;
  /** Skip the contract compile (artifacts and types/ must exist). */
  noCompile?: boolean;
}

/** Notes every real-mode record carries. */
function modeNotes(spec: ComparisonSpec): string[] {
  return [
    `the devnet mines one L1 block every ${SCENARIO_DEFAULTS.blockTimeMs / 1000} s; latencies are measured in L1 blocks and converted with the workload's l1BlockSeconds (${spec.workload.l1BlockSeconds} s)`,
    "fees of a height are its pot: the block reward (finalized heights) + the L2 fees of its block",
    "gas: each actor's transactions to the Rollup about the recorded heights (set-up: token approvals, staking registration, fundBalance, not counted, as in sim mode)",
    "proofs computed but never sent are not seen on L1: real mode reports no \"unsent\" proof",
  ];
}

/** Runs one variant as a real scenario (agents, real proofs) into `outDir` and converts it to a RunRecord. */
export async function runRealVariant(o: RealRunOptions): Promise<{ run: RunRecord; notes: string[] }> {
  const { scenario, heights, notes } = realScenario(o.spec, o.variant, o.seed);
  const started = Date.now();
  const res = await runScenario({ scenario, outDir: o.outDir, progress: o.progress, noCompile: o.noCompile });
  if (!res.logPath) throw new CompareError("RUN_FAILED", `${o.variant.label}: the run wrote no l1-log.json`);
  const log = JSON.parse(readFileSync(res.logPath, "utf8")) as ReplayLog;
  const l1 = l1DataFromLog(log, res.meta, heights);
  const wallSeconds = Math.round((Date.now() - started) / 100) / 10;
  const run = recordFromFigures({ spec: o.spec, variant: o.variant, seed: o.seed, scenario, figures: res.figures, l1, heights, wallSeconds });
  const end = String(res.figures.params.endReason ?? "");
  const all = [...notes, ...modeNotes(o.spec), ...(end && !/settled/.test(end) ? [`the run ended early: ${end}`] : [])];
  writeFileSync(join(o.outDir, "record.json"), toJson({ run, notes: all }));
  return { run, notes: all };
}

