/**
 * Real mode of a comparison (src/compare/real.ts) without a devnet: the scenario each variant becomes, the conversion
 * of a run's figures into a RunRecord on hand-built figures (every number checked exactly), and the reading of a
 * hand-built L1 log. A real run is not part of the tests (minutes of proving); see the module's doc.
 */
import { expect } from "chai";
import { ZeroAddress, keccak256, type Interface } from "ethers";
import { Rollup__factory } from "../../types/ethers-contracts/index.js";
import { l1DataFromLog, pickSpread, realScenario, recordFromFigures, type RunL1Data } from "../../src/compare/real.js";
import { loadComparison, type ComparisonSpec } from "../../src/compare/spec.js";
import type { LedgerEntry, ScenarioFigures } from "../../src/scenario/figures.js";
import type { ReplayLog, ReplayTx } from "../../src/scenario/record.js";

const E18 = 10n ** 18n;
const E17 = 10n ** 17n;
const s = (x: bigint) => x.toString();

function heterogeneous(): ComparisonSpec {
  const spec = loadComparison("comparisons/heterogeneous.json");
  return { ...spec, workload: { ...spec.workload, mevPerBlock: 5n * E17 } };
}

function entry(actor: string, kind: LedgerEntry["kind"], amount: bigint, height: number, l1Block = 10 * height): LedgerEntry {
  return { l1Block, actor, kind, amount: s(amount), height };
}

function figures(extra: Partial<ScenarioFigures>): ScenarioFigures {
  return {
    scenario: "t", mode: "local", l1Url: "http://x", startBlock: 50, endBlock: 200, startedAt: "2025-01-01T00:00:00Z", wallSeconds: 77,
    params: { genesisBlock: 100, proposalBlocks: 3, revealBlocks: 3, commitBlocks: 3, blockReward: s(E18), submissionReward: s(E17) },
    actors: [
      { name: "seq-1", role: "sequencer", address: "0x01", strategy: "honest" },
      { name: "seq-2", role: "sequencer", address: "0x02", strategy: "honest" },
      { name: "fast", role: "prover", address: "0x03", strategy: "honest" },
      { name: "prover-1", role: "prover", address: "0x04", strategy: "honest" },
      { name: "deployer", role: "user", address: "0x05", strategy: "deploys" },
    ],
    heights: [], ledger: [], gasByPhase: {}, expectations: [], ...extra,
  };
}

const emptyL1 = (): RunL1Data => ({ gas: {}, blocks: [], submitted: [], refused: [], finalized: [], lateSettled: [], flows: [], stakeSlashes: [] });

describe("compare real mode", () => {
  describe("realScenario", () => {
    const spec = loadComparison("comparisons/heterogeneous.json");

    it("builds a valid small scenario for every variant of heterogeneous.json", () => {
      for (const v of spec.variants) {
        const { scenario: sc, heights, notes } = realScenario(spec, v);
        expect(sc.design, v.label).to.equal(v.design);
        expect(heights).to.equal(spec.real.heights);
        expect(sc.circuit).to.deep.equal({ T: spec.real.T, D: spec.real.D });
        expect(sc.sequencers.map((q) => q.name)).to.deep.equal(["seq-1", "seq-2"]);
        // The fast prover is in, next to one of the 49 others.
        expect(sc.provers.map((p) => p.name)).to.deep.equal(["fast", "prover-1"]);
        expect(sc.provers[0]!.cost).to.equal(5n * 10n ** 16n);
        expect(sc.provers[1]!.cost).to.equal(15n * 10n ** 16n);
        expect(sc.provers[0]!.price).to.equal(5n * E17);
        expect(sc.params.provingWindow).to.equal(20);
        expect(sc.params.lateWindow).to.equal(10);
        expect(sc.expect).to.deep.equal([]);
        expect(sc.stop.timeoutSeconds).to.be.at.least(600);
        expect(notes.some((n) => n.startsWith("prover speed is not modelled in real mode"))).to.equal(true);
        if (v.design === "cooperative") {
          expect(sc.circuit.T % sc.units!).to.equal(0);
          expect(sc.units).to.equal(2); // K = 4 asked, T = 2: the largest divisor of 2 not above 4
          expect(notes.some((n) => n.includes("K = 4") && n.includes("K = 2"))).to.equal(true);
          expect(sc.stop.heights).to.be.greaterThan(spec.real.heights); // runs on until the recorded heights are settled
          expect(sc.provers[0]!.rescue).to.equal(true);
        } else {
          expect(sc.units).to.equal(undefined);
          expect(sc.stop.heights).to.equal(spec.real.heights);
        }
      }
    });

    it("maps the deposit-0 variant's proverDeposit and the others' default; notes cheapest matching", () => {
      const byLabel = (l: string) => realScenario(spec, spec.variants.find((v) => v.label === l)!);
      expect(byLabel("sidecar/deposit-0").scenario.params.proverDeposit).to.equal(0n);
      expect(byLabel("sidecar").scenario.params.proverDeposit).to.be.greaterThan(0n);
      expect(byLabel("sidecar/cheapest").notes.some((n) => n.startsWith("matching not configurable in real mode"))).to.equal(true);
      expect(byLabel("sidecar").notes.some((n) => n.startsWith("matching"))).to.equal(false);
    });

    it("maps strategies, terms and offline windows of the chosen actors", () => {
      const base = loadComparison("comparisons/smoke.json");
      const spec2: ComparisonSpec = {
        ...base,
        workload: {
          ...base.workload,
          sequencers: [{ ...base.workload.sequencers[0]!, count: 1, strategy: "noReveal", feeSplitBps: 500n, proverTip: 2n * E18, offline: [{ from: 2, to: 3 }] }],
          provers: [
            { ...base.workload.provers[0]!, strategy: "withhold" },
            { ...base.workload.provers[1]!, feeBurnBps: 1500n, rescue: false },
          ],
        },
      };
      const coop = realScenario(spec2, base.variants.find((v) => v.design === "cooperative")!).scenario;
      expect(coop.sequencers).to.have.length(1);
      expect(coop.sequencers[0]!.feeSplitBps).to.equal(500n);
      expect(coop.sequencers[0]!.proverTip).to.equal(2n * E18);
      expect(coop.sequencers[0]!.strategies).to.deep.equal([{ kind: "noReveal", heights: undefined }, { kind: "offline", windows: [{ unit: "height", from: 2, to: 3 }] }]);
      expect(coop.provers[0]!.strategies).to.deep.equal([{ kind: "withhold", heights: undefined }]);
      expect(coop.provers[1]!.feeBurnBps).to.equal(1500);
      expect(coop.provers[1]!.rescue).to.equal(false);
      const side = realScenario(spec2, base.variants.find((v) => v.design === "sidecar")!).scenario;
      expect(side.provers[1]!.feeBurnBps).to.equal(undefined);
    });

    it("takes one prover of each group first", () => {
      const g = (name: string, count: number) => ({ name, count });
      expect(pickSpread([g("a", 3), g("b", 2), g("c", 1)], 4).map((x) => x.name)).to.deep.equal(["a-1", "b-1", "c", "a-2"]);
      expect(pickSpread([g("a", 3)], 2).map((x) => x.name)).to.deep.equal(["a-1", "a-2"]);
    });
  });

  describe("recordFromFigures", () => {
    it("converts a Sidecar run: heights, payments, proofs, deltas, burnt and slashed", () => {
      const spec = heterogeneous();
      const variant = spec.variants.find((v) => v.label === "sidecar")!;
      const { scenario } = realScenario(spec, variant);
      // Height 1: seq-1's block (fees 3000, FEE_SPLIT 10 %), proven by fast; height 2: seq-2's, prover-1 withheld
      // (reorged, its deposit slashed, seq-1 triggered it); height 3: seq-2's, proven by fast; height 4 beyond the record.
      const D = 100n * E18;
      const tip = E18;
      const pot1 = E18 + 3000n;
      const rest1 = pot1 - pot1 / 10n;
      const prov1 = tip + rest1 / 5n;
      const seq1 = rest1 - rest1 / 5n;
      const pot3 = E18 + 2000n;
      const rest3 = pot3 - pot3 / 10n;
      const prov3 = tip + rest3 / 5n;
      const seq3 = rest3 - rest3 / 5n;
      const f = figures({
        design: "sidecar",
        heights: [
          { height: 1, outcome: "finalized", sequencer: "seq-1", prover: "fast", txs: 2, proposedAt: 101, finalizedAt: 115 },
          { height: 2, outcome: "reorged", sequencer: "seq-2", prover: "prover-1", txs: 1, proposedAt: 110, reorgedAt: 140 },
          { height: 3, outcome: "finalized", sequencer: "seq-2", prover: "fast", txs: 2, proposedAt: 119, finalizedAt: 141 },
          { height: 4, outcome: "pending", sequencer: "seq-1", prover: "fast", txs: 2, proposedAt: 128 },
        ],
        ledger: [
          entry("fast", "deposit", D, 1), entry("prover-1", "deposit", D, 2), entry("fast", "deposit", D, 3), entry("fast", "deposit", D, 4),
          entry("seq-1", "reward", seq1, 1), entry("fast", "reward", prov1, 1), entry("fast", "reward", E17, 1), entry("fast", "refund", D, 1),
          entry("prover-1", "slash", D, 2), entry("seq-1", "bounty", 5n * E18, 2),
          entry("seq-2", "reward", seq3, 3), entry("fast", "reward", prov3, 3), entry("fast", "reward", E17, 3), entry("fast", "refund", D, 3),
        ],
      });
      const l1: RunL1Data = {
        ...emptyL1(),
        gas: { "seq-1": 500_000, "seq-2": 400_000, fast: 600_000, deployer: 9_000_000 },
        blocks: [
          { height: 1, sequencer: "seq-1", fees: "3000", feeSplitBps: 1000 },
          { height: 1, sequencer: "seq-2", fees: "7", feeSplitBps: 9000 }, // a loser's block: not this height's
          { height: 2, sequencer: "seq-2", fees: "1000", feeSplitBps: 500 },
          { height: 3, sequencer: "seq-2", fees: "2000", feeSplitBps: 1000 },
        ],
        submitted: [
          { height: 1, submitter: "fast", late: false, l1Block: 112 },
          { height: 3, submitter: "fast", late: false, l1Block: 131 },
        ],
        refused: [{ height: 2, prover: "prover-1", l1Block: 125 }],
        finalized: [
          { height: 1, sequencer: "seq-1", prover: "fast", submitter: "fast", sequencerReward: s(seq1), proverReward: s(prov1), submissionReward: s(E17) },
          { height: 3, sequencer: "seq-2", prover: "fast", submitter: "fast", sequencerReward: s(seq3), proverReward: s(prov3), submissionReward: s(E17) },
        ],
        flows: [
          { actor: "seq-1", height: 1, amount: s(-tip), what: "tip" },
          { actor: "seq-2", height: 2, amount: s(-tip), what: "tip" },
          { actor: "seq-2", height: 2, amount: s(tip), what: "tipRefund" },
          { actor: "seq-2", height: 3, amount: s(-tip), what: "tip" },
          { actor: "seq-1", height: 4, amount: s(-tip), what: "tip" },
        ],
      };
      const r = recordFromFigures({ spec, variant, seed: 7, scenario, figures: f, l1, heights: 3 });
      expect(r.mode).to.equal("real");
      expect(r.design).to.equal("sidecar");
      expect(r.variant).to.equal("sidecar");
      expect(r.seed).to.equal(7);
      expect(r.standIns).to.deep.equal([]);
      expect(r.l1BlockSeconds).to.equal(12);
      expect(r.startBlock).to.equal(100);
      expect(r.endBlock).to.equal(200);
      expect(r.wallSeconds).to.equal(77);
      expect(r.prices).to.deep.equal({ gasPriceWei: "10000000000", tokensPerEthE18: s(1000n * E18) });
      expect(r.heights).to.deep.equal([
        { height: 1, outcome: "finalized", sequencer: "seq-1", provers: ["fast"], transfers: 2, fees: s(pot1), mev: s(5n * E17), proverPaid: s(E17 + prov1), sequencerPaid: s(seq1), proposedAt: 100, finalizedAt: 115 },
        { height: 2, outcome: "reorged", sequencer: "seq-2", provers: [], transfers: 1, fees: "1000", mev: "0", proverPaid: "0", sequencerPaid: "0", proposedAt: 109, reorgedAt: 140 },
        { height: 3, outcome: "finalized", sequencer: "seq-2", provers: ["fast"], transfers: 2, fees: s(pot3), mev: s(5n * E17), proverPaid: s(E17 + prov3), sequencerPaid: s(seq3), proposedAt: 118, finalizedAt: 141 },
      ]);
      expect(r.proofs).to.deep.equal([
        { prover: "fast", height: 1, l1Block: 112, outcome: "paid", paid: s(E17 + prov1) },
        { prover: "prover-1", height: 2, l1Block: 125, outcome: "refused", paid: "0" },
        { prover: "fast", height: 3, l1Block: 131, outcome: "paid", paid: s(E17 + prov3) },
      ]);
      expect(r.burnt).to.equal(s(pot1 / 10n + pot3 / 10n));
      expect(r.slashed).to.equal(s(D));
      const a = Object.fromEntries(r.actors.map((x) => [x.name, x]));
      expect(Object.keys(a)).to.deep.equal(["seq-1", "seq-2", "fast", "prover-1"]);
      // seq-1: its reward and the reorg bounty, less its tip; seq-2: height 2's tip came back, height 3's went to fast.
      expect(a["seq-1"]!.tokenDelta).to.equal(s(seq1 + 5n * E18 - tip));
      expect(a["seq-2"]!.tokenDelta).to.equal(s(seq3 - tip));
      expect(a.fast!.tokenDelta).to.equal(s(prov1 + prov3 + 2n * E17));
      // The slashed deposit left with the deposit: not subtracted twice.
      expect(a["prover-1"]!.tokenDelta).to.equal(s(-D));
      expect(a["seq-1"]!.gasUsed).to.equal(500_000);
      expect(a["prover-1"]!.gasUsed).to.equal(0);
      expect(a.fast!.provingCost).to.equal(s(2n * 5n * 10n ** 16n));
      expect(a["prover-1"]!.provingCost).to.equal(s(15n * 10n ** 16n));
      expect(a["seq-1"]!.provingCost).to.equal("0");
      expect(a["seq-1"]!.mev).to.equal(s(5n * E17));
      expect(a["seq-2"]!.mev).to.equal(s(5n * E17));
      expect(a.fast!.mev).to.equal("0");
      expect(a.fast!.address).to.equal("0x03");
    });

    it("converts a Cooperative run: paid, displaced and rescued unit proofs, bonds", () => {
      const spec = heterogeneous();
      const variant = spec.variants.find((v) => v.design === "cooperative")!;
      const { scenario } = realScenario(spec, variant);
      const B = 100n * E18;
      const net = 6n * E17; // network reward of each height: 0.1 per paid proof (K = 2, 3 slots)
      const seqR = 54n * E17;
      const f = figures({
        design: "cooperative",
        params: { genesisBlock: 100, proposalBlocks: 3, revealBlocks: 3, commitBlocks: 3, blockReward: s(6n * E18), submissionReward: "0" },
        actors: [
          ...figures({}).actors.slice(0, 4),
          { name: "prover-2", role: "prover", address: "0x06", strategy: "honest" },
          { name: "prover-3", role: "prover", address: "0x07", strategy: "honest" },
        ],
        heights: [
          { height: 1, outcome: "finalized", sequencer: "seq-1", prover: "fast", provers: ["fast", "prover-1", "prover-2", "prover-3"], txs: 2, finalizedAt: 115 },
          { height: 2, outcome: "finalized", sequencer: "seq-2", prover: "prover-2", provers: ["prover-1", "prover-2"], txs: 0, finalizedAt: 140 },
          { height: 3, outcome: "pending", sequencer: "seq-1", provers: ["fast"], txs: 1 },
        ],
        ledger: [
          entry("seq-1", "deposit", B, 1), entry("seq-2", "deposit", B, 2), entry("seq-1", "deposit", B, 3),
          entry("seq-1", "reward", seqR, 1), entry("seq-1", "refund", B, 1),
          entry("seq-2", "reward", seqR, 2), entry("seq-2", "slash", B, 2), entry("prover-2", "bounty", 5n * 10n ** 16n, 2),
          entry("fast", "reward", E17, 1), entry("prover-2", "reward", E17, 1), entry("prover-3", "reward", E17, 1), entry("fast", "reward", E17, 1),
          entry("prover-1", "reward", 9n * 10n ** 16n, 2),
        ],
        cooperative: {
          units: 2,
          accepted: [
            { height: 1, unit: 0, payee: "fast", feeBurnBps: 0, late: false, l1Block: 112 },
            { height: 1, unit: 0, payee: "prover-1", feeBurnBps: 1000, late: false, l1Block: 112 },
            { height: 1, unit: 0, payee: "prover-2", feeBurnBps: 0, late: false, l1Block: 113 },
            { height: 1, unit: 1, payee: "fast", feeBurnBps: 0, late: false, l1Block: 113 },
            { height: 1, unit: 0, payee: "prover-3", feeBurnBps: 0, late: false, displaced: "prover-1", l1Block: 114 },
            { height: 2, unit: 0, payee: "prover-1", feeBurnBps: 1000, late: false, l1Block: 125 },
            { height: 2, unit: 1, payee: "prover-2", feeBurnBps: 0, late: true, l1Block: 140 },
            { height: 3, unit: 0, payee: "fast", feeBurnBps: 0, late: false, l1Block: 135 },
          ],
          provers: [],
          settled: [
            { height: 1, networkReward: s(net), paid: s(4n * E17), burnt: s(2n * E17), proofs: 4 },
            { height: 2, networkReward: s(net), paid: s(9n * 10n ** 16n), burnt: s(51n * 10n ** 16n), proofs: 1 },
          ],
          bonds: [
            { height: 1, sequencer: "seq-1", returned: s(B), toRescuer: "0", burnt: "0" },
            { height: 2, sequencer: "seq-2", returned: "0", rescuer: "prover-2", toRescuer: s(5n * 10n ** 16n), burnt: s(B - 5n * 10n ** 16n) },
          ],
        },
      });
      const l1: RunL1Data = {
        ...emptyL1(),
        blocks: [{ height: 1, sequencer: "seq-1", fees: "0", feeSplitBps: 1000 }],
        finalized: [
          { height: 1, sequencer: "seq-1", prover: ZeroAddress, submitter: "fast", sequencerReward: s(seqR), proverReward: s(net), submissionReward: "0" },
          { height: 2, sequencer: "seq-2", prover: ZeroAddress, submitter: "prover-2", sequencerReward: s(seqR), proverReward: s(net), submissionReward: "0" },
        ],
        refused: [{ height: 1, prover: "prover-1", unit: 1, l1Block: 116 }],
      };
      const r = recordFromFigures({ spec, variant, seed: 1, scenario, figures: f, l1, heights: 2, wallSeconds: 12.5 });
      const P = (prover: string, height: number, unit: number, l1Block: number, outcome: string, paid: bigint) => ({ prover, height, unit, l1Block, outcome, paid: s(paid) });
      expect(r.proofs).to.deep.equal([
        P("fast", 1, 0, 112, "paid", E17),
        P("prover-1", 1, 0, 112, "unpaid", 0n), // displaced by prover-3
        P("prover-2", 1, 0, 113, "paid", E17),
        P("fast", 1, 1, 113, "paid", E17),
        P("prover-3", 1, 0, 114, "paid", E17),
        P("prover-1", 1, 1, 116, "refused", 0n),
        P("prover-1", 2, 0, 125, "paid", 9n * 10n ** 16n), // FEE_BURN 10 %
        P("prover-2", 2, 1, 140, "rescue", 5n * 10n ** 16n),
      ]);
      expect(r.heights.map((h) => [h.height, h.outcome, h.provers, h.fees, h.proverPaid, h.sequencerPaid, h.proposedAt])).to.deep.equal([
        [1, "finalized", ["fast", "prover-1", "prover-2", "prover-3"], s(6n * E18), s(4n * E17), s(seqR), 100],
        [2, "finalized", ["prover-1", "prover-2"], s(6n * E18), s(14n * 10n ** 16n), s(seqR), 109],
      ]);
      expect(r.burnt).to.equal(s(2n * E17 + 51n * 10n ** 16n + B - 5n * 10n ** 16n));
      // The rescued height's bond is burnt and paid to its rescuer, not counted as slashed (as in sim mode).
      expect(r.slashed).to.equal("0");
      const a = Object.fromEntries(r.actors.map((x) => [x.name, x]));
      expect(a["seq-1"]!.tokenDelta).to.equal(s(seqR));
      expect(a["seq-2"]!.tokenDelta).to.equal(s(seqR - B));
      expect(a.fast!.tokenDelta).to.equal(s(2n * E17));
      expect(a["prover-1"]!.tokenDelta).to.equal(s(9n * 10n ** 16n));
      expect(a["prover-2"]!.tokenDelta).to.equal(s(E17 + 5n * 10n ** 16n));
      expect(a["prover-3"]!.tokenDelta).to.equal(s(E17));
      expect(a.fast!.provingCost).to.equal(s(2n * 5n * 10n ** 16n)); // height 3's proof is beyond the record
      expect(a["prover-1"]!.provingCost).to.equal(s(3n * 15n * 10n ** 16n)); // the refused one cost it too
      expect(a["prover-2"]!.provingCost).to.equal("0"); // not a scenario prover: no cost known
      expect(r.wallSeconds).to.equal(12.5);
    });
  });

  describe("l1DataFromLog", () => {
    it("reads gas, fees, proofs, finalizations and tips of the recorded heights", () => {
      const iface = Rollup__factory.createInterface() as unknown as Interface;
      const rollup = "0x00000000000000000000000000000000000000aa";
      const seq = "0x00000000000000000000000000000000000000b1";
      const prover = "0x00000000000000000000000000000000000000c1";
      const names = { [seq]: "seq-1", [prover]: "fast" };
      const ev = (name: string, args: unknown[]) => {
        const e = iface.encodeEventLog(name, args);
        return { address: rollup, topics: e.topics.map((t) => t.toLowerCase()), data: e.data.toLowerCase() };
      };
      const tx = (from: string, data: string, gasUsed: number, status: number, logs: ReturnType<typeof ev>[] = []): ReplayTx => ({
        hash: "0x", kind: "unsigned", request: { from, data }, source: "recorder", from, to: rollup, nonce: 0, index: 0, status,
        gasUsed: String(gasUsed), contractAddress: null, logs, logsDigest: "0x",
      });
      // Pubdata of T = 2: one transfer with fee 7, one no-op (slot: from u32 | to u32 | amount u64 | fee u32).
      const slot = (from: number, to: number, amount: bigint, fee: number) =>
        from.toString(16).padStart(8, "0") + to.toString(16).padStart(8, "0") + amount.toString(16).padStart(16, "0") + fee.toString(16).padStart(8, "0");
      const pubdata = "0x" + slot(1, 2, 100n, 7) + "0".repeat(40);
      const proof = Array(8).fill(0n);
      const vrf = [0n, 0n, 0n, 0n];
      const log: ReplayLog = {
        version: 1, chainId: 31337, startBlock: 0, startTimestamp: 0, endBlock: 3, upstream: "", recordedAt: "", rollup,
        blocks: [
          { number: 1, hash: "0x", timestamp: 0, prevRandao: "0x", baseFeePerGas: "0", gasUsed: "0", miner: "0x", txs: [
            tx(seq, iface.encodeFunctionData("fundBalance", [1n]), 50_000, 1),
            tx(seq, iface.encodeFunctionData("propose", [1n, vrf, "0x" + "11".repeat(32), 1000, E18, 2000, 5n]), 100_000, 1,
              [ev("Proposed", [1n, seq, 9n, 1000n, E18, 2000n])]),
          ] },
          { number: 2, hash: "0x", timestamp: 0, prevRandao: "0x", baseFeePerGas: "0", gasUsed: "0", miner: "0x", txs: [
            tx(seq, iface.encodeFunctionData("reveal", [1n, 0n, 5n, pubdata, "0x" + "22".repeat(32), "0x" + "33".repeat(64)]), 80_000, 1,
              [ev("Revealed", [1n, seq, 0n, 5n, keccak256(pubdata)])]),
            tx(seq, iface.encodeFunctionData("commitProver", [1n, prover, "0x", vrf]), 70_000, 1,
              [ev("ProverCommitted", [1n, seq, prover, prover, 100n * E18, E18, 5n, true])]),
            tx(seq, iface.encodeFunctionData("propose", [9n, vrf, "0x" + "11".repeat(32), 1000, E18, 2000, 5n]), 100_000, 1,
              [ev("Proposed", [9n, seq, 9n, 1000n, E18, 2000n])]),
          ] },
          { number: 3, hash: "0x", timestamp: 0, prevRandao: "0x", baseFeePerGas: "0", gasUsed: "0", miner: "0x", txs: [
            tx(prover, iface.encodeFunctionData("submitProof", [1n, proof, pubdata, prover]), 300_000, 1,
              [ev("ProofSubmitted", [1n, prover, false]), ev("HeightFinalized", [1n, seq, prover, prover, 3n, 4n, 5n])]),
            tx(prover, iface.encodeFunctionData("submitProof", [1n, proof, pubdata, prover]), 30_000, 0),
          ] },
        ],
        controls: [], refused: [], unmined: [], pinned: { randomness: [] }, final: { block: 3, accounts: [], views: [] }, warnings: [],
      };
      const d = l1DataFromLog(log, { names, deployment: { rollup, staking: "", token: "", verifier: "", deployBlock: 0, genesisBlock: 0 } }, 4);
      // fundBalance is set-up, height 9 is beyond the record; the refused proof's gas counts.
      expect(d.gas).to.deep.equal({ "seq-1": 100_000 + 80_000 + 70_000, fast: 330_000 });
      expect(d.blocks).to.deep.equal([{ height: 1, sequencer: "seq-1", fees: "7", feeSplitBps: 1000 }]);
      expect(d.submitted).to.deep.equal([{ height: 1, submitter: "fast", late: false, l1Block: 3 }]);
      expect(d.refused).to.deep.equal([{ height: 1, prover: "fast", l1Block: 3 }]);
      expect(d.finalized).to.deep.equal([{ height: 1, sequencer: "seq-1", prover: "fast", submitter: "fast", sequencerReward: "3", proverReward: "4", submissionReward: "5" }]);
      expect(d.flows).to.deep.equal([{ actor: "seq-1", height: 1, amount: s(-E18), what: "tip" }]);
    });
  });
});
