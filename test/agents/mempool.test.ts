/**
 * Mempool: validation against the pending state, fees-first selection with consecutive nonces, replacement,
 * eviction, inclusion and reorg re-insertion, with real EdDSA-signed transfers; each selection is checked by
 * executing it as a block with the L2 rules.
 */
import { expect } from "chai";
import { L2Error, executeBlock, l2Domain, signTransfer, transferFromJSON, type TransferJSON, type KeyPair, type L2State, type Transfer } from "../../src/l2/index.js";
import { Mempool, MempoolError, txIdOf } from "../../src/node/index.js";
import { DOMAIN, genesis, tx } from "./fixtures/l2.js";

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof L2Error || e instanceof MempoolError) return e.code;
    throw e;
  }
  throw new Error("expected a throw");
}

const ids = (txs: Transfer[]): string[] => txs.map((t) => `${t.from}:${t.nonce}`);

describe("agents/mempool", function () {
  let state: L2State;
  let keys: KeyPair[];

  before(async function () {
    ({ state, keys } = await genesis(4, [1000n, 1000n, 1000n, 100n]));
  });

  it("accepts a valid transfer and reports it executable", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    const t = tx(keys, { from: 1, to: 2, nonce: 0 });
    const r = pool.add(t);
    expect(r).to.deep.equal({ txId: txIdOf(t), executable: true });
    expect(pool.size).to.equal(1);
    expect(pool.has(r.txId)).to.equal(true);
    expect(pool.pendingNonce(1)).to.equal(1);
    expect(pool.pendingNonce(2)).to.equal(0);
    expect(pool.pendingNonce(9)).to.equal(undefined);
  });

  it("refuses invalid transfers with typed codes and leaves the pool unchanged", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    const good = tx(keys, { from: 1, to: 2, nonce: 0 });
    expect(code(() => pool.add({ ...good, amount: 2n }))).to.equal("BAD_SIGNATURE"); // tampered after signing
    expect(code(() => pool.add(signTransfer({ from: 1, to: 2, amount: 1n, fee: 1n, nonce: 0 }, keys[2]!.seed, DOMAIN)))).to.equal("BAD_SIGNATURE");
    // the sender's own signature, but under another rollup's domain (same chain): a replay, refused
    const elsewhere = l2Domain(31337n, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    expect(code(() => pool.add(signTransfer({ from: 1, to: 2, amount: 1n, fee: 1n, nonce: 0 }, keys[1]!.seed, elsewhere)))).to.equal("BAD_SIGNATURE");
    expect(code(() => pool.add(tx(keys, { from: 1, to: 9, nonce: 0 })))).to.equal("UNKNOWN_ACCOUNT");
    expect(code(() => pool.add(tx(keys, { from: 1, to: 0, nonce: 0 })))).to.equal("UNKNOWN_ACCOUNT");
    expect(code(() => pool.add({ ...good, from: 7 }))).to.equal("UNKNOWN_ACCOUNT");
    expect(code(() => pool.add(tx(keys, { from: 4, to: 1, nonce: 0, amount: 100n, fee: 1n })))).to.equal("OVERSPEND");
    expect(code(() => pool.add(tx(keys, { from: 1, to: 2, nonce: 65 })))).to.equal("NONCE_TOO_FAR");
    expect(code(() => pool.add({ ...good, amount: -1n }))).to.equal("OUT_OF_RANGE");
    expect(pool.size).to.equal(0);
    pool.add(good);
    expect(code(() => pool.add(good))).to.equal("DUPLICATE");
    expect(pool.size).to.equal(1);
  });

  it("refuses a nonce below the account's nonce in the pending view", function () {
    const next = executeBlock(state, [tx(keys, { from: 1, to: 2, nonce: 0 })], 2, DOMAIN).state;
    const pool = new Mempool(next, { domain: DOMAIN });
    expect(code(() => pool.add(tx(keys, { from: 1, to: 2, nonce: 0, amount: 5n })))).to.equal("NONCE_TOO_LOW");
    expect(pool.add(tx(keys, { from: 1, to: 2, nonce: 1 })).executable).to.equal(true);
  });

  it("selects fees first but keeps each sender's nonces consecutive; a future nonce waits", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    pool.add(tx(keys, { from: 1, to: 2, nonce: 1, fee: 10n })); // arrives first, cannot go before nonce 0
    expect(pool.pendingNonce(1)).to.equal(0);
    pool.add(tx(keys, { from: 1, to: 2, nonce: 0, fee: 1n }));
    pool.add(tx(keys, { from: 2, to: 3, nonce: 0, fee: 5n }));
    pool.add(tx(keys, { from: 3, to: 1, nonce: 0, fee: 3n }));
    const gap = pool.add(tx(keys, { from: 3, to: 1, nonce: 2, fee: 50n })); // nonce 1 missing
    expect(gap.executable).to.equal(false);
    expect(pool.pendingNonce(1)).to.equal(2);

    expect(ids(pool.select(3))).to.deep.equal(["2:0", "3:0", "1:0"]);
    const all = pool.select(8);
    expect(ids(all)).to.deep.equal(["2:0", "3:0", "1:0", "1:1"]); // 3:2 waits for 3:1
    // The selection is a valid block body under the L2 rules.
    const block = executeBlock(state, all, 8, DOMAIN);
    expect(block.totalFees).to.equal(19n);
    expect(pool.size).to.equal(5); // select does not remove
  });

  it("breaks fee ties by arrival order", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    pool.add(tx(keys, { from: 3, to: 1, nonce: 0, fee: 4n }));
    pool.add(tx(keys, { from: 1, to: 2, nonce: 0, fee: 4n }));
    pool.add(tx(keys, { from: 2, to: 1, nonce: 0, fee: 4n }));
    expect(ids(pool.select(3))).to.deep.equal(["3:0", "1:0", "2:0"]);
  });

  it("simulates balances during selection (a sender cannot spend twice what it has)", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    pool.add(tx(keys, { from: 4, to: 1, nonce: 0, amount: 60n, fee: 9n }));
    pool.add(tx(keys, { from: 4, to: 1, nonce: 1, amount: 60n, fee: 9n })); // each alone fits 100, both do not
    pool.add(tx(keys, { from: 2, to: 3, nonce: 0, fee: 1n }));
    const sel = pool.select(4);
    expect(ids(sel)).to.deep.equal(["4:0", "2:0"]);
    executeBlock(state, sel, 4, DOMAIN); // valid: would throw OVERSPEND if 4:1 were in
  });

  it("replaces a (sender, nonce) only for a strictly higher fee", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    const a = pool.add(tx(keys, { from: 1, to: 2, nonce: 0, fee: 5n }));
    expect(code(() => pool.add(tx(keys, { from: 1, to: 3, nonce: 0, fee: 5n })))).to.equal("REPLACEMENT_UNDERPRICED");
    // A forged replacement (higher fee, bad signature) changes nothing.
    expect(code(() => pool.add({ ...tx(keys, { from: 1, to: 3, nonce: 0, fee: 6n }), fee: 60n }))).to.equal("BAD_SIGNATURE");
    expect(pool.has(a.txId)).to.equal(true);
    const b = pool.add(tx(keys, { from: 1, to: 3, nonce: 0, fee: 6n }));
    expect(b.replaced).to.equal(a.txId);
    expect(pool.has(a.txId)).to.equal(false);
    expect(pool.size).to.equal(1);
    expect(pool.select(1)[0]!.to).to.equal(3);
  });

  it("evicts the lowest-fee transaction when full, and refuses a newcomer that does not pay more", function () {
    const pool = new Mempool(state, { domain: DOMAIN, maxSize: 3 });
    pool.add(tx(keys, { from: 1, to: 2, nonce: 0, fee: 2n }));
    const cheap = pool.add(tx(keys, { from: 2, to: 1, nonce: 0, fee: 1n }));
    pool.add(tx(keys, { from: 3, to: 1, nonce: 0, fee: 3n }));
    expect(code(() => pool.add(tx(keys, { from: 4, to: 1, nonce: 0, fee: 1n })))).to.equal("POOL_FULL");
    expect(code(() => pool.add({ ...tx(keys, { from: 4, to: 1, nonce: 0, fee: 7n }), amount: 2n }))).to.equal("BAD_SIGNATURE");
    expect(pool.has(cheap.txId)).to.equal(true); // a forged tx evicts nothing
    const r = pool.add(tx(keys, { from: 4, to: 1, nonce: 0, fee: 7n }));
    expect(r.evicted).to.equal(cheap.txId);
    expect(pool.size).to.equal(3);
    expect(ids(pool.select(3))).to.deep.equal(["4:0", "3:0", "1:0"]);
  });

  it("removes included transactions and those they conflict with; a new view drops stale nonces", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    const a = tx(keys, { from: 1, to: 2, nonce: 0, fee: 3n });
    pool.add(a);
    pool.add(tx(keys, { from: 1, to: 2, nonce: 1, fee: 3n }));
    pool.add(tx(keys, { from: 2, to: 3, nonce: 0, fee: 2n }));
    // Another sequencer's block included a different tx of account 2 with nonce 0, and `a`.
    const other = tx(keys, { from: 2, to: 4, nonce: 0, fee: 1n });
    const block = executeBlock(state, [a, other], 2, DOMAIN);
    const { removed, conflicting } = pool.removeIncluded(block.txs);
    expect(removed.map((e) => e.txId)).to.deep.equal([txIdOf(a)]);
    expect(conflicting.map((e) => `${e.tx.from}:${e.tx.nonce}`)).to.deep.equal(["2:0"]);
    expect(pool.setView(block.state)).to.deep.equal([]);
    expect(ids(pool.select(2))).to.deep.equal(["1:1"]);

    // setView alone also drops what the new state made stale.
    const pool2 = new Mempool(state, { domain: DOMAIN });
    pool2.add(tx(keys, { from: 1, to: 2, nonce: 0, fee: 9n }));
    const dropped = pool2.setView(block.state);
    expect(dropped.map((e) => e.tx.nonce)).to.deep.equal([0]);
    expect(pool2.size).to.equal(0);
  });

  it("re-inserts the transactions of a reorged block ahead of their successors", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    const t0 = tx(keys, { from: 1, to: 2, nonce: 0, fee: 1n });
    const u0 = tx(keys, { from: 2, to: 3, nonce: 0, fee: 1n });
    pool.add(t0);
    pool.add(u0);
    const block1 = executeBlock(state, pool.select(2), 2, DOMAIN);
    pool.removeIncluded(block1.txs);
    pool.setView(block1.state);
    const t1 = tx(keys, { from: 1, to: 3, nonce: 1, fee: 8n });
    pool.add(t1);
    expect(pool.add(tx(keys, { from: 1, to: 3, nonce: 2, fee: 8n })).executable).to.equal(false);

    // Block 1 is reorged away: back to the genesis state, its txs go back into the pool.
    expect(pool.setView(state)).to.deep.equal([]); // t1, t2 are still valid (future nonces)
    const res = pool.reinsert([u0, t0, t0]);
    expect(res.rejected).to.deep.equal([]);
    expect(res.accepted.map((a) => a.txId)).to.deep.equal([txIdOf(t0), txIdOf(t0), txIdOf(u0)]);
    expect(res.accepted.every((a) => a.executable)).to.equal(true);
    const sel = pool.select(4);
    expect(ids(sel)).to.deep.equal(["1:0", "1:1", "1:2", "2:0"]);
    expect(executeBlock(state, sel, 4, DOMAIN).newRoot).to.not.equal(state.root);

    // A reorged tx that the new view cannot take is reported, not thrown.
    const pool3 = new Mempool(block1.state, { domain: DOMAIN });
    const r3 = pool3.reinsert([t0]);
    expect(r3.accepted).to.deep.equal([]);
    expect(r3.rejected.map((x) => x.error.code)).to.deep.equal(["NONCE_TOO_LOW"]);
  });

  it("round-trips its content through JSON (persistence)", function () {
    const pool = new Mempool(state, { domain: DOMAIN });
    pool.add(tx(keys, { from: 1, to: 2, nonce: 0, fee: 2n }));
    pool.add(tx(keys, { from: 2, to: 1, nonce: 0, fee: 3n }));
    const json = JSON.parse(JSON.stringify(pool.toJSON()));
    const back = new Mempool(state, { domain: DOMAIN });
    const res = back.reinsert(json.map((j: TransferJSON) => transferFromJSON(j)));
    expect(res.rejected).to.deep.equal([]);
    expect(ids(back.select(2))).to.deep.equal(ids(pool.select(2)));
  });

  it("checks its options", function () {
    expect(() => new Mempool(state, { domain: DOMAIN, maxSize: 0 })).to.throw(MempoolError).with.property("code", "BAD_OPTION");
  });
});
