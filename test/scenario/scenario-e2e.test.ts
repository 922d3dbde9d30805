/**
 * Scenarios end to end with real proofs (CI circuit T=2, D=8): a withheld proof on a fork of a Hardhat node
 * (`fork` mode), and an invalid proof on the batch path (challenged by the aggregator), checking the expectations and the
 * figures from L1 events. The happy path runs in scenario-fork-replay.test.ts
 * (on a running node, then replayed on a fork of it).
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
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
});
