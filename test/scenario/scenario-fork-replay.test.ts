/**
 * A scenario on a running Hardhat node (`--rpc`), then replayed on a fork of that node (`--replay LOG --fork URL`,
 * through the CLI): the replay reproduces the run (no divergence: same blocks, receipts and final state, same
 * per-height outcomes, ledger and expectations) and exits 0. Real proofs, CI circuit (T=2, D=8).
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger, PROJECT_ROOT, formatLog, startHardhatNode, type HardhatNode } from "../../src/agents/index.js";
import { ScenarioError, loadScenario, validateScenario } from "../../src/scenario/schema.js";
import { runScenario, type RunResult } from "../../src/scenario/runner.js";
import type { ScenarioFigures } from "../../src/scenario/figures.js";

const log = () => new Logger("scenario", (process.env.FERNET_TEST_LOG ?? "error") as "error", (r) => process.stderr.write("      " + formatLog(r) + "\n"));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, ["--import", "tsx", "scripts/scenario.ts", ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    c.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    c.on("close", (code) => res({ code: code ?? 1, stdout, stderr }));
  });
}

describe("scenario on a running node, replayed on a fork of it", function () {
  this.timeout(600_000);
  let node: HardhatNode;
  let dir: string;
  let r: RunResult;

  before(async () => {
    node = await startHardhatNode();
    dir = mkdtempSync(join(tmpdir(), "fernet-scenario-"));
  });
  after(async () => {
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("happy path on --rpc: heights finalized, expectations pass, figures and log written", async () => {
    const s = loadScenario(join(PROJECT_ROOT, "scenarios", "happy.json"));
    r = await runScenario({ scenario: s, outDir: dir, rpc: node.url, noCompile: true, log: log() });
    const f = r.figures;
    for (const e of f.expectations) expect(e.passed, `${e.text}: ${e.detail}`).to.equal(true);
    expect(r.passed).to.equal(true);
    expect(f.mode).to.equal("rpc");
    expect(f.heights.filter((h) => h.outcome === "finalized").length).to.be.at.least(3);
    expect(f.heights.filter((h) => h.height <= s.stop.heights).every((h) => h.outcome === "finalized" || h.outcome === "skipped"), "nothing reorged or left pending").to.equal(true);
    for (const h of f.heights.filter((x) => x.outcome === "finalized")) {
      // The L1 timeline of a height is ordered (the reveal may come with the commit: revealAndCommitProver).
      expect(h.proposedAt! < h.revealedAt! && h.revealedAt! <= h.committedAt! && h.committedAt! < h.provenAt! && h.provenAt! <= h.finalizedAt!, JSON.stringify(h)).to.equal(true);
      expect(["seq-1", "seq-2"]).to.include(h.sequencer);
      expect(["prover-1", "prover-2", "seq-1", "seq-2"]).to.include(h.prover);
    }
    expect(f.heights.reduce((n, h) => n + h.txs, 0), "transfers finalized").to.be.greaterThan(0);
    // Rewards: each finalized height pays its sequencer and prover; no slash.
    expect(f.ledger.filter((l) => l.kind === "reward").length).to.be.at.least(6);
    expect(f.ledger.filter((l) => l.kind === "slash")).to.deep.equal([]);
    for (const m of ["propose", "submitProof"]) expect(f.gasByPhase[m]?.count, m).to.be.greaterThan(0);
    // The agents reveal with their commit by default: one transaction, else a reveal and a commitProver.
    const merged = f.gasByPhase.revealAndCommitProver?.count ?? 0;
    expect(merged > 0 || ((f.gasByPhase.reveal?.count ?? 0) > 0 && (f.gasByPhase.commitProver?.count ?? 0) > 0), "reveals and commits").to.equal(true);
    expect(f.gasByPhase.submitProof!.median, "real Groth16 verifier").to.be.greaterThan(200_000);
    expect(f.actors.map((a) => a.name)).to.include.members(["seq-1", "seq-2", "prover-1", "prover-2"]);
    expect(JSON.parse(readFileSync(join(dir, "figures.json"), "utf8")).scenario).to.equal("happy");
    expect(existsSync(join(dir, "run.json"))).to.equal(true);
    expect(r.logPath, "the run was recorded").to.be.a("string");
    expect(existsSync(r.logPath!)).to.equal(true);
  });

  it("replay on --fork of that node: no divergence, same outcome, exit 0", async () => {
    expect(r, "the run above").to.not.equal(undefined);
    const out = join(dir, "replay");
    const c = await cli(["--replay", r.logPath!, "--fork", node.url, "--out", out, "--quiet"]);
    expect(c.code, c.stdout + c.stderr).to.equal(0);
    expect(c.stdout).to.include("no divergence: same outcome as the recorded run");
    const replayed = JSON.parse(readFileSync(join(out, "figures.json"), "utf8")) as ScenarioFigures;
    expect(replayed.mode).to.equal("fork");
    expect(replayed.forkUrl).to.equal(node.url);
    const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
    expect(replayed.heights).to.deep.equal(json(r.figures.heights));
    expect(replayed.ledger).to.deep.equal(json(r.figures.ledger));
    expect(replayed.gasByPhase).to.deep.equal(json(r.figures.gasByPhase));
    expect(replayed.expectations.map((e) => e.passed)).to.deep.equal(r.figures.expectations.map((e) => e.passed));
    expect(JSON.parse(readFileSync(join(out, "divergences.json"), "utf8"))).to.deep.equal([]);
  });

  it("--rollup attaches only to a matching deployment (no contract, another L2 genesis: ScenarioError)", async () => {
    const s = loadScenario(join(PROJECT_ROOT, "scenarios", "happy.json"));
    const attach = (scenario: typeof s, rollup: string) =>
      runScenario({ scenario, outDir: join(dir, "attach"), rpc: node.url, rollup, noCompile: true, record: false, log: log() });
    const none = await attach(s, "0x00000000000000000000000000000000000000aa").then(() => undefined, (e: unknown) => e);
    expect(none).to.be.instanceOf(ScenarioError);
    expect((none as ScenarioError).message).to.match(/^--rollup: no contract at/);
    const other = validateScenario({ name: "other", sequencers: 1, load: { accounts: 9 }, stop: { heights: 1 } });
    const err = await attach(other, r.meta.deployment.rollup).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ScenarioError);
    expect((err as ScenarioError).path).to.equal("$.load.accounts");
  });
});
