/** Prover marketplace: EIP-712 quotes, replay protection, matching rules, reputation, the HTTP quote round trip. */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TypedDataEncoder, Wallet } from "ethers";
import {
  PROVER_COMMITMENT_TYPES, QuoteError, QuoteServer, Reputation, matchQuotes, quoteDigest, quoteFromJSON, quoteToJSON, rankQuotes,
  QuoteRequestError, quoteRequestFromJSON, quoteRequestToJSON, requestQuotes, rollupDomain, signQuote, verifyProverCommitment, verifyQuote,
  type MatchRequest, type Quote, type QuoteRequest, type ReputationView, type SignedQuote,
} from "../../src/market/index.js";
import { Store } from "../../src/store/index.js";

const ROLLUP = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER_ROLLUP = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const provers = [1, 2, 3, 4].map((i) => new Wallet("0x" + String(i).repeat(64)));
const sequencer = new Wallet("0x" + "9".repeat(64));

const base = (w: Wallet, over: Partial<Quote> = {}): Quote => ({
  prover: w.address, rollup: ROLLUP, chainId: 31337n, height: 5n, price: 100n, provingTimeL1Blocks: 20,
  deposit: 1000n, expiresAtL1Block: 60, nonce: 0n, ...over,
});

const request: MatchRequest = {
  chainId: 31337n, rollup: ROLLUP, height: 5n, maxPrice: 150n, maxProvingTime: 30, minDeposit: 1000n, currentL1Block: 50,
};

const neutral: ReputationView = { score: () => 1 };

describe("agents/market", function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), "fernet-market-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("signs a quote with EIP-712 and verifies it; any change breaks the signature", async function () {
    const sq = await signQuote(provers[0]!, base(provers[0]!));
    expect(verifyQuote(sq)).to.equal(true);
    expect(quoteDigest(sq.quote)).to.equal(
      TypedDataEncoder.hash({ name: "fernet-rollup/market", version: "1", chainId: 31337n, verifyingContract: ROLLUP }, {
        Quote: [
          { name: "prover", type: "address" }, { name: "rollup", type: "address" }, { name: "chainId", type: "uint256" },
          { name: "height", type: "uint256" }, { name: "price", type: "uint256" }, { name: "provingTimeL1Blocks", type: "uint64" },
          { name: "deposit", type: "uint256" }, { name: "expiresAtL1Block", type: "uint64" }, { name: "nonce", type: "uint256" },
        ],
      }, sq.quote),
    );
    for (const change of [{ height: 6n }, { chainId: 1n }, { rollup: OTHER_ROLLUP }, { price: 99n }, { deposit: 1001n }, { expiresAtL1Block: 61 }, { prover: provers[1]!.address }]) {
      expect(verifyQuote({ ...sq, quote: { ...sq.quote, ...change } }), JSON.stringify(Object.keys(change))).to.equal(false);
    }
    expect(verifyQuote({ ...sq, signature: "0x1234" })).to.equal(false);
    expect(verifyQuote(quoteFromJSON(JSON.parse(JSON.stringify(quoteToJSON(sq)))))).to.equal(true);
    try {
      await signQuote(provers[1]!, base(provers[0]!));
      expect.fail("should throw");
    } catch (e) {
      expect(e).to.be.instanceOf(QuoteError);
      expect((e as QuoteError).code).to.equal("WRONG_SIGNER");
    }
    expect(() => quoteFromJSON({ quote: { ...quoteToJSON(sq).quote, price: "-1" }, signature: sq.signature })).to.throw(QuoteError);
  });

  it("refuses a quote replayed for another height, chain or rollup", async function () {
    const sq = await signQuote(provers[0]!, base(provers[0]!));
    expect(matchQuotes(request, [sq], neutral)).to.deep.equal(sq);
    expect(rankQuotes({ ...request, height: 6n }, [sq], neutral).rejected.map((r) => r.reason)).to.deep.equal(["WRONG_HEIGHT"]);
    expect(rankQuotes({ ...request, chainId: 1n }, [sq], neutral).rejected.map((r) => r.reason)).to.deep.equal(["WRONG_CHAIN"]);
    expect(rankQuotes({ ...request, rollup: OTHER_ROLLUP }, [sq], neutral).rejected.map((r) => r.reason)).to.deep.equal(["WRONG_ROLLUP"]);
    // Rewriting the height in the quote to fit the new request does not help: the signature no longer matches.
    const forged = { ...sq, quote: { ...sq.quote, height: 6n } };
    expect(rankQuotes({ ...request, height: 6n }, [forged], neutral).rejected.map((r) => r.reason)).to.deep.equal(["BAD_SIGNATURE"]);
  });

  it("drops quotes by the nil rules and ranks the rest by price, then time, with explicit tie-breaks", async function () {
    const [a, b, c, d] = provers as [Wallet, Wallet, Wallet, Wallet];
    const q = async (w: Wallet, over: Partial<Quote>): Promise<SignedQuote> => signQuote(w, base(w, over));
    const expired = await q(a, { expiresAtL1Block: 50 }); // commit could land at 51 at the earliest
    const slow = await q(a, { provingTimeL1Blocks: 31, nonce: 1n });
    const dear = await q(a, { price: 151n, nonce: 2n });
    const thin = await q(a, { deposit: 999n, nonce: 3n });
    const forged = { ...(await q(a, { nonce: 4n })), quote: base(a, { nonce: 4n, price: 1n }) };
    const cheapSlow = await q(b, { price: 90n, provingTimeL1Blocks: 30 });
    const cheapFast = await q(c, { price: 90n, provingTimeL1Blocks: 10 });
    const dearFast = await q(d, { price: 120n, provingTimeL1Blocks: 5 });
    const atEdge = await q(d, { price: 150n, provingTimeL1Blocks: 30, deposit: 1000n, expiresAtL1Block: 51, nonce: 1n });
    const all = [expired, slow, dear, thin, forged, cheapSlow, cheapFast, dearFast, atEdge];
    const r = rankQuotes(request, all, neutral);
    expect(r.rejected.map((x) => x.reason)).to.deep.equal(["EXPIRED", "TOO_SLOW", "TOO_EXPENSIVE", "DEPOSIT_TOO_LOW", "BAD_SIGNATURE"]);
    expect(r.ranked.map((x) => x.quote)).to.deep.equal([cheapFast, cheapSlow, dearFast, atEdge]);
    expect(matchQuotes({ ...request, priority: "time" }, all, neutral)).to.deep.equal(dearFast);
    expect(matchQuotes({ ...request, maxPrice: 80n }, all, neutral)).to.equal(null); // => self-prove

    // Full tie: lower address wins, then lower nonce, whatever the input order.
    const t1 = await q(b, { nonce: 7n });
    const t2 = await q(c, { nonce: 7n });
    const t3 = await q(b, { nonce: 6n });
    const lower = b.address.toLowerCase() < c.address.toLowerCase() ? t3 : t2;
    expect(matchQuotes(request, [t1, t2, t3], neutral)).to.deep.equal(lower);
    expect(matchQuotes(request, [t3, t2, t1], neutral)).to.deep.equal(lower);
  });

  it("applies reputation: skips provers below the threshold and prices in a penalty", async function () {
    const rep = new Reputation();
    const [a, b] = provers as [Wallet, Wallet];
    // (plain number comparison: the Hardhat chai matchers reinterpret closeTo for bigints)
    expect(Math.abs(rep.score(a.address) - 2 / 3)).to.be.below(1e-12); // prior for a newcomer
    const qa = await signQuote(a, base(a, { price: 100n }));
    const qb = await signQuote(b, base(b, { price: 110n }));
    rep.recordDelivered(b.address);
    rep.recordDelivered(b.address); // b: 4/5 = 0.8 -> 110 * 1.2 = 132 ; a: 2/3 -> 100 * 1.333 = 133
    const r = rankQuotes(request, [qa, qb], rep);
    expect(r.ranked.map((x) => [x.quote.quote.prover, x.adjustedPrice])).to.deep.equal([[b.address, 132n], [a.address, 133n]]);
    expect(matchQuotes(request, [qa, qb], rep, { penalty: 0 })).to.deep.equal(qa); // price only
    rep.recordFailed(a.address);
    expect(rep.score(a.address)).to.equal(0.5); // one failure tolerated
    expect(rankQuotes(request, [qa], rep).ranked.length).to.equal(1);
    rep.recordFailed(a.address);
    expect(rep.score(a.address)).to.equal(0.4);
    expect(rankQuotes(request, [qa], rep).rejected.map((x) => x.reason)).to.deep.equal(["LOW_REPUTATION"]);
    expect(matchQuotes(request, [qa], rep, { minScore: 0.3 })).to.deep.equal(qa);
  });

  it("persists reputation in the store", function () {
    const p = join(dir, "rep.db");
    const s1 = Store.open(p);
    const r1 = new Reputation({ store: s1 });
    r1.recordDelivered(provers[0]!.address, 3n);
    r1.recordFailed(provers[0]!.address.toLowerCase(), 4n);
    r1.recordFailed(provers[1]!.address);
    s1.close();
    const s2 = Store.open(p);
    const r2 = new Reputation({ store: s2 });
    expect(r2.record(provers[0]!.address)).to.deep.equal({ delivered: 1, failed: 1 });
    expect(r2.score(provers[0]!.address)).to.equal(3 / 5);
    expect(r2.all().length).to.equal(2);
    expect(s2.events("reputation").map((e) => e.data)).to.deep.equal([
      { prover: provers[0]!.address.toLowerCase(), outcome: "delivered", height: 3n },
      { prover: provers[0]!.address.toLowerCase(), outcome: "failed", height: 4n },
      { prover: provers[1]!.address.toLowerCase(), outcome: "failed", height: null },
    ]);
    expect(() => r2.score("not-an-address")).to.throw(QuoteError).with.property("code", "BAD_INPUT");
    s2.close();
  });

  it("round-trips quotes over HTTP: many provers in parallel, declines, timeouts, then matching", async function () {
    this.timeout(30_000);
    let l1 = 50;
    const mk = (w: Wallet, price: bigint | "decline" | "hang", signCommitments = false): QuoteServer =>
      new QuoteServer({
        signer: w, chainId: 31337n, rollup: ROLLUP, currentL1Block: () => l1, validityL1Blocks: 5, signCommitments,
        policy: async () => {
          if (price === "decline") return { decline: "busy proving height 4" };
          if (price === "hang") await new Promise((r) => setTimeout(r, 3000));
          return { price: price === "hang" ? 1n : price, provingTimeL1Blocks: 20, deposit: 1000n };
        },
      });
    const servers = [mk(provers[0]!, 120n), mk(provers[1]!, 100n, true), mk(provers[2]!, "decline"), mk(provers[3]!, "hang")];
    const urls = await Promise.all(servers.map((s) => s.listen(0)));
    try {
      const req = { height: 5n, maxPrice: 150n, maxProvingTime: 30, minDeposit: 1000n, chainId: 31337n, rollup: ROLLUP, sequencer: sequencer.address };
      const t0 = Date.now();
      const answers = await requestQuotes([...urls, "http://127.0.0.1:9"], req, { timeoutMs: 1000 });
      expect(Date.now() - t0).to.be.below(2900); // in parallel, bounded by the timeout
      expect(answers.map((a) => (a.ok ? "ok" : a.reason))).to.deep.equal(["ok", "ok", "POLICY", "TIMEOUT", "NETWORK"]);
      const quotes = answers.flatMap((a) => (a.ok ? [a.quote] : []));
      const chosen = matchQuotes({ ...request, currentL1Block: l1 }, quotes, neutral)!;
      expect(chosen.quote.prover).to.equal(provers[1]!.address);
      expect(chosen.quote.expiresAtL1Block).to.equal(55);
      // Prover 1 also consented to fund the Rollup's proverDeposit for this sequencer and height.
      const withCommit = answers[1]!;
      expect(withCommit.ok && withCommit.commitment).to.be.a("string");
      const c = { height: 5n, sequencer: sequencer.address, prover: provers[1]!.address, deposit: 1000n };
      expect(verifyProverCommitment(31337n, ROLLUP, c, (withCommit as { commitment: string }).commitment)).to.equal(true);
      expect(verifyProverCommitment(31337n, ROLLUP, { ...c, height: 6n }, (withCommit as { commitment: string }).commitment)).to.equal(false);
      expect(PROVER_COMMITMENT_TYPES.ProverCommitment!.map((f) => f.name)).to.deep.equal(["height", "sequencer", "prover", "deposit"]);
      expect(rollupDomain(31337n, ROLLUP).name).to.equal("fernet-rollup");
      expect(answers[0]!.ok && answers[0].commitment).to.equal(undefined); // not asked to sign commitments

      // The server declines what it cannot meet, and wrong bindings.
      const one = await requestQuotes([urls[0]!], { ...req, maxPrice: 119n });
      expect(one[0]!.ok ? "ok" : one[0]!.reason).to.equal("PRICE_ABOVE_MAX");
      const other = await requestQuotes([urls[0]!], { ...req, rollup: OTHER_ROLLUP });
      expect(other[0]!.ok ? "ok" : other[0]!.reason).to.equal("WRONG_ROLLUP");
      // Nonces differ between quotes of the same prover.
      l1 = 52;
      const again = await requestQuotes([urls[0]!], req);
      expect(again[0]!.ok && again[0].quote.quote.nonce).to.equal(1n);
      expect(again[0]!.ok && again[0].quote.quote.expiresAtL1Block).to.equal(57);

      // Raw HTTP: bad bodies are 400s, health answers.
      const bad = await fetch(urls[0]! + "/quote", { method: "POST", body: "{" });
      expect(bad.status).to.equal(400);
      const bad2 = await fetch(urls[0]! + "/quote", { method: "POST", body: JSON.stringify({ height: "x" }) });
      expect([bad2.status, ((await bad2.json()) as { reason: string }).reason]).to.deep.equal([400, "BAD_REQUEST"]);
      const health = (await (await fetch(urls[0]! + "/health")).json()) as { prover: string };
      expect(health.prover).to.equal(provers[0]!.address);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it("a quote request may carry the block of a proposal not revealed yet (revealAndCommitProver): it reaches the policy intact; a malformed one is a 400", async function () {
    let seen: QuoteRequest | undefined;
    const server = new QuoteServer({
      signer: provers[0]!, chainId: 31337n, rollup: ROLLUP, currentL1Block: () => 50, validityL1Blocks: 5,
      policy: (req) => {
        seen = req;
        return { price: 1n, provingTimeL1Blocks: 20, deposit: 1000n };
      },
    });
    const url = await server.listen(0);
    try {
      const block = { parent: 4n, newRoot: 123456789n, salt: "0x" + "ab".repeat(32), pubdata: "0x" + "01".repeat(40), signatures: "0x" + "cd".repeat(128) };
      const req = { height: 5n, maxPrice: 150n, maxProvingTime: 30, minDeposit: 1000n, chainId: 31337n, rollup: ROLLUP, sequencer: sequencer.address, block };
      expect(quoteRequestFromJSON(JSON.parse(JSON.stringify(quoteRequestToJSON(req))))).to.deep.equal(req);
      const [a] = await requestQuotes([url], req);
      expect(a!.ok).to.equal(true);
      expect(seen?.block).to.deep.equal(block);
      for (const [i, bad] of [{ ...block, salt: "0x12" }, { ...block, pubdata: "zz" }, { ...block, parent: "-1" }, "block"].entries()) {
        const body = JSON.stringify({ ...quoteRequestToJSON({ ...req, block: undefined }), block: typeof bad === "string" ? bad : { ...bad, parent: String(bad.parent), newRoot: String(bad.newRoot) } });
        const r = await fetch(url + "/quote", { method: "POST", body });
        expect([r.status, ((await r.json()) as { reason: string }).reason], `bad block ${i}`).to.deep.equal([400, "BAD_REQUEST"]);
        expect(() => quoteRequestFromJSON(JSON.parse(body))).to.throw(QuoteRequestError);
      }
    } finally {
      await server.close();
    }
  });
});
