/**
 * ProofDuty batching finished proofs (src/agents/proving.ts), its own and those other provers hand over, against a
 * scripted L1 (no chain, no prover): the proofs are the ones a previous run finished and stored, so these tests are
 * also the crash-resume path. The hand-over goes straight to the peer duty's `receive` (the HTTP route is a thin
 * wrapper, src/agents/prover.ts).
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeightStatus, RollupClientError, type ContractErrorName, type RollupClient } from "../../src/client/index.js";
import { Store } from "../../src/store/index.js";
import { Logger, type L2Chain, type TxSender } from "../../src/agents/common.js";
import { ProofDuty, handedFromJSON, handedToJSON, type HandedProof, type ProofEvent } from "../../src/agents/proving.js";
import type { Prover } from "../../src/zk/prover.js";

const ME = "0x1000000000000000000000000000000000000001";
const SEQ = "0x2000000000000000000000000000000000000002";
const AGG = "0x3000000000000000000000000000000000000003";
const ZERO = "0x0000000000000000000000000000000000000000";
const PEER = "0x4000000000000000000000000000000000000004";
const PEER_URL = "http://peer.invalid";

/** What the scripted L1 saw sent. */
interface Sent {
  method: "submitBatch" | "submitProof";
  heights: bigint[];
  payees?: string[];
}

/** A Rollup whose heights 1..n are pending (won by SEQ, proven by ME), commit phase over at block 10. */
function fakeL1(n: number, opts: { aggregator?: string; provingDeadline?: (h: bigint) => bigint; commitEnd?: (h: bigint) => bigint; prover?: (h: bigint) => string } = {}) {
  const status = new Map<bigint, HeightStatus>();
  for (let h = 1n; h <= BigInt(n); h++) status.set(h, HeightStatus.Pending);
  const sent: Sent[] = [];
  let refuseNext: string | undefined;
  const client = {
    pendingHeights: async () => [...status].filter(([, s]) => s === HeightStatus.Pending).map(([h]) => h),
    getHeight: async (h: bigint) => ({ status: status.get(h) ?? HeightStatus.None, winner: SEQ, parent: h - 1n }),
    getProposal: async (h: bigint) => ({ prover: opts.prover?.(h) ?? ME }),
    // The public inputs a proof is checked against: height and payee (a scripted proof is valid iff its word 0 is the height).
    publicInputsOf: async (h: bigint, _pubdata: string, payee: string) => [h, BigInt(payee)],
    timeline: async (h: bigint) => ({ commitEnd: opts.commitEnd?.(h) ?? 10n, provingDeadline: opts.provingDeadline?.(h) ?? 1_000n }),
    aggregatorAddress: async () => opts.aggregator ?? AGG,
    submitBatch: async (items: { height: bigint }[]) => {
      if (refuseNext) {
        const name = refuseNext;
        refuseNext = undefined;
        throw new RollupClientError("CONTRACT_REVERT", `reverted with ${name}`, { errorName: name as ContractErrorName });
      }
      sent.push({ method: "submitBatch", heights: items.map((i) => i.height), ...(opts.prover ? { payees: items.map((i) => (i as { payee?: string }).payee!) } : {}) });
      for (const i of items) status.set(i.height, HeightStatus.Proven);
      return { gasUsed: 300_000n * BigInt(items.length), blockNumber: 20 };
    },
    submitProof: async (a: { height: bigint; payee?: string }) => {
      sent.push({ method: "submitProof", heights: [a.height], ...(opts.prover ? { payees: [a.payee!] } : {}) });
      status.set(a.height, HeightStatus.Proven);
      return { gasUsed: 400_000n, blockNumber: 20 };
    },
  };
  const sender = { send: (_m: string, _h: bigint | undefined, fn: () => Promise<unknown>) => fn() };
  return { client, sender, status, sent, refuse: (name: string) => (refuseNext = name) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("agents/ProofDuty: provers batch their proofs (submitBatch)", function () {
  let dir: string;
  let n = 0;
  before(() => (dir = mkdtempSync(join(tmpdir(), "fernet-batch-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A store holding finished, unsent proofs of `heights` (what a crashed prover left behind). */
  function storeWith(heights: bigint[]): string {
    const path = join(dir, `prover-${++n}.sqlite`);
    const s = Store.open(path);
    for (const h of heights) s.put("proofs", h.toString().padStart(12, "0"), { height: h, sequencer: SEQ, pubdata: "0x00", proof: [h, 2n, 3n, 4n, 5n, 6n, 7n, 8n], submitted: false });
    s.close();
    return path;
  }

  function duty(l1: ReturnType<typeof fakeL1>, storePath: string, batchSize: number, events: ProofEvent[] = [], more: Partial<ConstructorParameters<typeof ProofDuty>[0]> = {}) {
    const store = Store.open(storePath);
    const d = new ProofDuty({
      client: l1.client as unknown as RollupClient, sender: l1.sender as unknown as TxSender, chain: {} as L2Chain, prover: {} as Prover,
      wasmPath: "", zkeyPath: "", T: 2, domain: 0n, me: ME, store, log: new Logger("test", "error"), batchSize, batchDeadlineMarginBlocks: 5,
      forwardFallbackMarginBlocks: 2, onEvent: (e) => events.push(e),
      verify: (proof, inputs) => proof[0] === inputs[0], ...more,
    });
    return { d, store };
  }

  /**
   * Two provers: ME proves the odd heights, PEER the even ones; each knows the other's hand-over URL. `peerTakes`
   * stands in for the HTTP hand-over (default: PEER's receive).
   */
  function pair(l1: ReturnType<typeof fakeL1>, mine: bigint[], theirs: bigint[], batchSize: number, peerTakes?: (p: HandedProof[]) => Promise<bigint[]>) {
    const a = duty(l1, storeWith(mine), batchSize, [], {
      peerUrl: async (x) => (x === PEER ? PEER_URL : undefined),
      handOver: async (url, proofs) => {
        expect(url).to.equal(PEER_URL);
        return peerTakes ? peerTakes(proofs) : (await b.d.receive(proofs)).accepted;
      },
    });
    const b = duty(l1, storeWith(theirs), batchSize, [], { me: PEER, peerUrl: async (x) => (x === ME ? "http://me.invalid" : undefined), handOver: async (_u, proofs) => (await a.d.receive(proofs)).accepted });
    return { a, b };
  }

  /** Two L1 heads: the first starts the jobs (they hold the stored proofs), the second sends. */
  /** `ms`: long enough for a job waiting for its commit phase to end (it looks every 100 ms) to see the new head. */
  async function heads(d: ProofDuty, next: bigint, ms = 30): Promise<void> {
    await d.scan(next);
    await sleep(ms);
    await d.scan(next);
  }

  it("after a restart, the stored proofs go out in one submitBatch once batchSize are held (no proving again)", async function () {
    const l1 = fakeL1(3);
    const path = storeWith([1n, 2n, 3n]);
    const events: ProofEvent[] = [];
    const { d, store } = duty(l1, path, 3, events);
    await heads(d, 20n);
    expect(l1.sent).to.deep.equal([{ method: "submitBatch", heights: [1n, 2n, 3n] }]);
    expect(events.filter((e) => e.kind === "proving")).to.have.length(0);
    expect(events.filter((e) => e.kind === "submitted").map((e) => e.height)).to.deep.equal([1n, 2n, 3n]);
    expect(d.heldProofs).to.equal(0);
    store.close();
  });

  it("while the next proof can still join, holds fewer than batchSize until the oldest deadline is within the margin, then sends what it has", async function () {
    // Height 3's proof is on its way (its height is decided at block 45): it could join before height 1's margin.
    const l1 = fakeL1(3, { provingDeadline: (h) => 40n + h * 10n, commitEnd: (h) => (h === 3n ? 45n : 10n) });
    const { d, store } = duty(l1, storeWith([1n, 2n, 3n]), 4);
    await heads(d, 20n);
    expect(l1.sent).to.deep.equal([]);
    expect(d.heldProofs).to.equal(2);
    expect(d.inFlight).to.equal(1); // only height 3: a held proof takes no proving capacity
    await d.scan(44n); // height 1's deadline is 50: 6 blocks away
    expect(l1.sent).to.deep.equal([]);
    await d.scan(45n);
    expect(l1.sent[0]!.heights.slice(0, 2)).to.deep.equal([1n, 2n]);
    await d.drain();
    store.close();
  });

  it("does not wait for a proof that cannot be ready before the margin (the proving window caps the batch)", async function () {
    // Height 3 is decided only at block 1000, long after height 1 must go (block 45).
    const l1 = fakeL1(3, { provingDeadline: (h) => 40n + h * 10n, commitEnd: (h) => (h === 3n ? 1_000n : 10n) });
    const { d, store } = duty(l1, storeWith([1n, 2n, 3n]), 4);
    await heads(d, 20n);
    expect(l1.sent).to.deep.equal([{ method: "submitBatch", heights: [1n, 2n] }]);
    await d.drain();
    store.close();
  });

  it("with no further proof coming, sends what it holds at once (waiting would fill nothing, only delay finality)", async function () {
    const l1 = fakeL1(2);
    const { d, store } = duty(l1, storeWith([1n, 2n]), 4);
    await heads(d, 20n);
    expect(l1.sent).to.deep.equal([{ method: "submitBatch", heights: [1n, 2n] }]);
    store.close();
  });

  it("drops a height proven or reorged meanwhile instead of letting it revert the batch; a lone survivor goes through submitProof", async function () {
    const l1 = fakeL1(3);
    const { d, store } = duty(l1, storeWith([1n, 2n, 3n]), 3);
    await d.scan(20n);
    await sleep(30);
    l1.status.set(1n, HeightStatus.Proven); // someone else proved it
    l1.status.set(3n, HeightStatus.Reorged);
    await d.scan(20n);
    expect(l1.sent).to.deep.equal([{ method: "submitProof", heights: [2n] }]);
    expect(d.heldProofs).to.equal(0);
    store.close();
  });

  it("a batch refused because the chain moved stays held and goes out at the next head, without the moved height", async function () {
    const l1 = fakeL1(3);
    const { d, store } = duty(l1, storeWith([1n, 2n, 3n]), 3);
    await d.scan(20n);
    await sleep(30);
    l1.refuse("Rollup__AlreadyProven");
    await d.scan(20n);
    expect(l1.sent).to.deep.equal([]);
    expect(d.heldProofs).to.equal(3);
    l1.status.set(2n, HeightStatus.Proven);
    await d.scan(21n);
    expect(l1.sent).to.deep.equal([{ method: "submitBatch", heights: [1n, 3n] }]);
    store.close();
  });

  it("batchSize 1, or a Rollup without a ProofAggregator: each proof alone through submitProof", async function () {
    for (const [size, aggregator] of [[1, AGG], [4, ZERO]] as const) {
      const l1 = fakeL1(2, { aggregator });
      const { d, store } = duty(l1, storeWith([1n, 2n]), size);
      await heads(d, 20n);
      expect(l1.sent).to.deep.equal([{ method: "submitProof", heights: [1n] }, { method: "submitProof", heights: [2n] }]);
      store.close();
    }
  });

  describe("across provers", function () {
    const odd = (h: bigint) => (h % 2n === 1n ? ME : PEER);

    it("a prover hands its finished proof to the next height's prover, which sends both in one batch paying each author", async function () {
      const l1 = fakeL1(2, { prover: odd });
      const { a, b } = pair(l1, [1n], [2n], 2);
      await heads(a.d, 20n); // ME holds height 1; height 2 is PEER's: handed over
      expect(a.d.heldProofs).to.equal(0);
      expect(a.d.handedOver).to.equal(1);
      await heads(b.d, 20n); // PEER's own height 2 joins: full
      expect(l1.sent).to.deep.equal([{ method: "submitBatch", heights: [1n, 2n], payees: [ME, PEER] }]);
      // ME's fallback point passes: the height reads proven, ME sends nothing.
      await a.d.scan(998n);
      await a.d.scan(999n);
      expect(l1.sent).to.have.length(1);
      expect(a.d.handedOver).to.equal(0);
      a.store.close();
      b.store.close();
    });

    it("batches of 4 travel up the heights' provers (1 -> 2 -> 3 -> 4) and the prover of the highest height sends them", async function () {
      // Heights 3 and 4 are decided later (blocks 25 and 30): their proofs go out only from there.
      const l1 = fakeL1(4, { prover: odd, commitEnd: (h) => (h === 3n ? 25n : h === 4n ? 30n : 10n) });
      const { a, b } = pair(l1, [1n, 3n], [2n, 4n], 4);
      await heads(a.d, 20n); // ME: holds 1; the next height is PEER's: handed over
      expect([a.d.heldProofs, a.d.handedOver, b.d.heldProofs]).to.deep.equal([0, 1, 1]);
      await heads(b.d, 20n); // PEER: 1 + its own 2; the next height (3) is ME's: both handed to ME
      expect([a.d.heldProofs, a.d.handedOver, b.d.heldProofs]).to.deep.equal([2, 0, 0]);
      await heads(a.d, 25n, 250); // ME: 1, 2 + its own 3; the next (4) is PEER's: handed over
      expect([a.d.heldProofs, b.d.heldProofs]).to.deep.equal([0, 3]);
      expect(l1.sent).to.deep.equal([]);
      await heads(b.d, 30n, 250); // PEER: its own 4 fills the batch
      expect(l1.sent).to.deep.equal([{ method: "submitBatch", heights: [1n, 2n, 3n, 4n], payees: [ME, PEER, ME, PEER] }]);
      await a.d.drain();
      await b.d.drain();
      a.store.close();
      b.store.close();
    });

    it("attack: the next prover takes the proof and withholds it; the author sends it itself before its deadline (2 blocks)", async function () {
      const l1 = fakeL1(2, { prover: odd, provingDeadline: () => 100n });
      const { a, b } = pair(l1, [1n], [], 2, async (proofs) => proofs.map((p) => p.height)); // says yes, keeps nothing
      await heads(a.d, 20n);
      expect(a.d.handedOver).to.equal(1);
      await a.d.scan(97n);
      expect(l1.sent).to.deep.equal([]);
      await a.d.scan(98n);
      expect(l1.sent).to.deep.equal([{ method: "submitProof", heights: [1n], payees: [ME] }]);
      a.store.close();
      b.store.close();
    });

    it("the batch decision waits while a hand-over is being checked: no half batch sent, no proof bounced back", async function () {
      const l1 = fakeL1(3, { prover: odd, commitEnd: (h) => (h === 3n ? 25n : 10n) });
      const { a, b } = pair(l1, [1n, 3n], [], 3);
      await heads(a.d, 20n); // ME holds 1; height 2 is PEER's: handed over
      expect([a.d.heldProofs, a.d.handedOver, b.d.heldProofs]).to.deep.equal([0, 1, 1]);
      // PEER hands back 1 with its own 2 (height 3 is ME's); the check of 2 (its public inputs) reads L1 slowly.
      const inputsOf = l1.client.publicInputsOf;
      l1.client.publicInputsOf = async (h: bigint, pubdata: string, payee: string) => (await sleep(150), inputsOf(h, pubdata, payee));
      const back = (height: bigint, payee: string): HandedProof => ({ height, sequencer: SEQ, pubdata: "0x00", proof: [height, 2n, 3n, 4n, 5n, 6n, 7n, 8n], payee });
      const receiving = a.d.receive([back(1n, ME), back(2n, PEER)]);
      await sleep(20); // 1 is queued again, 2 is being checked
      await a.d.scan(21n); // a head meanwhile: deciding on {1} would hand it to PEER again, or send it alone
      expect(l1.sent, "nothing sent while the hand-over is checked").to.deep.equal([]);
      expect((await receiving).accepted).to.deep.equal([1n, 2n]);
      l1.client.publicInputsOf = inputsOf;
      await heads(a.d, 25n, 250); // ME's own 3 joins: full
      expect(l1.sent).to.deep.equal([{ method: "submitBatch", heights: [1n, 2n, 3n], payees: [ME, PEER, ME] }]);
      await a.d.drain();
      a.store.close();
      b.store.close();
    });

    it("attack: a stream of hand-overs (the route is open) defers the batch decision one head at most, never twice in a row", async function () {
      const l1 = fakeL1(2, { prover: odd });
      const { a, b } = pair(l1, [1n], [], 2, async () => []); // PEER refuses hand-overs: ME sends its own
      await a.d.scan(20n);
      await sleep(30); // the stored proof of 1 is held again
      // A hand-over whose check never ends (an attacker's, or a stuck node).
      const inputsOf = l1.client.publicInputsOf;
      l1.client.publicInputsOf = async (h: bigint, pubdata: string, payee: string) => (h === 2n ? new Promise<bigint[]>(() => {}) : inputsOf(h, pubdata, payee));
      void a.d.receive([{ height: 2n, sequencer: SEQ, pubdata: "0x00", proof: [2n, 2n, 3n, 4n, 5n, 6n, 7n, 8n], payee: PEER }]);
      await sleep(20);
      await a.d.scan(21n);
      expect(l1.sent, "one head deferred").to.deep.equal([]);
      await a.d.scan(22n);
      expect(l1.sent, "the next head decides").to.deep.equal([{ method: "submitProof", heights: [1n], payees: [ME] }]);
      a.store.close();
      b.store.close();
    });

    it("a hand-over that fails (peer down) or is refused: the author sends at once", async function () {
      for (const take of [async () => { throw new Error("ECONNREFUSED"); }, async () => [] as bigint[]]) {
        const l1 = fakeL1(2, { prover: odd });
        const { a, b } = pair(l1, [1n], [], 2, take);
        await heads(a.d, 20n);
        expect(l1.sent).to.deep.equal([{ method: "submitProof", heights: [1n], payees: [ME] }]);
        a.store.close();
        b.store.close();
      }
    });

    it("attack: a junk proof handed over is refused (it would revert the whole batch); so are proven heights, other winners and a second proof of a queued height", async function () {
      const l1 = fakeL1(3, { prover: odd });
      l1.status.set(3n, HeightStatus.Proven);
      const { d: b, store: bStore } = duty(l1, storeWith([]), 2, [], { me: PEER });
      const p = (height: bigint, over: Partial<HandedProof> = {}): HandedProof => ({ height, sequencer: SEQ, pubdata: "0x00", proof: [height, 2n, 3n, 4n, 5n, 6n, 7n, 8n], payee: ME, ...over });
      const r = await b.receive([p(1n, { proof: [9n, 2n, 3n, 4n, 5n, 6n, 7n, 8n] }), p(3n), p(1n, { sequencer: ZERO })]);
      expect(r.accepted).to.deep.equal([]);
      expect(r.refused.map((x) => x.reason)).to.deep.equal(["invalid-proof", "not-pending", "other-winner"]);
      expect((await b.receive([p(1n)])).accepted).to.deep.equal([1n]);
      expect((await b.receive([p(1n, { payee: AGG })])).refused.map((x) => x.reason)).to.deep.equal(["already-queued"]);
      // Without a way to check proofs, nothing is taken.
      const { d: blind, store } = duty(l1, storeWith([]), 2, [], { me: PEER, verify: undefined });
      expect((await blind.receive([p(1n)])).refused.map((x) => x.reason)).to.deep.equal(["no-verification-key"]);
      bStore.close();
      store.close();
    });

    it("resume: a restarted batch sender still holds the proofs handed to it; a restarted author keeps its handed-over proof for the fallback only", async function () {
      const l1 = fakeL1(2, { prover: odd, provingDeadline: () => 100n });
      const bPath = storeWith([]);
      const aPath = storeWith([1n]);
      {
        const a = duty(l1, aPath, 2, [], { peerUrl: async () => PEER_URL, handOver: async (_u, proofs) => (await b.d.receive(proofs)).accepted });
        const b = duty(l1, bPath, 2, [], { me: PEER, peerUrl: async () => undefined });
        await heads(a.d, 20n);
        expect(b.d.heldProofs).to.equal(1);
        a.d.halt();
        b.d.halt();
        a.store.close(); // crash of both
        b.store.close();
      }
      const sent: bigint[][] = [];
      l1.status.set(2n, HeightStatus.Proven); // meanwhile height 2 was proven: nothing will join height 1 at the sender
      const a = duty(l1, aPath, 2, [], { peerUrl: async () => PEER_URL, handOver: async (_u, proofs: HandedProof[]) => (sent.push(proofs.map((x) => x.height)), []) });
      await heads(a.d, 30n);
      expect(a.d.handedOver).to.equal(1); // not handed again, not sent: the peer has it
      expect(sent).to.deep.equal([]);
      expect(l1.sent).to.deep.equal([]);
      const b = duty(l1, bPath, 2, [], { me: PEER, peerUrl: async () => undefined });
      await b.d.scan(30n); // the handed-over proof is queued again; nothing joins (height 2 has no proof here): sent
      expect(l1.sent).to.deep.equal([{ method: "submitProof", heights: [1n], payees: [ME] }]);
      await a.d.scan(98n); // the author's fallback finds it proven
      expect(l1.sent).to.have.length(1);
      a.store.close();
      b.store.close();
    });

    it("the hand-over's JSON round-trips and malformed bodies are refused", function () {
      const p: HandedProof = { height: 7n, sequencer: SEQ, pubdata: "0xab", proof: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n], payee: ME };
      expect(handedFromJSON(JSON.parse(JSON.stringify(handedToJSON([p]))))).to.deep.equal([p]);
      for (const bad of [{}, { proofs: [] }, { proofs: [{ ...p, proof: ["1"] }] }, { proofs: [{ ...handedToJSON([p]) as object, payee: "me" }] }]) {
        expect(() => handedFromJSON(bad)).to.throw();
      }
      const huge = (handedToJSON([p]) as { proofs: Record<string, unknown>[] }).proofs[0]!;
      expect(() => handedFromJSON({ proofs: [{ ...huge, proof: [...(huge.proof as string[]).slice(1), (2n ** 255n).toString()] }] })).to.throw(/field/);
    });
  });
});
