/**
 * Happy path over a real Hardhat node with real Groth16 proofs: two sequencers, one prover, transfers sent over the
 * L2 JSON-RPC climb the whole status ladder to `finalized`, and the L2 state rebuilt from L1 alone matches the
 * finalized roots.
 */
import { expect } from "chai";
import { HeightStatus, ProposalStatus } from "../../src/client/index.js";
import { requestQuotes } from "../../src/market/index.js";
import { L2Chain, finalizedCount } from "../../src/agents/index.js";
import { L2RpcClient } from "../../src/node/index.js";
import { startNet, statuses, waitFor, path, type Net } from "./helpers.js";

describe("integration: happy path (real node, real proofs)", function () {
  this.timeout(900_000);
  let net: Net;

  before(async () => {
    net = await startNet({ sequencers: 2, provers: 1 });
  });
  after(async () => {
    await net?.stop();
  });

  it("finalizes >= 3 heights with transfers end to end", async () => {
    // Accounts 1 and 3 are served by seq-1, 2 and 4 by seq-2 (TxGenerator's assignment).
    const ids: string[] = [];
    for (const from of [1, 2, 3, 4]) {
      const id = await net.txGenerator.sendOne(from);
      expect(id, `transfer from ${from} accepted`).to.be.a("string");
      ids.push(id!);
    }
    const urlOf = (from: number) => net.sequencerUrls[(from - 1) % 2]!;
    await waitFor("3 finalized heights and every transfer finalized", 600_000, async () => {
      if ((await finalizedCount(net.provider, net.deployment)) < 3) return false;
      const st = await Promise.all(ids.map((id, i) => statuses(urlOf(i + 1), [id]).then((s) => s[0])));
      return st.every((s) => s?.status === "finalized");
    });

    // The status ladder, in order (steps may be skipped by an observer, never reordered).
    const ladder = ["in_mempool", "in_proposed_block", "revealed", "prover_committed", "verified_on_l1", "finalized"];
    for (const [i, id] of ids.entries()) {
      const [rec] = await statuses(urlOf(i + 1), [id]);
      const seen = path(rec).filter((s) => ladder.includes(s));
      const last = seen.lastIndexOf("in_mempool");
      const tail = seen.slice(last);
      expect(tail[0]).to.equal("in_mempool");
      expect(tail.at(-1)).to.equal("finalized");
      for (let k = 1; k < tail.length; k++) expect(ladder.indexOf(tail[k]!)).to.be.greaterThan(ladder.indexOf(tail[k - 1]!));
      expect(tail).to.include("in_proposed_block");
      expect(rec!.height, "finalized at a height").to.be.a("number");
      expect((await net.client.getHeight(BigInt(rec!.height!))).status).to.equal(HeightStatus.Finalized);
    }

    // Anyone can rebuild the L2 state from L1 (genesis + revealed pubdata): it matches the proven roots.
    // Both sequencers' finalized views must be at the same height first (each follows L1 on its own poll).
    await waitFor("both sequencers at the same finalized height", 60_000, async () => {
      const [a, b] = await Promise.all(net.sequencerUrls.map((u) => new L2RpcClient(u).chainInfo()));
      return a!.finalizedHeight === b!.finalizedHeight;
    });
    const info = await new L2RpcClient(net.sequencerUrls[0]!).chainInfo();
    const fin = BigInt(info.finalizedHeight);
    const rebuilt = await new L2Chain(net.client, net.deployment.genesisState).stateAt(fin);
    expect(rebuilt.root).to.equal(await net.client.rootOf(fin));
    expect(BigInt(info.finalizedRoot)).to.equal(rebuilt.root);

    // Every transfer moved its amount: each sender's finalized nonce advanced.
    for (const from of [1, 2, 3, 4]) {
      const a = await new L2RpcClient(urlOf(from)).getAccount(from, "finalized");
      expect(a!.nonce, `account ${from} nonce`).to.be.at.least(1);
      expect(rebuilt.getAccount(from)!.nonce, "RPC finalized view = state rebuilt from L1").to.equal(a!.nonce);
      expect(rebuilt.getAccount(from)!.balance).to.equal(BigInt(a!.balance));
    }

    // Real proofs were verified on chain by the generated verifier, and the prover got paid.
    const c = net.client.contract;
    const subs = await c.queryFilter(c.filters.ProofSubmitted(), net.deployment.deployBlock);
    expect(subs.length).to.be.at.least(3);
    expect((await c.verifier()).toLowerCase()).to.equal(net.deployment.verifier.toLowerCase());
    const finals = await c.queryFilter(c.filters.HeightFinalized(), net.deployment.deployBlock);
    const proverPaid = finals.filter((f) => f.args.prover.toLowerCase() === net.provers[0]!.address.toLowerCase());
    expect(proverPaid.length + finals.filter((f) => f.args.prover === f.args.sequencer).length).to.equal(finals.length);
    expect(await net.client.claimable(finals[0]!.args.sequencer)).to.be.greaterThan(0n);
    expect(net.txRecords.filter((r) => r.method === "submitProof").every((r) => r.gasUsed > 200_000n), "real verifier gas").to.equal(true);
    // The sequencers revealed with their commits (the agents' default): one transaction per won height, the block in
    // its Revealed log, and the named prover (quoted on the block it was sent) proved it.
    const reveals = await c.queryFilter(c.filters.Revealed(), net.deployment.deployBlock);
    const commits = await c.queryFilter(c.filters.ProverCommitted(), net.deployment.deployBlock);
    const merged = commits.filter((p) => reveals.some((r) => r.transactionHash === p.transactionHash));
    expect(merged.length, "reveals made with the commit").to.be.at.least(3);
    expect(net.txRecords.some((r) => r.method === "reveal"), "no separate reveal").to.equal(false);
    expect(proverPaid.length, "heights proven by the prover it named").to.be.at.least(1);
  });

  it("attack: a prover declines a block sent with a quote request that does not open the proposal's commitment", async () => {
    const c = net.client.contract;
    const head = await net.provider.getBlockNumber();
    // Asked about a proposal while it is not revealed yet (a busy prover, or one asked after the block was revealed,
    // answers something else: ask again about a later one).
    let declined: string | undefined;
    await waitFor("a prover's answer about a proposal not revealed yet", 180_000, async () => {
      for (const p of await c.queryFilter(c.filters.Proposed(), head)) {
        if ((await net.client.getProposal(p.args.height, p.args.sequencer)).status !== ProposalStatus.Proposed) continue;
        const block = { parent: await net.client.chainTip(), newRoot: 1n, salt: "0x" + "11".repeat(32), pubdata: "0x" + "00".repeat(20 * 2), signatures: "0x" };
        const request = {
          height: p.args.height, maxPrice: 10n ** 21n, maxProvingTime: 1_000, minDeposit: 0n, chainId: net.deployment.chainId, rollup: net.deployment.rollup,
          sequencer: p.args.sequencer, block,
        };
        const [answer] = await requestQuotes([net.provers[0]!.quoteUrl], request);
        if (answer && !answer.ok && /does not open the commitment/.test(answer.message)) {
          declined = answer.reason;
          return true;
        }
      }
      return false;
    });
    expect(declined).to.equal("POLICY");
  });
});
