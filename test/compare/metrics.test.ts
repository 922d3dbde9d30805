/** The comparison's metrics (src/compare/metrics.ts) on hand-built run records: every figure checked exactly. */
import { expect } from "chai";
import type { ActorRecord, HeightOutcome, HeightRecord, ProofOutcome, ProofRecord, RunRecord } from "../../src/compare/types.js";
import { HEADLINE } from "../../src/compare/types.js";
import { concentration, meanCi, meanCiOrNull, runMetrics, SampleError, summarize, t95, tokens } from "../../src/compare/metrics.js";

/**
 * |actual - expected| <= eps for floats. (chai's closeTo is replaced by Hardhat's chai matchers once any test file
 * loads them, and theirs takes integers only: in one mocha process with the contract tests it throws.)
 */
function near(actual: number, expected: number, eps: number): void {
  expect(Math.abs(actual - expected) <= eps, `expected ${actual} to be within ${eps} of ${expected}`).to.equal(true);
}


const E18 = 10n ** 18n;
/** Tokens (may have up to 2 decimals) as a token-wei decimal string. */
const wei = (t: number) => ((BigInt(Math.round(t * 100)) * E18) / 100n).toString();

function height(h: number, outcome: HeightOutcome, extra: Partial<HeightRecord> = {}): HeightRecord {
  return {
    height: h, outcome, provers: [], transfers: 0, fees: "0", mev: "0", proverPaid: "0", sequencerPaid: "0",
    proposedAt: 10 * h, ...(outcome === "finalized" ? { finalizedAt: 10 * h + 5 } : {}), ...extra,
  };
}

function proof(prover: string, h: number, outcome: ProofOutcome, paidTokens = 0): ProofRecord {
  return { prover, height: h, l1Block: 10 * h + 3, outcome, paid: wei(paidTokens) };
}

function actor(name: string, role: ActorRecord["role"], extra: Partial<ActorRecord> = {}): ActorRecord {
  return { name, role, address: "0x" + name, gasUsed: 0, tokenDelta: "0", provingCost: "0", mev: "0", ...extra };
}

function run(extra: Partial<RunRecord> = {}): RunRecord {
  return {
    mode: "sim", design: "sidecar", variant: "sidecar", seed: 1, standIns: [], l1BlockSeconds: 12,
    startBlock: 0, endBlock: 100, actors: [], heights: [], proofs: [], burnt: "0", slashed: "0",
    prices: { gasPriceWei: "1000000000", tokensPerEthE18: (1000n * E18).toString() }, wallSeconds: 1, ...extra,
  };
}

describe("compare metrics", () => {
  describe("concentration", () => {
    it("HHI is the sum of squared shares", () => {
      const c = concentration({ a: 50, b: 30, c: 20 });
      near(c.hhi, 0.38, 1e-12);
      expect(c.topShare).to.equal(0.5);
      expect(c.top).to.equal("a");
      expect(c.active).to.equal(3);
      expect(concentration({ solo: 7 }).hhi).to.equal(1);
    });

    it("Nakamoto coefficient needs strictly more than one half", () => {
      expect(concentration({ a: 0.5, b: 0.3, c: 0.2 }).nakamoto).to.equal(2);
      expect(concentration(new Map([["a", 0.6], ["b", 0.4]])).nakamoto).to.equal(1);
      expect(concentration({ a: 1, b: 1, c: 1, d: 1 }).nakamoto).to.equal(3);
      expect(concentration({ a: 0.1, b: 0.1, c: 0.1, d: 0.1 }).nakamoto).to.equal(3);
    });

    it("empty and all-zero weights give zeros and no top", () => {
      expect(concentration({})).to.deep.equal({ topShare: 0, hhi: 0, nakamoto: 0, active: 0 });
      expect(concentration({ a: 0, b: 0 })).to.deep.equal({ topShare: 0, hhi: 0, nakamoto: 0, active: 0 });
    });

    it("breaks ties by name and ignores zero weights", () => {
      const c = concentration({ zed: 2, amy: 2, nil: 0 });
      expect(c.top).to.equal("amy");
      expect(c.active).to.equal(2);
      expect(c.topShare).to.equal(0.5);
      expect(c.nakamoto).to.equal(2);
      expect(c.hhi).to.equal(0.5);
    });
  });

  it("tokens converts token wei, negatives and fractions included", () => {
    expect(tokens("1500000000000000000")).to.equal(1.5);
    expect(tokens(-1500000000000000000n)).to.equal(-1.5);
    expect(tokens("0")).to.equal(0);
    expect(tokens((123n * E18 + 25n * 10n ** 16n).toString())).to.equal(123.25);
  });

  describe("runMetrics", () => {
    it("liveness: counts and the longest stall over heights sorted by height", () => {
      // 1 F, 2 R, 3 S, 4 F, 5 R, 6 S, 7 P, 8 F -> the stall 5..7 is 3 long (in record order no run is longer than 2).
      const r = run({
        heights: [
          height(1, "finalized"), height(5, "reorged"), height(2, "reorged"), height(8, "finalized"),
          height(6, "skipped"), height(3, "skipped"), height(4, "finalized"), height(7, "pending"),
        ],
      });
      const m = runMetrics(r);
      expect(m.liveness).to.deep.equal({ heights: 8, finalized: 3, finalizedShare: 3 / 8, reorged: 2, skipped: 2, longestStall: 3 });
      expect(runMetrics(run({ heights: [height(1, "finalized"), height(2, "finalized")] })).liveness.longestStall).to.equal(0);
      expect(runMetrics(run({ heights: [height(1, "skipped"), height(2, "pending")] })).liveness.longestStall).to.equal(2);
    });

    it("gas per finalized height and per transfer of finalized heights", () => {
      const m = runMetrics(run({
        actors: [actor("seq-1", "sequencer", { gasUsed: 100_000 }), actor("prover-1", "prover", { gasUsed: 300_000 })],
        heights: [height(1, "finalized", { transfers: 3 }), height(2, "reorged", { transfers: 100 }), height(3, "finalized", { transfers: 5 })],
      }));
      expect(m.gas).to.deep.equal({ total: 400_000, perFinalizedHeight: 200_000, perTransfer: 50_000 });
    });

    it("gas per finalized height and per transfer are null when nothing finalized", () => {
      const m = runMetrics(run({
        actors: [actor("seq-1", "sequencer", { gasUsed: 100_000 })],
        heights: [height(1, "reorged", { transfers: 4 }), height(2, "skipped")],
      }));
      expect(m.gas).to.deep.equal({ total: 100_000, perFinalizedHeight: null, perTransfer: null });
      expect(m.latency).to.deep.equal({ medianL1Blocks: null, meanL1Blocks: null, p90L1Blocks: null, medianSeconds: null });
      // Finalized heights without transfers: per height measured, per transfer null.
      const n = runMetrics(run({ actors: [actor("s", "sequencer", { gasUsed: 90 })], heights: [height(1, "finalized")] }));
      expect(n.gas).to.deep.equal({ total: 90, perFinalizedHeight: 90, perTransfer: null });
    });

    it("latency: median, mean, nearest-rank p90 over finalized heights, seconds from the L1 block time", () => {
      const m = runMetrics(run({
        l1BlockSeconds: 12,
        heights: [
          height(1, "finalized", { proposedAt: 10, finalizedAt: 14 }), // 4
          height(2, "finalized", { proposedAt: 20, finalizedAt: 30 }), // 10
          height(3, "reorged", { proposedAt: 30, reorgedAt: 130 }), // not counted
          height(4, "finalized", { proposedAt: 40, finalizedAt: 46 }), // 6
          height(5, "finalized", { proposedAt: 50, finalizedAt: 70 }), // 20
        ],
      }));
      expect(m.latency).to.deep.equal({ medianL1Blocks: 8, meanL1Blocks: 10, p90L1Blocks: 20, medianSeconds: 96 });
      const odd = runMetrics(run({ l1BlockSeconds: 2, heights: [height(1, "finalized", { proposedAt: 1, finalizedAt: 4 }), height(2, "finalized", { proposedAt: 1, finalizedAt: 10 }), height(3, "finalized", { proposedAt: 1, finalizedAt: 6 })] }));
      expect(odd.latency).to.deep.equal({ medianL1Blocks: 5, meanL1Blocks: 17 / 3, p90L1Blocks: 9, medianSeconds: 10 });
      // Latencies 1..10: nearest-rank p90 is the 9th value.
      const ten = runMetrics(run({ l1BlockSeconds: 1, heights: Array.from({ length: 10 }, (_, i) => height(i + 1, "finalized", { proposedAt: 100, finalizedAt: 100 + 10 - i })) }));
      expect(ten.latency).to.deep.equal({ medianL1Blocks: 5.5, meanL1Blocks: 5.5, p90L1Blocks: 9, medianSeconds: 5.5 });
    });

    it("payments: to provers and sequencers over all heights, block value over finalized heights", () => {
      const m = runMetrics(run({
        burnt: wei(4.5), slashed: wei(95),
        heights: [
          height(1, "finalized", { fees: wei(3), mev: wei(1), proverPaid: wei(2), sequencerPaid: wei(9) }),
          height(2, "reorged", { fees: wei(50), mev: wei(50), proverPaid: wei(0.5), sequencerPaid: "0" }),
          height(3, "finalized", { fees: wei(4), mev: wei(2), proverPaid: wei(2.5), sequencerPaid: wei(8.5) }),
        ],
      }));
      expect(m.payments).to.deep.equal({ toProvers: 5, toSequencers: 17.5, burnt: 4.5, slashed: 95, blockValue: 10, proverShareOfValue: 0.5 });
      const none = runMetrics(run({ heights: [height(1, "skipped", { fees: wei(3) })] }));
      expect(none.payments.blockValue).to.equal(0);
      expect(none.payments.proverShareOfValue).to.equal(null);
    });

    it("wasted proofs: refused, unsent and accepted-but-unpaid", () => {
      const m = runMetrics(run({
        proofs: [
          proof("a", 1, "paid", 2), proof("b", 1, "refused"), proof("c", 1, "unsent"), proof("a", 2, "paid", 2),
          proof("b", 2, "unpaid"), proof("c", 3, "rescue", 1), proof("b", 3, "refused"),
        ],
      }));
      expect(m.proofs).to.deep.equal({ made: 7, paid: 2, rescues: 1, wasted: 4, wastedShare: 4 / 7 });
      expect(runMetrics(run()).proofs).to.deep.equal({ made: 0, paid: 0, rescues: 0, wasted: 0, wastedShare: null });
    });

    it("net profit: token delta + MEV - gas x price x token rate - proving cost", () => {
      const m = runMetrics(run({
        // 2 gwei per gas, 3000 tokens per ETH: 1,000,000 gas = 0.002 ETH = 6 tokens.
        prices: { gasPriceWei: "2000000000", tokensPerEthE18: (3000n * E18).toString() },
        actors: [
          actor("seq-1", "sequencer", { gasUsed: 1_000_000, tokenDelta: wei(10.5), mev: wei(2), provingCost: wei(1.25) }),
          actor("prover-1", "prover", { gasUsed: 1_000_000, tokenDelta: wei(-3) }),
          actor("prover-2", "prover", { gasUsed: 1, tokenDelta: "0" }), // 6e-6 tokens of gas
        ],
      }));
      expect(m.profit).to.deep.equal([
        { name: "seq-1", role: "sequencer", profit: 5.25, gasCost: 6, provingCost: 1.25, received: 12.5 },
        { name: "prover-1", role: "prover", profit: -9, gasCost: 6, provingCost: 0, received: -3 },
        { name: "prover-2", role: "prover", profit: -0.000006, gasCost: 0.000006, provingCost: 0, received: 0 },
      ]);
    });

    it("concentration over the run: payments of paid and rescue proofs per prover", () => {
      const m = runMetrics(run({
        proofs: [
          proof("a", 1, "paid", 3), proof("b", 2, "paid", 1), proof("c", 3, "rescue", 1), proof("b", 3, "unpaid"),
          proof("d", 4, "refused"), proof("a", 5, "paid", 0),
        ],
      }));
      expect(m.concentration.top).to.equal("a");
      expect(m.concentration.topShare).to.equal(0.6);
      near(m.concentration.hhi, 0.36 + 0.04 + 0.04, 1e-12);
      expect(m.concentration.nakamoto).to.equal(1);
      expect(m.concentration.active).to.equal(3);
    });

    it("concentration falls back to counting accepted proofs when no prover was paid", () => {
      const m = runMetrics(run({
        proofs: [proof("a", 1, "unpaid"), proof("b", 1, "unpaid"), proof("b", 2, "rescue", 0), proof("c", 2, "refused"), proof("c", 3, "unsent")],
      }));
      expect(m.concentration.top).to.equal("b");
      expect(m.concentration.basis).to.equal("proofs");
      near(m.concentration.topShare, 2 / 3, 1e-12);
      expect(m.concentration.active).to.equal(2);
      expect(m.concentration.nakamoto).to.equal(1);
      near(m.concentration.hhi, 5 / 9, 1e-12);
    });

    it("concentration over time: the top prover switches when B takes over from A", () => {
      const heights: HeightRecord[] = [];
      const proofs: ProofRecord[] = [];
      for (let h = 1; h <= 20; h++) {
        heights.push(height(h, "finalized"));
        proofs.push(proof(h <= 10 ? "A" : "B", h, "paid", 1));
        proofs.push(proof(h <= 10 ? "B" : "A", h, "refused"));
      }
      const r = run({ heights, proofs });
      const m = runMetrics(r, { windowHeights: 5 });
      expect(m.concentrationOverTime.map((p) => [p.fromHeight, p.toHeight, p.top, p.topShare, p.hhi, p.nakamoto, p.active])).to.deep.equal([
        [1, 6, "A", 1, 1, 1, 1], [6, 11, "A", 1, 1, 1, 1], [11, 16, "B", 1, 1, 1, 1], [16, 21, "B", 1, 1, 1, 1],
      ]);
      expect(m.concentration).to.deep.equal({ topShare: 0.5, top: "A", hhi: 0.5, nakamoto: 2, active: 2, basis: "payments" });
      // Default window: max(10, ceil(20 / 20)) = 10 heights.
      expect(runMetrics(r).concentrationOverTime.map((p) => [p.fromHeight, p.toHeight, p.top])).to.deep.equal([[1, 11, "A"], [11, 21, "B"]]);
      // A window that does not divide the heights: the last one is shorter; a window with a mix has both.
      expect(runMetrics(r, { windowHeights: 8 }).concentrationOverTime.map((p) => [p.fromHeight, p.toHeight, p.top, p.topShare])).to.deep.equal([
        [1, 9, "A", 1], [9, 17, "B", 6 / 8], [17, 21, "B", 1],
      ]);
      expect(() => runMetrics(r, { windowHeights: 0 })).to.throw(RangeError);
      expect(runMetrics(run()).concentrationOverTime).to.deep.equal([]);
    });

    it("copies the run's identity", () => {
      const m = runMetrics(run({ variant: "cooperative/K=2", design: "cooperative", seed: 7 }));
      expect([m.variant, m.design, m.seed]).to.deep.equal(["cooperative/K=2", "cooperative", 7]);
    });
  });

  describe("meanCi", () => {
    it("mean +- t(n-1) x s / sqrt(n)", () => {
      const e = meanCi([1, 2, 3]);
      expect(e.mean).to.equal(2);
      expect(e.n).to.equal(3);
      near(e.ci95[0], 2 - 4.303 / Math.sqrt(3), 1e-12);
      near(e.ci95[1], 2 + 4.303 / Math.sqrt(3), 1e-12);
      // Two values 0 and 2: mean 1, s = sqrt(2), half = 12.706 x sqrt(2) / sqrt(2).
      const two = meanCi([0, 2]);
      near(two.ci95[0], 1 - 12.706, 1e-12);
      near(two.ci95[1], 1 + 12.706, 1e-12);
    });

    it("one value gives [mean, mean]; no values throw (meanCiOrNull: null)", () => {
      expect(meanCi([4.5])).to.deep.equal({ mean: 4.5, ci95: [4.5, 4.5], n: 1 });
      expect(() => meanCi([])).to.throw(SampleError);
      expect(() => meanCi([1, NaN])).to.throw(SampleError);
      expect(meanCiOrNull([])).to.equal(null);
      expect(meanCiOrNull([3])).to.deep.equal({ mean: 3, ci95: [3, 3], n: 1 });
    });

    it("t critical values: the table to 30 degrees of freedom, 1.96 beyond", () => {
      expect([t95(1), t95(2), t95(10), t95(30), t95(31), t95(1000)]).to.deep.equal([12.706, 4.303, 2.228, 2.042, 1.96, 1.96]);
      // 40 values alternating 0 and 2: mean 1, s^2 = 40 / 39, half = 1.96 x s / sqrt(40).
      const xs = Array.from({ length: 40 }, (_, i) => (i % 2) * 2);
      const e = meanCi(xs);
      near(e.ci95[1] - e.mean, (1.96 * Math.sqrt(40 / 39)) / Math.sqrt(40), 1e-12);
    });
  });

  describe("summarize", () => {
    const finalizedRun = (seed: number, gas: number) => run({
      seed,
      actors: [
        actor("seq-1", "sequencer", { gasUsed: gas, tokenDelta: wei(seed) }), actor("seq-2", "sequencer", { tokenDelta: wei(3 * seed) }),
        actor("p-1", "prover", { tokenDelta: wei(1) }), actor("p-2", "prover", { tokenDelta: wei(2) }), actor("p-3", "prover", { tokenDelta: wei(10) }),
      ],
      heights: [height(1, "finalized", { transfers: 2, fees: wei(1), proverPaid: wei(0.5) }), height(2, "skipped")],
      proofs: [proof("p-1", 1, "paid", 0.5)],
    });
    const stalledRun = run({ seed: 9, heights: [height(1, "skipped"), height(2, "reorged")] });

    it("skips the runs without a value and gives null when no run has one", () => {
      const s = summarize([runMetrics(stalledRun)]);
      expect(Object.keys(s)).to.deep.equal(HEADLINE.map((h) => h.key));
      for (const k of ["gasPerFinalizedHeight", "gasPerTransfer", "latencyMedianL1Blocks", "proverShareOfValue", "wastedShare", "proverProfitMedian", "sequencerProfitMedian"] as const) {
        expect(s[k], k).to.equal(null);
      }
      expect(s.finalizedShare).to.deep.equal({ mean: 0, ci95: [0, 0], n: 1 });
      expect(s.longestStall).to.deep.equal({ mean: 2, ci95: [2, 2], n: 1 });
      expect(s.nakamoto).to.deep.equal({ mean: 0, ci95: [0, 0], n: 1 });
      const all = summarize([]);
      for (const { key } of HEADLINE) expect(all[key], key).to.equal(null);
    });

    it("per-seed values: means, intervals and the median profits per role", () => {
      const s = summarize([runMetrics(finalizedRun(1, 1000)), runMetrics(stalledRun), runMetrics(finalizedRun(3, 3000))]);
      // Finalized shares 0.5, 0, 0.5: mean 1/3, s = sqrt(1/12), half = 4.303 x sqrt(1/12) / sqrt(3) = 4.303 / 6.
      near(s.finalizedShare!.mean, 1 / 3, 1e-12);
      expect(s.finalizedShare!.n).to.equal(3);
      near(s.finalizedShare!.ci95[0], 1 / 3 - 4.303 / 6, 1e-12);
      near(s.finalizedShare!.ci95[1], 1 / 3 + 4.303 / 6, 1e-12);
      // Gas per finalized height: 1000 and 3000 (the stalled run has none): mean 2000, s = sqrt(2) x 1000.
      expect(s.gasPerFinalizedHeight!.n).to.equal(2);
      expect(s.gasPerFinalizedHeight!.mean).to.equal(2000);
      near(s.gasPerFinalizedHeight!.ci95[1], 2000 + (12.706 * Math.SQRT2 * 1000) / Math.SQRT2, 1e-9);
      expect(s.gasPerTransfer).to.include({ mean: 1000, n: 2 });
      expect(s.latencyMedianL1Blocks).to.deep.equal({ mean: 5, ci95: [5, 5], n: 2 });
      expect(s.proverShareOfValue).to.deep.equal({ mean: 0.5, ci95: [0.5, 0.5], n: 2 });
      expect(s.wastedShare).to.deep.equal({ mean: 0, ci95: [0, 0], n: 2 });
      // Top shares 1, 0, 1: mean 2/3, s = sqrt(1/3), half = 4.303 / 3.
      near(s.topShare!.mean, 2 / 3, 1e-12);
      expect(s.topShare!.n).to.equal(3);
      near(s.topShare!.ci95[0], 2 / 3 - 4.303 / 3, 1e-12);
      near(s.topShare!.ci95[1], 2 / 3 + 4.303 / 3, 1e-12);
      // Provers' profits 1, 2, 10 (no gas): median 2 in both finalized runs; the stalled run has no actors.
      expect(s.proverProfitMedian).to.deep.equal({ mean: 2, ci95: [2, 2], n: 2 });
      // Sequencers: seed 1 -> (1 - gas 1000 x 1 gwei x 1000 tokens/ETH = 0.001) and 3: median (0.999 + 3) / 2;
      // seed 3 -> (3 - 0.003) and 9: median 5.9985.
      expect(s.sequencerProfitMedian!.n).to.equal(2);
      near(s.sequencerProfitMedian!.mean, ((0.999 + 3) / 2 + (2.997 + 9) / 2) / 2, 1e-12);
    });
  });
});
