/**
 * The comparison's simulation mode on a small workload (real contracts, in-process chain, verifier stand-in):
 * both designs run to finality, the record adds up against the chain's rules, a seed gives the same run twice and
 * another seed a different one; comparison files are validated with JSON paths and every file of the library is
 * valid; the CLI exits 2 on a bad file without starting anything.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompareError, loadComparison, parseComparison, type ComparisonSpec } from "../../src/compare/spec.js";
import { runSimulation } from "../../src/compare/sim/run.js";
import { runMetrics } from "../../src/compare/metrics.js";
import { agreementWithSimulation, checkExpectation } from "../../src/compare/index.js";
import type { ComparisonResult, RunRecord, VariantResult } from "../../src/compare/types.js";

const SMALL = {
  name: "t",
  seeds: [1],
  workload: {
    heights: 5, T: 8, D: 16,
    sequencers: [{ name: "seq", count: 3 }],
    provers: [{ name: "fast", speed: 3 }, { name: "prover", count: 3 }],
  },
  variants: [{ label: "sidecar", design: "sidecar" }, { label: "cooperative", design: "cooperative" }],
};

function errorOf(doc: unknown): CompareError {
  try {
    parseComparison(doc);
  } catch (e) {
    expect(e).to.be.instanceOf(CompareError);
    return e as CompareError;
  }
  throw new Error("expected a CompareError");
}

/** The record without its wall-clock time (the only field a seed does not fix). */
const stable = (r: RunRecord) => JSON.stringify({ ...r, wallSeconds: 0 });

describe("compare: simulation mode (verifier stand-in)", function () {
  this.timeout(300_000);
  let spec: ComparisonSpec;
  const runs: Record<string, RunRecord> = {};

  before(async function () {
    spec = parseComparison(SMALL);
    for (const v of spec.variants) runs[v.label] = await runSimulation({ workload: spec.workload, variant: v, seed: 1 });
  });

  it("Sidecar: every height finalized, one paid proof per height, the record labelled with its stand-ins", function () {
    const r = runs.sidecar!;
    expect(r.mode).to.equal("sim");
    expect(r.standIns.join(" ")).to.match(/verifier stand-in: SimBlockVerifier/);
    expect(r.heights.map((h) => h.outcome)).to.deep.equal(["finalized", "finalized", "finalized", "finalized", "finalized"]);
    const paid = r.proofs.filter((p) => p.outcome === "paid");
    expect(paid.length).to.equal(5);
    // The prover's payment per height is what the chain paid (HeightFinalized), and sums to the heights' proverPaid.
    const sumPaid = paid.reduce((s, p) => s + BigInt(p.paid), 0n);
    expect(sumPaid).to.equal(r.heights.reduce((s, h) => s + BigInt(h.proverPaid), 0n));
    expect(sumPaid > 0n).to.equal(true);
    // Gas is charged to the actors that sent the transactions: every sequencer proposed at least once.
    for (const a of r.actors.filter((x) => x.role === "sequencer")) expect(a.gasUsed).to.be.greaterThan(0);
  });

  it("Sidecar: the paid provers' token deltas equal their payments (nothing else moved their tokens)", function () {
    const r = runs.sidecar!;
    for (const a of r.actors.filter((x) => x.role === "prover")) {
      const paid = r.proofs.filter((p) => p.prover === a.name).reduce((s, p) => s + BigInt(p.paid), 0n);
      expect(BigInt(a.tokenDelta), a.name).to.equal(paid);
    }
  });

  it("Cooperative: every height finalized by unit proofs, at most 3 paid per unit, rewards settled", function () {
    const r = runs.cooperative!;
    expect(r.heights.every((h) => h.outcome === "finalized")).to.equal(true);
    const perUnit = new Map<string, number>();
    for (const p of r.proofs.filter((x) => x.outcome === "paid")) perUnit.set(`${p.height}:${p.unit}`, (perUnit.get(`${p.height}:${p.unit}`) ?? 0) + 1);
    expect(perUnit.size).to.be.greaterThan(0);
    for (const n of perUnit.values()) expect(n).to.be.at.most(3);
    const m = runMetrics(r);
    expect(m.liveness.finalizedShare).to.equal(1);
    expect(m.payments.toProvers).to.be.greaterThan(0);
    expect(m.concentration.active).to.be.greaterThan(1);
  });

  it("is deterministic for a seed, and another seed gives another run", async function () {
    const again = await runSimulation({ workload: spec.workload, variant: spec.variants[0]!, seed: 1 });
    expect(stable(again)).to.equal(stable(runs.sidecar!));
    const other = await runSimulation({ workload: spec.workload, variant: spec.variants[0]!, seed: 2 });
    expect(stable(other)).to.not.equal(stable(runs.sidecar!));
  });

  it("checks a file's expectation direction against the variants' means", function () {
    const v = (variant: string, mean: number) => ({ variant, summary: { topShare: { mean, ci95: [mean, mean], n: 1 } } }) as unknown as VariantResult;
    const e = { claim: "c", source: "s", metric: "topShare", direction: "sidecar > cooperative" };
    expect(checkExpectation(e, [v("sidecar", 0.9), v("cooperative", 0.3)]).agrees).to.equal(true);
    expect(checkExpectation(e, [v("sidecar", 0.2), v("cooperative", 0.3)]).agrees).to.equal(false);
    expect(checkExpectation({ ...e, direction: "sidecar high" }, [v("sidecar", 0.2)]).agrees).to.equal(null);
  });

  it("says whether a real run orders the variants as the simulation does, measure by measure", function () {
    const v = (variant: string, topShare: number, hhi: number) =>
      ({ variant, summary: { topShare: { mean: topShare, ci95: [topShare, topShare], n: 1 }, hhi: { mean: hhi, ci95: [hhi, hhi], n: 1 } } }) as unknown as VariantResult;
    const sim = { variants: [v("sidecar", 1, 1), v("cooperative", 0.3, 0.2)] } as unknown as ComparisonResult;
    const checks = agreementWithSimulation([v("sidecar", 0.9, 0.1), v("cooperative", 0.5, 0.5)], sim);
    expect(checks.map((c) => [c.claim.split(":")[0], c.agrees])).to.deep.equal([["top prover's share of payments", true], ["HHI of prover payments (0..1)", false]]);
  });
});

describe("compare: comparison files", function () {
  it("refuses bad documents with the JSON path of the problem", function () {
    expect(errorOf({ ...SMALL, workload: { ...SMALL.workload, heights: 0 } }).message).to.match(/^\$\.workload\.heights: /);
    expect(errorOf({ ...SMALL, variants: [{ design: "nope" }] }).message).to.match(/^\$\.variants\[0\]\.design: must be one of/);
    expect(errorOf({ ...SMALL, variants: [{ design: "sidecar" }, { design: "sidecar" }] }).message).to.match(/duplicate label sidecar/);
    expect(errorOf({ ...SMALL, workload: { ...SMALL.workload, provers: [{ name: "p", speed: 0 }] } }).message).to.match(/^\$\.workload\.provers\[0\]\.speed: /);
    expect(errorOf({ ...SMALL, variants: [{ design: "sidecar", rollup: { slots: 4 } }] }).message).to.match(/^\$\.variants\[0\]\.rollup\.slots: not a Rollup parameter/);
    expect(errorOf({ ...SMALL, extra: 1 }).message).to.match(/^\$\.extra: unknown field/);
  });

  it("every comparison of the library is valid", function () {
    const dir = join(process.cwd(), "comparisons");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).to.be.at.least(5);
    for (const f of files) expect(() => loadComparison(join(dir, f)), f).to.not.throw();
  });

  it("the CLI exits 2 on a bad file and on bad flags, starting nothing", function () {
    const dir = mkdtempSync(join(tmpdir(), "compare-"));
    try {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, JSON.stringify({ ...SMALL, seeds: [] }));
      const run = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/compare.ts", ...args], { encoding: "utf8" });
      const r1 = run([bad]);
      expect(r1.status).to.equal(2);
      expect(r1.stderr).to.match(/\$\.seeds: must be a non-empty array/);
      const r2 = run(["comparisons/smoke.json", "--mode", "fast"]);
      expect(r2.status).to.equal(2);
      expect(r2.stderr).to.match(/--mode must be sim or real/);
      const r3 = run(["comparisons/smoke.json", "--check"]);
      expect(r3.status, r3.stderr).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
