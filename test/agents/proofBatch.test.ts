/**
 * ProofDuty batching its own finished proofs (src/agents/proving.ts) against a scripted L1 (no chain, no prover):
 * the proofs are the ones a previous run finished and stored, so these tests are also the crash-resume path.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeightStatus, RollupClientError, type ContractErrorName, type RollupClient } from "../../src/client/index.js";
import { Store } from "../../src/store/index.js";
import { Logger, type L2Chain, type TxSender } from "../../src/agents/common.js";
import { ProofDuty, type ProofEvent } from "../../src/agents/proving.js";
import type { Prover } from "../../src/zk/prover.js";

const ME = "0x1000000000000000000000000000000000000001";
const SEQ = "0x2000000000000000000000000000000000000002";
const AGG = "0x3000000000000000000000000000000000000003";
const ZERO = "0x0000000000000000000000000000000000000000";

/** What the scripted L1 saw sent. */
interface Sent {
  method: "submitBatch" | "submitProof";
  heights: bigint[];
}

/** A Rollup whose heights 1..n are pending (won by SEQ, proven by ME), commit phase over at block 10. */
function fakeL1(n: number, opts: { aggregator?: string; provingDeadline?: (h: bigint) => bigint; commitEnd?: (h: bigint) => bigint } = {}) {
  const status = new Map<bigint, HeightStatus>();
  for (let h = 1n; h <= BigInt(n); h++) status.set(h, HeightStatus.Pending);
  const sent: Sent[] = [];
  let refuseNext: string | undefined;
  const client = {
    pendingHeights: async () => [...status].filter(([, s]) => s === HeightStatus.Pending).map(([h]) => h),
    getHeight: async (h: bigint) => ({ status: status.get(h) ?? HeightStatus.None, winner: SEQ, parent: h - 1n }),
    getProposal: async () => ({ prover: ME }),
    timeline: async (h: bigint) => ({ commitEnd: opts.commitEnd?.(h) ?? 10n, provingDeadline: opts.provingDeadline?.(h) ?? 1_000n }),
    aggregatorAddress: async () => opts.aggregator ?? AGG,
    submitBatch: async (items: { height: bigint }[]) => {
      if (refuseNext) {
        const name = refuseNext;
        refuseNext = undefined;
        throw new RollupClientError("CONTRACT_REVERT", `reverted with ${name}`, { errorName: name as ContractErrorName });
      }
      sent.push({ method: "submitBatch", heights: items.map((i) => i.height) });
      for (const i of items) status.set(i.height, HeightStatus.Proven);
      return { gasUsed: 300_000n * BigInt(items.length), blockNumber: 20 };
    },
    submitProof: async (a: { height: bigint }) => {
      sent.push({ method: "submitProof", heights: [a.height] });
      status.set(a.height, HeightStatus.Proven);
      return { gasUsed: 400_000n, blockNumber: 20 };
    },
  };
  const sender = { send: (_m: string, _h: bigint | undefined, fn: () => Promise<unknown>) => fn() };
  return { client, sender, status, sent, refuse: (name: string) => (refuseNext = name) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("agents/ProofDuty: a prover batches its own proofs", function () {
  let dir: string;
  let n = 0;
  before(() => (dir = mkdtempSync(join(tmpdir(), "fernet-batch-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A store holding finished, unsent proofs of `heights` (what a crashed prover left behind). */
  function storeWith(heights: bigint[]): string {
    const path = join(dir, `prover-${++n}.sqlite`);
    const s = Store.open(path);
    for (const h of heights) s.put("proofs", h.toString().padStart(12, "0"), { height: h, sequencer: SEQ, pubdata: "0x00", proof: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n], submitted: false });
    s.close();
    return path;
  }

  function duty(l1: ReturnType<typeof fakeL1>, storePath: string, batchSize: number, events: ProofEvent[] = []) {
    const store = Store.open(storePath);
    const d = new ProofDuty({
      client: l1.client as unknown as RollupClient, sender: l1.sender as unknown as TxSender, chain: {} as L2Chain, prover: {} as Prover,
      wasmPath: "", zkeyPath: "", T: 2, domain: 0n, me: ME, store, log: new Logger("test", "error"), batchSize, batchDeadlineMarginBlocks: 5,
      onEvent: (e) => events.push(e),
    });
    return { d, store };
  }

  /** Two L1 heads: the first starts the jobs (they hold the stored proofs), the second sends. */
  async function heads(d: ProofDuty, next: bigint): Promise<void> {
    await d.scan(next);
    await sleep(30);
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

  it("while another proof is on its way, holds fewer than batchSize until the oldest deadline is within the margin, then sends what it has", async function () {
    // Height 3's proof is on its way (its height is decided only at block 1000): it could join the batch.
    const l1 = fakeL1(3, { provingDeadline: (h) => 40n + h * 10n, commitEnd: (h) => (h === 3n ? 1_000n : 10n) });
    const { d, store } = duty(l1, storeWith([1n, 2n, 3n]), 4);
    await heads(d, 20n);
    expect(l1.sent).to.deep.equal([]);
    expect(d.heldProofs).to.equal(2);
    expect(d.inFlight).to.equal(1); // only height 3: a held proof takes no proving capacity
    await d.scan(44n); // height 1's deadline is 50: 6 blocks away
    expect(l1.sent).to.deep.equal([]);
    await d.scan(45n);
    expect(l1.sent).to.deep.equal([{ method: "submitBatch", heights: [1n, 2n] }]);
    await d.drain();
    store.close();
  });

  it("with no other proof on its way, sends what it holds at once (waiting would fill nothing, only delay finality)", async function () {
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
});
