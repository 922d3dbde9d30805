/**
 * The devnet on L1 nodes other than the Hardhat node it spawns (issue 12, item 3): `npm start -- --rpc URL
 * --blocks 3` on an anvil started here (interval mining in seconds, hardhat_* aliases), and on a node that refuses
 * every evm_* / hardhat_* / anvil_* call but mines on its own (anvil --block-time 1 behind a refusing proxy), with
 * the deployer key from the environment and the agents' keys derived from it. Small size: T = 2, D = 8, one
 * sequencer, one prover, real proofs.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { PROJECT_ROOT, devWallet } from "../../src/agents/devnet.js";
import { startAnvil, type AnvilNode } from "../../src/l1/anvil.js";
import { startRefusingProxy, type RefusingProxy } from "../../src/l1/proxy.js";
import { probeNode } from "../../src/l1/node.js";

interface Run {
  code: number | null;
  out: string;
}

/** `npm start -- ARGS` (scripts/devnet.ts) with extra environment; resolves when it exits. */
function npmStart(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn("npm", ["start", "--", ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.once("error", rej);
    child.once("exit", (code) => res({ code, out }));
  });
}

// Proofs in batches of 2: the default batch (32) of 3 heights would wait for its deadline-driven send, minutes away.
const SMALL = ["--blocks", "3", "--T", "2", "--D", "8", "--sequencers", "1", "--provers", "1", "--block-time", "1000", "--tx-rate", "0.5", "--batch-size", "2", "--no-compile", "--timeout", "6"];

describe("integration: the devnet on any L1 node (npm start -- --rpc URL)", function () {
  this.timeout(600_000);
  let dir: string;
  let anvil: AnvilNode | undefined;
  let proxy: RefusingProxy | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fernet-anynode-"));
  });
  afterEach(async () => {
    await proxy?.stop();
    await anvil?.stop();
    proxy = undefined;
    anvil = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("finalizes 3 heights on anvil, whose interval mining is in seconds", async () => {
    anvil = await startAnvil();
    const caps = await probeNode(anvil.url);
    expect(caps.kind).to.equal("anvil");
    expect(caps.intervalUnit).to.equal("s");
    expect(caps.reorg).to.equal(true);
    const summaryPath = join(dir, "summary.json");
    const run = await npmStart(["--rpc", anvil.url, ...SMALL, "--summary", summaryPath, "--data-dir", join(dir, "data")]);
    expect(run.code, run.out.slice(-3000)).to.equal(0);
    expect(run.out).to.match(/L1 node: anvil .*evm_setIntervalMining \(s\)/);
    const summary = JSON.parse(readFileSync(summaryPath, "utf8")) as { finalizedBlocks: number };
    expect(summary.finalizedBlocks).to.be.at.least(3);
    // Interval mining was set in anvil's unit: blocks keep coming about a second apart (1000 would be 16 minutes).
    const p = new JsonRpcProvider(anvil.url);
    const head = await p.getBlockNumber();
    await new Promise((r) => setTimeout(r, 2500));
    const later = await p.getBlockNumber();
    const [a, b] = await Promise.all([p.getBlock(later - 1), p.getBlock(later)]);
    p.destroy();
    expect(later).to.be.greaterThan(head);
    expect(b!.timestamp - a!.timestamp).to.be.at.most(2);
  });

  it("finalizes 3 heights on a node that refuses every evm_*/hardhat_* call but mines on its own, keys from the environment", async () => {
    anvil = await startAnvil({ blockTime: 1 });
    proxy = await startRefusingProxy(anvil.url);
    const caps = await probeNode(proxy.url);
    expect(caps.mineMany).to.equal(undefined);
    expect(caps.evmMine || caps.setAutomine || caps.setIntervalMining || caps.reorg).to.equal(false);
    // Dev account 9 stands for a funded testnet key: the agents' keys are derived from it and funded by it.
    const deployer = devWallet(9);
    const summaryPath = join(dir, "summary.json");
    const data = join(dir, "data");
    const run = await npmStart(["--rpc", proxy.url, ...SMALL, "--summary", summaryPath, "--data-dir", data], { FERNET_DEPLOYER_KEY: deployer.privateKey });
    expect(run.code, run.out.slice(-3000)).to.equal(0);
    expect(run.out).to.include("control calls: none: the node mines on its own");
    // The waits for blocks are announced.
    expect(run.out).to.match(/waiting for L1 block \d+ \(head \d+, \d+ to go\): height 1's seed window/);
    const summary = JSON.parse(readFileSync(summaryPath, "utf8")) as { finalizedBlocks: number; actors: { address: string; role: string }[] };
    expect(summary.finalizedBlocks).to.be.at.least(3);
    const deployerBook = summary.actors.find((x) => x.role === "deployer");
    expect(deployerBook?.address.toLowerCase()).to.equal(deployer.address.toLowerCase());
    const devAddresses = Array.from({ length: 9 }, (_, i) => devWallet(i).address.toLowerCase());
    for (const x of summary.actors) expect(devAddresses).to.not.include(x.address.toLowerCase());
    // Nothing it could not do was done behind our back: the proxy refused the control calls it tried.
    expect(proxy.refused.every((m) => /^(evm|hardhat|anvil)_/.test(m))).to.equal(true);
    // Keys from the environment are not written to disk (no agents' config file).
    const written = existsSync(data) ? readdirSync(data, { recursive: true }).map(String) : [];
    expect(written.filter((f) => f.endsWith("config.json"))).to.deep.equal([]);
  });
});
