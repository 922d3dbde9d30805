/** The cooperative prover's pure decisions (src/agents/decisions/cooperative.ts): every branch. */
import { expect } from "chai";
import {
  chooseFeeBurn, heightRetireDecision, placeChance, rescueDecision, scoreFor, unitProveDecision, unitRefusal, unitSettleDecision, unitSubmitDecision,
  type UnitView,
} from "../../src/agents/decisions/cooperative.js";
import { HeightStatus } from "../../src/client/index.js";
import { placeInUnit, unitScore, type UnitEntry } from "../../src/cooperative.js";

/**
 * |actual - expected| <= eps for floats. (chai's closeTo is replaced by Hardhat's chai matchers once any test file
 * loads them, and theirs takes integers only: in one mocha process with the contract tests it throws.)
 */
function near(actual: number, expected: number, eps: number): void {
  expect(Math.abs(actual - expected) <= eps, `expected ${actual} to be within ${eps} of ${expected}`).to.equal(true);
}


const ME = "0x00000000000000000000000000000000000000aa";
const A = "0x00000000000000000000000000000000000000a1";
const B = "0x00000000000000000000000000000000000000b2";
const C = "0x00000000000000000000000000000000000000c3";

/** A VRF output whose score base (top 224 bits) is `base`. */
const outputOf = (base: bigint) => base << 32n;
const entry = (payee: string, score: bigint, feeBurnBps = 0n): UnitEntry => ({ payee, score, feeBurnBps });

function view(p: Partial<UnitView> = {}): UnitView {
  return {
    me: ME, next: 100n, provingDeadline: 140n, lateDeadline: 150n, close: 140n, status: HeightStatus.Pending, unitProven: false,
    entries: [], holdsSlot: false, myScore: 1_000n, provingTimeL1Blocks: 4n, rescue: true, ...p,
  };
}

describe("agents/decisions/cooperative", () => {
  describe("chooseFeeBurn", () => {
    const full = [entry(A, 30_000n * 10_000n), entry(B, 20_000n * 12_000n), entry(C, 25_000n * 10_000n)]; // lowest 240_000_000

    it("fixed: the configured FEE_BURN whatever the entries", () => {
      expect(chooseFeeBurn({ strategy: "fixed", feeBurnBps: 0n, vrfOutput: outputOf(1n), entries: full })).to.deep.equal({ feeBurnBps: 0n });
      expect(chooseFeeBurn({ strategy: "fixed", feeBurnBps: 2_500n, vrfOutput: outputOf(1n), entries: [] })).to.deep.equal({ feeBurnBps: 2_500n });
    });

    it("min-to-displace: 0 while a slot is free", () => {
      expect(chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 9_000n, vrfOutput: outputOf(1n), entries: full.slice(0, 2) })).to.deep.equal({ feeBurnBps: 0n });
      expect(chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 9_000n, vrfOutput: 0n, entries: [] })).to.deep.equal({ feeBurnBps: 0n });
    });

    it("min-to-displace: 0 when the plain score already beats the lowest", () => {
      const c = chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 0n, vrfOutput: outputOf(24_001n), entries: full });
      expect(c).to.deep.equal({ feeBurnBps: 0n });
    });

    it("min-to-displace: the least FEE_BURN that strictly beats the lowest (one less does not)", () => {
      for (const base of [12_345n, 20_000n, 23_999n, 24_000n, 13_000n]) {
        const c = chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 0n, vrfOutput: outputOf(base), entries: full });
        expect(c).to.have.property("feeBurnBps");
        const f = (c as { feeBurnBps: bigint }).feeBurnBps;
        expect(f >= 0n && f <= 10_000n).to.equal(true);
        const lowest = 240_000_000n;
        expect(unitScore(outputOf(base), f) > lowest, `base ${base}`).to.equal(true);
        if (f > 0n) expect(unitScore(outputOf(base), f - 1n) > lowest).to.equal(false);
        // The contract's placement agrees.
        expect(placeInUnit(full, entry(ME, unitScore(outputOf(base), f), f))).to.not.have.property("refused");
      }
      // Equal scores do not displace: base 24_000 with 0 ties the lowest exactly, so 1 bps is needed.
      expect(chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 0n, vrfOutput: outputOf(24_000n), entries: full })).to.deep.equal({ feeBurnBps: 1n });
    });

    it("min-to-displace: bounds: exactly 10000 at the edge, none above it or with a zero base", () => {
      // base 12_000: 12_000 * 20_000 = 240_000_000 ties the lowest; 12_001 * 20_000 > it with f = 9_999.
      expect(chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 0n, vrfOutput: outputOf(12_001n), entries: full })).to.deep.equal({ feeBurnBps: 9_999n });
      // base 11_999.5 does not exist; pick lowest so that f = 10_000 exactly: lowest = base * 20_000 - 1.
      const edge = [entry(A, 10n ** 12n), entry(B, 10n ** 12n), entry(C, 1_000n * 20_000n - 1n)];
      expect(chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 0n, vrfOutput: outputOf(1_000n), entries: edge })).to.deep.equal({ feeBurnBps: 10_000n });
      const beyond = [entry(A, 10n ** 12n), entry(B, 10n ** 12n), entry(C, 1_000n * 20_000n)];
      expect(chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 0n, vrfOutput: outputOf(1_000n), entries: beyond })).to.deep.equal({ none: "cannot-outscore" });
      expect(chooseFeeBurn({ strategy: "min-to-displace", feeBurnBps: 0n, vrfOutput: outputOf(0n) + 123n, entries: full })).to.deep.equal({ none: "cannot-outscore" });
    });

    it("scoreFor: the score of a choice, undefined for none", () => {
      expect(scoreFor({ feeBurnBps: 500n }, outputOf(7n))).to.equal(7n * 10_500n);
      expect(scoreFor({ none: "cannot-outscore" }, outputOf(7n))).to.equal(undefined);
    });
  });

  describe("unitProveDecision", () => {
    const full = [entry(A, 5_000n), entry(B, 3_000n), entry(C, 4_000n)];

    it("slot-free: fewer than three entries", () => {
      expect(unitProveDecision(view())).to.deep.equal({ kind: "prove", reason: "slot-free" });
      expect(unitProveDecision(view({ entries: full.slice(0, 2), myScore: 1n, unitProven: true }))).to.deep.equal({ kind: "prove", reason: "slot-free" });
    });

    it("outscores-lowest / cannot-outscore: strictly above the lowest entry only", () => {
      expect(unitProveDecision(view({ entries: full, unitProven: true, myScore: 3_001n }))).to.deep.equal({ kind: "prove", reason: "outscores-lowest" });
      expect(unitProveDecision(view({ entries: full, unitProven: true, myScore: 3_000n }))).to.deep.equal({ kind: "skip", reason: "cannot-outscore" });
      expect(unitProveDecision(view({ entries: full, unitProven: true, myScore: undefined }))).to.deep.equal({ kind: "skip", reason: "cannot-outscore" });
    });

    it("unlikely-to-place: with minPlaceChance, a free slot is taken only by a score likely to stay in the top 3", () => {
      expect(unitProveDecision(view({ minPlaceChance: 0.5, placeChance: 0.1 }))).to.deep.equal({ kind: "skip", reason: "unlikely-to-place" });
      expect(unitProveDecision(view({ minPlaceChance: 0.5, placeChance: 0.5 }))).to.deep.equal({ kind: "prove", reason: "slot-free" });
      expect(unitProveDecision(view({ minPlaceChance: 0, placeChance: 0 }))).to.deep.equal({ kind: "prove", reason: "slot-free" });
      // Full slots: the entries on chain decide, not the estimate.
      expect(unitProveDecision(view({ entries: full, unitProven: true, myScore: 3_001n, minPlaceChance: 0.9, placeChance: 0 }))).to.deep.equal({ kind: "prove", reason: "outscores-lowest" });
    });

    it("placeChance: P(at most two of the n - 1 others score higher), outputs uniform", () => {
      const at = (u: number) => BigInt(Math.round(u * 2 ** 56)) << 200n;
      expect(placeChance(at(0.5), 3)).to.equal(1); // two others: always in the top 3
      near(placeChance(at(0.5), 4), 1 - 0.5 ** 3, 1e-12); // three others all above: 1/8
      // n = 50, u = 0.9: sum_{k<=2} C(49,k) 0.1^k 0.9^(49-k)
      const n = 49, u = 0.9;
      const expected = u ** n + n * 0.1 * u ** (n - 1) + ((n * (n - 1)) / 2) * 0.01 * u ** (n - 2);
      near(placeChance(at(0.9), 50), expected, 1e-9);
      expect(placeChance(0n, 50)).to.equal(0);
    });

    it("already-paid: one slot per payee", () => {
      expect(unitProveDecision(view({ entries: [entry(ME, 1n)], unitProven: true, holdsSlot: true }))).to.deep.equal({ kind: "skip", reason: "already-paid" });
    });

    it("too-late: the proof would land at or after the close; closed once the close passed", () => {
      expect(unitProveDecision(view({ next: 135n, unitProven: true }))).to.deep.equal({ kind: "prove", reason: "slot-free" });
      expect(unitProveDecision(view({ next: 136n, unitProven: true }))).to.deep.equal({ kind: "skip", reason: "too-late" });
      expect(unitProveDecision(view({ next: 140n, unitProven: true }))).to.deep.equal({ kind: "skip", reason: "closed" });
      // A soft close moved the close: still in time.
      expect(unitProveDecision(view({ next: 140n, close: 145n, unitProven: true }))).to.deep.equal({ kind: "prove", reason: "slot-free" });
    });

    it("height-gone: reorged or won by nobody", () => {
      expect(unitProveDecision(view({ status: HeightStatus.Reorged }))).to.deep.equal({ kind: "skip", reason: "height-gone" });
      expect(unitProveDecision(view({ status: HeightStatus.None }))).to.deep.equal({ kind: "skip", reason: "height-gone" });
    });

    it("a unit with no proof whose proof lands at or after the proving deadline is a rescue", () => {
      expect(unitProveDecision(view({ next: 136n }))).to.deep.equal({ kind: "prove", reason: "rescue" });
      expect(unitProveDecision(view({ next: 141n, close: 145n }))).to.deep.equal({ kind: "prove", reason: "rescue" });
      expect(unitProveDecision(view({ next: 141n, rescue: false }))).to.deep.equal({ kind: "skip", reason: "rescue-off" });
      expect(unitProveDecision(view({ next: 146n }))).to.deep.equal({ kind: "skip", reason: "too-late" });
    });
  });

  describe("rescueDecision", () => {
    const r = { status: HeightStatus.Pending, unitProven: false, next: 141n, lateDeadline: 150n, provingTimeL1Blocks: 4n, rescue: true };
    it("proves an unproven unit of a Pending height in time, if rescue is on", () => {
      expect(rescueDecision(r)).to.deep.equal({ kind: "prove", reason: "rescue" });
      expect(rescueDecision({ ...r, unitProven: true })).to.deep.equal({ kind: "skip", reason: "unit-proven" });
      expect(rescueDecision({ ...r, status: HeightStatus.Reorged })).to.deep.equal({ kind: "skip", reason: "not-pending" });
      expect(rescueDecision({ ...r, rescue: false })).to.deep.equal({ kind: "skip", reason: "rescue-off" });
      expect(rescueDecision({ ...r, next: 146n })).to.deep.equal({ kind: "skip", reason: "too-late" });
      expect(rescueDecision({ ...r, next: 145n })).to.deep.equal({ kind: "prove", reason: "rescue" });
    });
  });

  describe("unitSubmitDecision (after proving, on fresh entries)", () => {
    const { provingTimeL1Blocks: _, ...base } = view();
    it("submit when the slot is still free or the score still beats the lowest", () => {
      expect(unitSubmitDecision(base)).to.deep.equal({ kind: "submit", reason: "slot-free" });
      expect(unitSubmitDecision({ ...base, unitProven: true, entries: [entry(A, 5n), entry(B, 6n), entry(C, 7n)], myScore: 8n })).to.deep.equal({ kind: "submit", reason: "outscores-lowest" });
      // No proving time left: a proof ready in the last block before the close still goes.
      expect(unitSubmitDecision({ ...base, unitProven: true, next: 139n })).to.deep.equal({ kind: "submit", reason: "slot-free" });
    });
    it("wasted: others filled the slots above it, the close passed, it holds a slot already, the height is gone", () => {
      expect(unitSubmitDecision({ ...base, unitProven: true, entries: [entry(A, 5n), entry(B, 6n), entry(C, 7n)], myScore: 5n })).to.deep.equal({ kind: "wasted", reason: "cannot-outscore" });
      expect(unitSubmitDecision({ ...base, unitProven: true, next: 140n })).to.deep.equal({ kind: "wasted", reason: "closed" });
      expect(unitSubmitDecision({ ...base, unitProven: true, holdsSlot: true, entries: [entry(ME, 1n)] })).to.deep.equal({ kind: "wasted", reason: "already-paid" });
      expect(unitSubmitDecision({ ...base, status: HeightStatus.Reorged })).to.deep.equal({ kind: "wasted", reason: "height-gone" });
    });
    it("a proof ready after the deadline for a unit still unproven goes as a rescue; wasted if rescue is off or too late", () => {
      expect(unitSubmitDecision({ ...base, next: 140n })).to.deep.equal({ kind: "submit", reason: "rescue" });
      expect(unitSubmitDecision({ ...base, next: 140n, rescue: false })).to.deep.equal({ kind: "wasted", reason: "rescue-off" });
      expect(unitSubmitDecision({ ...base, next: 150n })).to.deep.equal({ kind: "wasted", reason: "closed" });
      // A rescue proof whose unit got proven meanwhile, after the close: nothing left.
      expect(unitSubmitDecision({ ...base, next: 141n, unitProven: true })).to.deep.equal({ kind: "wasted", reason: "closed" });
    });
  });

  it("unitRefusal: lost races and invalid proofs are refusals, anything else is retried", () => {
    for (const n of ["Rollup__UnitScoreTooLow", "Rollup__AlreadyInUnit", "Rollup__UnitClosed", "Rollup__HeightReorged", "Rollup__InvalidProof", "Rollup__NotEligibleProver", "Rollup__InvalidVrfProof"]) {
      expect(unitRefusal(n), n).to.equal("refused");
    }
    expect(unitRefusal(undefined)).to.equal("retry");
    expect(unitRefusal("Rollup__PubdataMismatch")).to.equal("retry");
  });

  it("unitSettleDecision: holds a slot, finalized, not settled, closed", () => {
    const s = { holdsSlot: true, finalized: true, settled: false, next: 140n, close: 140n };
    expect(unitSettleDecision(s)).to.deep.equal({ kind: "settle" });
    expect(unitSettleDecision({ ...s, settled: true })).to.deep.equal({ kind: "none", reason: "settled" });
    expect(unitSettleDecision({ ...s, holdsSlot: false })).to.deep.equal({ kind: "none", reason: "no-slot" });
    expect(unitSettleDecision({ ...s, finalized: false })).to.deep.equal({ kind: "wait", reason: "not-finalized" });
    expect(unitSettleDecision({ ...s, next: 139n })).to.deep.equal({ kind: "wait", reason: "before-close" });
    // Turns: the second payee waits SETTLE_TURN_BLOCKS after the close, then settles if nobody did.
    expect(unitSettleDecision({ ...s, next: s.close, turn: 1 })).to.deep.equal({ kind: "wait", reason: "not-my-turn" });
    expect(unitSettleDecision({ ...s, next: s.close + 2n, turn: 1 })).to.deep.equal({ kind: "settle" });
    expect(unitSettleDecision({ ...s, next: s.close + 3n, turn: 2 })).to.deep.equal({ kind: "wait", reason: "not-my-turn" });
  });

  it("heightRetireDecision: gone heights at once; others after the close, the rescues and the settlement", () => {
    const r = { status: HeightStatus.Finalized, next: 140n, close: 140n, lateDeadline: 150n, allProven: true, holdsSlot: false, settled: false, rescue: true };
    expect(heightRetireDecision({ ...r, status: HeightStatus.Reorged, next: 0n })).to.equal(true);
    expect(heightRetireDecision({ ...r, status: HeightStatus.None, next: 0n })).to.equal(true);
    expect(heightRetireDecision({ ...r, next: 139n })).to.equal(false);
    expect(heightRetireDecision(r)).to.equal(true);
    // A rescue to do.
    expect(heightRetireDecision({ ...r, status: HeightStatus.Pending, allProven: false })).to.equal(false);
    expect(heightRetireDecision({ ...r, status: HeightStatus.Pending, allProven: false, rescue: false })).to.equal(true);
    expect(heightRetireDecision({ ...r, status: HeightStatus.Pending, allProven: false, next: 150n })).to.equal(true);
    // Money to collect.
    expect(heightRetireDecision({ ...r, holdsSlot: true })).to.equal(false);
    expect(heightRetireDecision({ ...r, holdsSlot: true, settled: true })).to.equal(true);
    expect(heightRetireDecision({ ...r, status: HeightStatus.Proven, holdsSlot: true })).to.equal(false); // waits for finality
    expect(heightRetireDecision({ ...r, status: HeightStatus.Pending, allProven: false, rescue: false, holdsSlot: true, next: 150n })).to.equal(true);
  });
});
