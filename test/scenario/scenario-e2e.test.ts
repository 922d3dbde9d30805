/**
 * Scenarios end to end with real proofs (CI circuit T=2, D=8): a withheld proof on a fork of a Hardhat node
 * (`fork` mode), and an invalid proof on the batch path (challenged by the aggregator), checking the expectations and the
 * figures from L1 events; and the Cooperative design's happy path (coop-happy.json: unit proofs, per-proof payments, the
 * sequencer's bond in the ledger). The Sidecar happy path runs in scenario-fork-replay.test.ts
 * (on a running node, then replayed on a fork of it).
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger, PROJECT_ROOT, formatLog, startHardhatNode, type HardhatNode } from "../../src/agents/index.js";
import { loadScenario } from "../../src/scenario/schema.js";
import { runScenario } from "../../src/scenario/runner.js";
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
  let origin: HardhatNode | undefined;
  after(async () => {
    await origin?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("withheld proof on --fork of a node: height 1 reorged, prover-1 slashed its deposit, the chain recovers", async () => {
    const s = loadScenario(join(PROJECT_ROOT, "scenarios", "withheld-proof.json"));
    // The fork mode: the runner spawns `hardhat node --fork URL --fork-block-number N` and deploys there.
    origin = await startHardhatNode();
    await fetch(origin.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "hardhat_mine", params: ["0x5"] }) });
    const r = await runScenario({ scenario: s, outDir: out(), fork: origin.url, forkBlock: 5, noCompile: true, log: log() });
    const f = r.figures;
    expect(f.mode).to.equal("fork");
    expect(f.forkBlock).to.equal(5);
    expect(f.startBlock, "the run starts on the fork's head").to.equal(5);
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

  it("invalid proof (batch path) on its own node: the post is challenged, the height reorged, the chain goes on", async () => {
    const s = loadScenario(join(PROJECT_ROOT, "scenarios", "invalid-proof.json"));
    const r = await runScenario({ scenario: s, outDir: out(), noCompile: true, log: log() });
    const f = r.figures;
    for (const e of f.expectations) expect(e.passed, `${e.text}: ${e.detail}`).to.equal(true);
    expect(f.heights.find((h) => h.height === 1)!.outcome).to.equal("reorged");
    // The aggregator took the invalid post's bond (10 tokens) with challengePostedProof.
    const bond = (10n * E18).toString();
    expect(f.ledger.some((l) => l.actor === "prover-1" && l.kind === "slash" && l.amount === bond)).to.equal(true);
    expect(f.ledger.some((l) => l.actor === "aggregator" && l.kind === "bounty" && l.amount === bond)).to.equal(true);
    expect(f.gasByPhase.challengePostedProof?.count).to.equal(1);
    expect(f.gasByPhase.postProof?.count).to.be.greaterThan(1);
    expect(f.gasByPhase.verifyBatch?.count).to.be.greaterThan(0);
    // Later heights were verified in batches and finalized.
    expect(f.heights.filter((h) => h.outcome === "finalized" && h.height > 1).length).to.be.greaterThan(0);
  });

  it("cooperative happy path on its own node: unit proofs of every prover, paid per proof, bonds back", async () => {
    const s = loadScenario(join(PROJECT_ROOT, "scenarios", "coop-happy.json"));
    const dir = out();
    const r = await runScenario({ scenario: s, outDir: dir, noCompile: true, log: log() });
    const f = r.figures;
    for (const e of f.expectations) expect(e.passed, `${e.text}: ${e.detail}`).to.equal(true);
    expect(f.design).to.equal("cooperative");
    expect(f.params.design).to.equal("cooperative");
    const c = f.cooperative!;
    expect(c.units).to.equal(2);
    const provers = ["prover-1", "prover-2", "prover-3"];
    // The ledger's prover rewards are exactly the UnitProofPaid amounts; HeightFinalized's zero prover is not an actor.
    for (const p of provers) {
      const book = c.provers.find((x) => x.name === p)!;
      expect(book.paidProofs, p).to.be.greaterThan(0);
      expect(sumOf(f, p, "reward"), p).to.equal(BigInt(book.paid));
      expect(sumOf(f, p, "deposit") + sumOf(f, p, "slash"), p).to.equal(0n);
    }
    expect(f.ledger.some((l) => l.actor.startsWith("0x0000000000"))).to.equal(false);
    // FEE_BURN: prover-3 (20 %) keeps 80 % of what prover-1 (0 %) gets for the same number of paid proofs.
    const per = (n: string) => BigInt(c.provers.find((x) => x.name === n)!.paid) / BigInt(c.provers.find((x) => x.name === n)!.paidProofs);
    expect((per("prover-1") * 8n) / 10n - per("prover-3")).to.be.within(-1n, 1n);
    expect(BigInt(c.provers.find((x) => x.name === "prover-1")!.burnt)).to.equal(0n);
    // Per settled height: paid + burnt = the network reward.
    for (const x of c.settled) expect(BigInt(x.paid) + BigInt(x.burnt)).to.equal(BigInt(x.networkReward));
    // The sequencers' bonds (proverDeposit) are their deposits; every finalized height's bond came back.
    for (const q of ["seq-1", "seq-2"]) {
      const deposits = f.ledger.filter((l) => l.actor === q && l.kind === "deposit");
      expect(deposits.every((l) => l.amount === (100n * E18).toString()), q).to.equal(true);
      expect(sumOf(f, q, "slash"), q).to.equal(0n);
    }
    for (const b of c.bonds) expect([b.returned, b.toRescuer, b.burnt]).to.deep.equal([(100n * E18).toString(), "0", "0"]);
    const finalized = f.heights.filter((h) => h.outcome === "finalized");
    expect(finalized.length).to.be.at.least(3);
    for (const h of finalized) {
      expect(h.provers!.length, `height ${h.height}`).to.be.greaterThan(0);
      expect(h.provers, `height ${h.height}`).to.include(h.prover);
      expect(f.ledger.filter((l) => l.height === h.height && l.kind === "refund" && l.actor === h.sequencer).length, `height ${h.height}`).to.equal(1);
    }
    expect(f.gasByPhase.submitUnitProof?.count).to.be.at.least(2 * finalized.length);
    // The sequencers reveal with their commit by default (revealAndCommitUnits); a block revealed earlier commits alone.
    expect((f.gasByPhase.revealAndCommitUnits?.count ?? 0) + (f.gasByPhase.commitUnits?.count ?? 0)).to.be.at.least(finalized.length);
    expect(f.gasByPhase.revealAndCommitUnits?.count).to.be.at.least(1);
    expect(f.gasByPhase.submitProof).to.equal(undefined);
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).to.include("Proving design: **cooperative**");
    expect(md).to.include("## Unit proofs (cooperative)");
  });
});
