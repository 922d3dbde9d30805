/**
 * Scenarios end to end: the runner on its own Hardhat node with real proofs (CI circuit T=2, D=8), the happy path
 * and a withheld proof, checking the expectations, the figures from L1 events and the files written.
 */
import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger, PROJECT_ROOT, formatLog } from "../../src/agents/index.js";
import { loadScenario } from "../../src/scenario/schema.js";
import { runScenario, type RunResult } from "../../src/scenario/runner.js";
import type { ScenarioFigures } from "../../src/scenario/figures.js";

const log = () => new Logger("scenario", (process.env.FERNET_TEST_LOG ?? "error") as "error", (r) => process.stderr.write("      " + formatLog(r) + "\n"));
const E18 = 10n ** 18n;
const sumOf = (f: ScenarioFigures, actor: string, kind: string) => f.ledger.filter((l) => l.actor === actor && l.kind === kind).reduce((s, l) => s + BigInt(l.amount), 0n);

describe("scenarios end to end (real node, real proofs)", function () {
  this.timeout(600_000);
  const dirs: string[] = [];
  const out = () => {
    const d = mkdtempSync(join(tmpdir(), "fernet-scenario-"));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("happy path: 3 heights finalized, expectations pass, figures and log written", async () => {
    const s = loadScenario(join(PROJECT_ROOT, "scenarios", "happy.json"));
    const dir = out();
    const r: RunResult = await runScenario({ scenario: s, outDir: dir, noCompile: true, log: log() });
    const f = r.figures;
    for (const e of f.expectations) expect(e.passed, `${e.text}: ${e.detail}`).to.equal(true);
    expect(r.passed).to.equal(true);
    expect(f.mode).to.equal("local");
    expect(f.heights.slice(0, 3).map((h) => h.outcome)).to.deep.equal(["finalized", "finalized", "finalized"]);
    for (const h of f.heights.filter((x) => x.outcome === "finalized")) {
      // The L1 timeline of a height is ordered.
      expect(h.proposedAt! < h.revealedAt! && h.revealedAt! < h.committedAt! && h.committedAt! < h.provenAt! && h.provenAt! <= h.finalizedAt!, JSON.stringify(h)).to.equal(true);
      expect(["seq-1", "seq-2"]).to.include(h.sequencer);
      expect(["prover-1", "prover-2", "seq-1", "seq-2"]).to.include(h.prover);
    }
    expect(f.heights.reduce((n, h) => n + h.txs, 0), "transfers finalized").to.be.greaterThan(0);
    // Rewards: each finalized height pays its sequencer and prover; deposits come back.
    expect(f.ledger.filter((l) => l.kind === "reward").length).to.be.at.least(6);
    expect(f.ledger.filter((l) => l.kind === "slash")).to.deep.equal([]);
    for (const m of ["propose", "reveal", "commitProver", "submitProof"]) expect(f.gasByPhase[m]?.count, m).to.be.greaterThan(0);
    expect(f.gasByPhase.submitProof!.median, "real Groth16 verifier").to.be.greaterThan(200_000);
    expect(f.actors.map((a) => a.name)).to.include.members(["seq-1", "seq-2", "prover-1", "prover-2"]);
    expect(JSON.parse(readFileSync(join(dir, "figures.json"), "utf8")).scenario).to.equal("happy");
    expect(existsSync(join(dir, "run.json"))).to.equal(true);
    if (r.logPath) expect(existsSync(r.logPath)).to.equal(true);
  });

  it("withheld proof: height 1 reorged, prover-1 slashed its deposit, the chain recovers", async () => {
    const s = loadScenario(join(PROJECT_ROOT, "scenarios", "withheld-proof.json"));
    const r = await runScenario({ scenario: s, outDir: out(), noCompile: true, log: log() });
    const f = r.figures;
    for (const e of f.expectations) expect(e.passed, `${e.text}: ${e.detail}`).to.equal(true);
    const h1 = f.heights.find((h) => h.height === 1)!;
    expect(h1.outcome).to.equal("reorged");
    expect(h1.prover).to.equal("prover-1");
    expect(h1.reorgedAt! - h1.committedAt!, "reorged after the proving and late windows").to.be.at.least(s.params.provingWindow + s.params.lateWindow);
    expect(sumOf(f, "prover-1", "slash")).to.equal(100n * E18);
    // Nobody is paid for height 1 (prover-1 withholds only there: it may prove later heights).
    expect(f.ledger.filter((l) => l.height === 1 && l.kind === "reward")).to.deep.equal([]);
    // Whoever triggered the reorg got the bounty (5% of the deposit); a later height was finalized by prover-2.
    expect(f.ledger.some((l) => l.kind === "bounty" && l.amount === (5n * E18).toString())).to.equal(true);
    const later = f.heights.filter((h) => h.outcome === "finalized" && h.height > 1);
    expect(later.length).to.be.greaterThan(0);
    expect(f.gasByPhase.triggerReorg?.count).to.equal(1);
  });
});
