import { expect } from "chai";
import { designsFromRows, mergeRows, rowFromSummary, type L1GasPerHeightSection } from "../../bench/l1GasPerHeight.js";

// A devnet summary as scripts/devnet.ts writes it (only the fields the section reads).
const summary = (T: number, over: Record<string, unknown> = {}) => ({
  finalizedBlocks: 4,
  lastFinalizedHeight: 5,
  txsFinalized: 4 * T - 2,
  l1GasPerBlock: 1_000_000,
  l1GasPerFinalizedHeight: 800_000,
  l1GasByMethodPerHeight: { propose: { perHeight: 1.5, avgGas: 100_000 }, submitProof: { perHeight: 1, avgGas: 400_000 } },
  emptyHeightsPer100: 20,
  latencyL1Blocks: 17,
  reorgs: [{ missedHeight: 2 }],
  config: { T, D: 16, proofBatchSize: 4 },
  ...over,
});

describe("bench l1GasPerHeight (issue 13's section)", () => {
  it("reads a devnet summary: per-call gas per height, sorted, and gas per transfer at the run's fill and at full blocks", () => {
    const r = rowFromSummary(summary(8), "cmd", 1.5);
    expect(r.design).to.equal("sidecar");
    expect(r.perCall.map((c) => [c.method, c.gasPerHeight])).to.deep.equal([["submitProof", 400_000], ["propose", 150_000]]);
    expect(r.transfersPerHeight).to.equal(7.5);
    expect(r.gasPerTransfer).to.equal(Math.round(800_000 / 7.5));
    expect(r.gasPerTransferFullBlocks).to.equal(100_000);
    expect(r.reorgs).to.equal(1);
    expect(r.proposeThreshold).to.equal("default");
  });

  it("a new run replaces the row of the same design and size and clears that size's skip note", () => {
    const old: L1GasPerHeightSection = { rows: [rowFromSummary(summary(8), "old", 1)], skipped: [{ T: 2, D: 8, why: "x" }, { T: 32, D: 16, why: "not built" }] };
    const merged = mergeRows(old, { rows: [rowFromSummary(summary(8, { l1GasPerFinalizedHeight: 400_000 }), "new", 1), rowFromSummary(summary(2, { config: { T: 2, D: 8 } }), "t2", 1)], skipped: [] });
    expect(merged.rows.map((x) => [x.T, x.l1GasPerFinalizedHeight])).to.deep.equal([[2, 800_000], [8, 400_000]]);
    expect(merged.skipped).to.deep.equal([{ T: 32, D: 16, why: "not built" }]);
  });

  it("designs side by side: a Sidecar and a Cooperative run of the same size, provers' calls apart from the sequencers'", () => {
    const coop = summary(2, {
      config: { T: 2, D: 8, design: "cooperative", units: 2 },
      l1GasByMethodPerHeight: { propose: { perHeight: 1.5, avgGas: 100_000 }, submitUnitProof: { perHeight: 4, avgGas: 450_000 }, settleUnits: { perHeight: 1, avgGas: 110_000 } },
      l1GasPerFinalizedHeight: 2_060_000,
      cooperative: { paidProofsPerHeight: 4 },
    });
    const rows = [rowFromSummary(summary(2, { config: { T: 2, D: 8 } }), "s", 1), rowFromSummary(coop, "c", 1)];
    expect(rows[1]!.design).to.equal("cooperative");
    expect(rows[1]!.units).to.equal(2);
    expect(rows[1]!.cooperative).to.deep.equal({ paidProofsPerHeight: 4, proverGasPerHeight: 1_910_000 });
    const d = designsFromRows(rows) as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(d).sort()).to.deep.equal(["cooperative", "sidecar"]);
    expect(d.sidecar!["T=2"]!.proverGasPerHeight).to.equal(400_000);
    expect(d.sidecar!["T=2"]!.sequencerGasPerHeight).to.equal(400_000);
    expect(d.cooperative!["T=2"]!.proverGasPerHeight).to.equal(1_910_000);
    expect(d.cooperative!["T=2"]!.sequencerGasPerHeight).to.equal(150_000);
    expect(d.cooperative!["T=2"]!.paidProofsPerHeight).to.equal(4);
  });
});
