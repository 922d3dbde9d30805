/** A node's mempool and status tracker saved to the store and restored after a restart (re-validated). */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { executeBlock } from "../../src/l2/index.js";
import { Mempool, StatusTracker, loadNode, saveNode } from "../../src/node/index.js";
import { Store } from "../../src/store/index.js";
import { DOMAIN, genesis, tx } from "./fixtures/l2.js";

describe("agents/persist", function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), "fernet-persist-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("restores the pool and statuses, dropping what the chain made stale while down", async function () {
    const { state, keys } = await genesis(4);
    const pool = new Mempool(state, { domain: DOMAIN });
    const tracker = new StatusTracker();
    const at = { l1Block: 10, timestamp: 120 };
    const a = tx(keys, { from: 1, to: 2, nonce: 0, fee: 5n });
    const b = tx(keys, { from: 2, to: 3, nonce: 0, fee: 4n });
    const c = tx(keys, { from: 2, to: 3, nonce: 1, fee: 4n });
    for (const t of [a, b, c]) tracker.track(pool.add(t).txId, at);
    const p = join(dir, "node.db");
    const s1 = Store.open(p);
    saveNode(s1, "node", pool, tracker);
    s1.close();

    // While the agent was down, another sequencer's block used account 2's nonce 0 with a different tx.
    const moved = executeBlock(state, [tx(keys, { from: 2, to: 4, nonce: 0, fee: 1n })], 2, DOMAIN).state;
    const s2 = Store.open(p);
    const { mempool, tracker: t2, rejected } = loadNode(s2, "node", moved, { l1Block: 20, timestamp: 240 }, { domain: DOMAIN });
    s2.close();
    expect(rejected.map((r) => r.error.code)).to.deep.equal(["NONCE_TOO_LOW"]);
    expect(mempool.size).to.equal(2);
    expect(mempool.select(4).map((t) => `${t.from}:${t.nonce}`)).to.deep.equal(["1:0", "2:1"]);
    expect(t2.byStatus("in_mempool").length).to.equal(2);
    expect(t2.byStatus("dropped")).to.deep.equal([rejected[0]!.txId]);
    expect(t2.get(rejected[0]!.txId!)!.history.at(-1)).to.deep.include({ l1Block: 20, reason: "after restart: NONCE_TOO_LOW" });
  });
});
