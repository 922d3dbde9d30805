/**
 * The L2 command line on a running network (real Hardhat node, real proofs, CI circuit): `l2 send --follow` with a
 * devnet dev account prints a line per status step until the transfer is finalized, and the recipient's finalized
 * balance moved by the amount. The real entry process (scripts/l2.ts) answers `status` and exits with the
 * documented codes.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { runL2Cli } from "../../src/cli/l2.js";
import { L2RpcClient } from "../../src/node/index.js";
import { startNet, waitFor, type Net } from "./helpers.js";

const AMOUNT = 12_345n;
const FEE = 3n;

/**
 * Runs scripts/l2.ts in its own process (the `npm run l2` entry), with the project's tsx. Asynchronously: the
 * sequencer it talks to runs in this process and must keep answering meanwhile.
 */
function l2Process(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const tsx = join(process.cwd(), "node_modules", "tsx", "dist", "cli.mjs");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, "scripts/l2.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("integration: the L2 command line (real node, real proofs)", function () {
  this.timeout(900_000);
  let net: Net;

  before(async () => {
    net = await startNet({ sequencers: 1, provers: 1 });
  });
  after(async () => {
    await net?.stop();
  });

  it("sends a transfer with --follow and shows it finalized; the recipient's balance changed", async () => {
    const url = net.sequencerUrls[0]!;
    const node = new L2RpcClient(url);
    const recipientBefore = BigInt((await node.getAccount(2, "finalized"))!.balance);
    const senderBefore = BigInt((await node.getAccount(1, "finalized"))!.balance);

    const out: string[] = [];
    const err: string[] = [];
    const code = await runL2Cli(
      ["send", "--rpc", url, "--dev-account", "1", "--to", "2", "--amount", AMOUNT.toString(), "--fee", FEE.toString(), "--follow", "--poll", "500", "--timeout", "600"],
      // The live lines, shown in the test output as they come.
      { out: (l) => (out.push(l), process.stderr.write(`      | ${l}\n`)), err: (l) => (err.push(l), process.stderr.write(`      ! ${l}\n`)) },
    );
    expect(code, err.join("\n")).to.equal(0);
    const txId = /^tx id: (0x[0-9a-f]{64})$/.exec(out[1] ?? "")?.[1];
    expect(txId, out.join("\n")).to.be.a("string");

    // One line per step, in ladder order (an observer may skip steps, never reorder), ending finalized.
    const ladder = ["in_mempool", "in_proposed_block", "revealed", "prover_committed", "proven", "verified_on_l1", "finalized"];
    const steps = out.filter((l) => /^\[\s*[0-9.]+ s\] /.test(l)).map((l) => /\] (\S+)/.exec(l)![1]!);
    const tail = steps.slice(steps.lastIndexOf("in_mempool"));
    expect(tail[0]).to.equal("in_mempool");
    expect(tail.at(-1)).to.equal("finalized");
    expect(tail).to.include("in_proposed_block");
    for (let k = 1; k < tail.length; k++) expect(ladder.indexOf(tail[k]!), tail.join(" -> ")).to.be.greaterThan(ladder.indexOf(tail[k - 1]!));
    const height = Number(/^finalized at L2 height (\d+)$/.exec(out.at(-1) ?? "")?.[1]);
    expect(height).to.be.at.least(1);

    // The node's finalized view moves with the same round that finalizes the tx; allow it a poll.
    await waitFor("the finalized view to include the transfer", 60_000, async () => BigInt((await node.getAccount(2, "finalized"))!.balance) !== recipientBefore);
    const recipientAfter = BigInt((await node.getAccount(2, "finalized"))!.balance);
    expect(recipientAfter - recipientBefore).to.equal(AMOUNT);
    const sender = (await node.getAccount(1, "finalized"))!;
    expect(senderBefore - BigInt(sender.balance)).to.equal(AMOUNT + FEE);
    expect(sender.nonce).to.equal(1);

    // The entry process: `status --json` reads it back finalized (exit 0); a bad input exits 2 and sends nothing.
    const st = await l2Process("status", txId!, "--rpc", url, "--json");
    expect(st.status, st.stderr).to.equal(0);
    expect(JSON.parse(st.stdout)).to.deep.include({ txId, status: "finalized", height });
    const pooled = (await node.chainInfo()).mempoolSize;
    const bad = await l2Process("send", "--rpc", url, "--dev-account", "1", "--to", "2", "--amount", "-5");
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/^error \[USAGE\]: .*--amount/);
    const refused = await l2Process("send", "--rpc", url, "--dev-account", "1", "--to", "2", "--amount", (senderBefore * 2n).toString());
    expect(refused.status).to.equal(6);
    expect(refused.stderr).to.match(/^error \[TX_REJECTED\].*\[OVERSPEND\]/);
    expect((await node.chainInfo()).mempoolSize).to.equal(pooled);
  });
});
