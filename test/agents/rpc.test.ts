/** L2 JSON-RPC server and client over a real HTTP port on 127.0.0.1 (ephemeral, closed after). */
import { expect } from "chai";
import { executeBlock, transferToJSON, type KeyPair, type L2State } from "../../src/l2/index.js";
import {
  L2RpcClient, L2RpcServer, Mempool, RPC_ERRORS, RpcError, RpcTransportError, StatusTracker, rootHex, txIdOf, type L2NodeBackend,
} from "../../src/node/index.js";
import { DOMAIN, genesis, tx } from "./fixtures/l2.js";

async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RpcError) return e;
    throw e;
  }
  throw new Error("expected an RpcError");
}

describe("agents/rpc", function () {
  let finalized: L2State;
  let pending: L2State;
  let keys: KeyPair[];
  let backend: L2NodeBackend;
  let server: L2RpcServer;
  let url: string;
  let client: L2RpcClient;
  let l1Block = 100;
  const persisted: string[] = [];

  before(async function () {
    ({ state: finalized, keys } = await genesis(4));
    // Pending = finalized + one block with 1 -> 2 (nonce 0), so the two views differ.
    pending = executeBlock(finalized, [tx(keys, { from: 1, to: 2, nonce: 0, amount: 10n, fee: 2n })], 2, DOMAIN).state;
    const mempool = new Mempool(pending, { domain: DOMAIN, maxSize: 8 });
    const tracker = new StatusTracker();
    backend = {
      mempool,
      tracker,
      pendingState: () => pending,
      finalizedState: () => finalized,
      chainInfo: () => ({
        chainId: 31337, rollup: "0x5FbDB2315678afecb367f032d93F642f64180aa3", depth: 4, blockSize: 2,
        pendingHeight: 1, finalizedHeight: 0, pendingRoot: rootHex(pending.root), finalizedRoot: rootHex(finalized.root), l1Block,
      }),
      l1Now: () => ({ l1Block, timestamp: 1_700_000_000 + l1Block * 12 }),
      onTransaction: (id) => persisted.push(id),
    };
    server = new L2RpcServer(backend);
    url = await server.listen(0);
    client = new L2RpcClient(url, { timeoutMs: 5000 });
  });

  after(async function () {
    await server.close();
  });

  it("sends a transaction and tracks it as in_mempool at the current L1 block", async function () {
    const t = tx(keys, { from: 1, to: 3, nonce: 1, amount: 5n, fee: 3n });
    const id = await client.sendTransaction(t);
    expect(id).to.equal(txIdOf(t));
    expect(backend.mempool.has(id)).to.equal(true);
    expect(persisted).to.include(id);
    const st = await client.getTransactionStatus(id);
    expect(st).to.deep.equal({ txId: id, status: "in_mempool", history: [{ status: "in_mempool", l1Block: 100, timestamp: 1_700_001_200 }] });
    expect(await client.getTransactionsByStatus("in_mempool")).to.deep.equal([id]);
    expect(await client.getTransactionStatus("0x" + "ab".repeat(32))).to.equal(null);
  });

  it("shows accounts in the pending and finalized views, with the next nonce", async function () {
    const p = await client.getAccount(1);
    expect(p).to.deep.include({ index: 1, balance: "988", nonce: 1, nextNonce: 2, view: "pending" });
    expect(p!.publicKey).to.deep.equal([keys[1]!.publicKey[0].toString(), keys[1]!.publicKey[1].toString()]);
    expect(await client.getAccount(1, "finalized")).to.deep.include({ balance: "1000", nonce: 0, view: "finalized" });
    expect(await client.getAccount(9)).to.equal(null);
    const info = await client.chainInfo();
    expect(info).to.deep.include({ chainId: 31337, depth: 4, blockSize: 2, pendingHeight: 1, mempoolSize: 1, l1Block: 100 });
    expect(info.pendingRoot).to.equal(rootHex(pending.root));
  });

  it("maps rejections to JSON-RPC errors with the L2 / mempool code in data", async function () {
    const good = tx(keys, { from: 2, to: 3, nonce: 0, fee: 1n });
    let e = await rpcError(client.sendTransaction({ ...transferToJSON(good), amount: "2" }));
    expect([e.code, e.appCode]).to.deep.equal([RPC_ERRORS.L2_REJECTED, "BAD_SIGNATURE"]);
    e = await rpcError(client.sendTransaction(tx(keys, { from: 3, to: 1, nonce: 0, amount: 5000n })));
    expect([e.code, e.appCode]).to.deep.equal([RPC_ERRORS.L2_REJECTED, "OVERSPEND"]);
    e = await rpcError(client.sendTransaction(tx(keys, { from: 1, to: 2, nonce: 0, amount: 10n, fee: 2n })));
    expect([e.code, e.appCode]).to.deep.equal([RPC_ERRORS.MEMPOOL_REJECTED, "NONCE_TOO_LOW"]);
    await client.sendTransaction(good);
    e = await rpcError(client.sendTransaction(good));
    expect([e.code, e.appCode]).to.deep.equal([RPC_ERRORS.MEMPOOL_REJECTED, "DUPLICATE"]);
    e = await rpcError(client.call("l2_sendTransaction", [{ from: 1, to: 2 }]));
    expect([e.code, e.appCode]).to.deep.equal([RPC_ERRORS.INVALID_PARAMS, "OUT_OF_RANGE"]);
    e = await rpcError(client.call("l2_getAccount", ["one"]));
    expect(e.code).to.equal(RPC_ERRORS.INVALID_PARAMS);
    e = await rpcError(client.call("l2_getAccount", { index: 1, color: "red" }));
    expect(e.code).to.equal(RPC_ERRORS.INVALID_PARAMS);
    e = await rpcError(client.call("l2_getTransactionsByStatus", ["lost"]));
    expect(e.code).to.equal(RPC_ERRORS.INVALID_PARAMS);
    e = await rpcError(client.call("eth_blockNumber"));
    expect(e.code).to.equal(RPC_ERRORS.METHOD_NOT_FOUND);
    // Named params work too.
    expect(await client.call("l2_getAccount", { index: 2, view: "finalized" })).to.deep.include({ balance: "1000" });
  });

  it("a transaction already in a block is refused as already known; a replacement marks the old one dropped", async function () {
    const t = tx(keys, { from: 4, to: 1, nonce: 0, fee: 1n });
    const id = await client.sendTransaction(t);
    backend.tracker.transition(id, "in_proposed_block", { l1Block: 101, timestamp: 1 }, { height: 2 });
    backend.mempool.removeIncluded([t]);
    const e = await rpcError(client.sendTransaction(t));
    expect([e.code, e.appCode]).to.deep.equal([RPC_ERRORS.ALREADY_KNOWN, "ALREADY_KNOWN"]);

    const a = await client.sendTransaction(tx(keys, { from: 3, to: 1, nonce: 0, fee: 1n }));
    const b = await client.sendTransaction(tx(keys, { from: 3, to: 2, nonce: 0, fee: 4n }));
    expect((await client.getTransactionStatus(a))!.status).to.equal("dropped");
    expect((await client.getTransactionStatus(a))!.history.at(-1)!.reason).to.equal(`replaced by ${b}`);
    expect((await client.getTransactionStatus(b))!.status).to.equal("in_mempool");
  });

  it("answers batches in order, skips notifications, and speaks raw JSON-RPC errors", async function () {
    const res = await client.batch([
      { method: "l2_chainInfo" },
      { method: "l2_getAccount", params: [2, "finalized"] },
      { method: "nope" },
    ]);
    expect(res.length).to.equal(3);
    expect("result" in res[0]! && (res[0].result as { chainId: number }).chainId).to.equal(31337);
    expect("result" in res[1]! && (res[1].result as { balance: string }).balance).to.equal("1000");
    expect("error" in res[2]! && res[2].error.code).to.equal(RPC_ERRORS.METHOD_NOT_FOUND);

    const raw = async (body: string, method = "POST"): Promise<{ status: number; json: unknown }> => {
      const r = await fetch(url, { method, body: method === "POST" ? body : undefined, headers: { "content-type": "application/json" } });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : undefined };
    };
    expect((await raw("{not json")).json).to.deep.include({ id: null, error: { code: -32700, message: "parse error" } });
    expect(((await raw(`{"jsonrpc":"1.0","id":1,"method":"l2_chainInfo"}`)).json as { error: { code: number } }).error.code).to.equal(-32600);
    expect(((await raw(`[]`)).json as { error: { code: number } }).error.code).to.equal(-32600);
    const mixed = await raw(`[{"jsonrpc":"2.0","method":"l2_chainInfo"},{"jsonrpc":"2.0","id":"x","method":"l2_chainInfo"},5]`);
    const arr = mixed.json as { id: unknown; error?: { code: number } }[];
    expect(arr.map((x) => x.id)).to.deep.equal(["x", null]); // the notification gets no answer
    expect(arr[1]!.error!.code).to.equal(-32600);
    const note = await raw(`{"jsonrpc":"2.0","method":"l2_chainInfo"}`);
    expect([note.status, note.json]).to.deep.equal([204, undefined]);
    expect((await raw("", "GET")).status).to.equal(405);
    const big = await raw(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "l2_chainInfo", params: ["x".repeat(1 << 20)] }));
    expect([big.status, (big.json as { error: { code: number } }).error.code]).to.deep.equal([413, -32600]);
  });

  it("serves l2_getBlockBody only from a backend that has block bodies", async function () {
    // The shared server has no `blockBody`: the method does not exist there.
    expect((await rpcError(client.call("l2_getBlockBody", [1]))).code).to.equal(RPC_ERRORS.METHOD_NOT_FOUND);
    const body = { height: "3", sequencer: "0x1000000000000000000000000000000000000001", parent: "2", newRoot: rootHex(7n), pubdata: "0x00", txs: [] };
    const asked: bigint[] = [];
    const withBodies = new L2RpcServer({ ...backend, blockBody: async (h) => (asked.push(h), h === 3n ? body : null) });
    const c = new L2RpcClient(await withBodies.listen(0), { timeoutMs: 5000 });
    try {
      expect(await c.getBlockBody(3n)).to.deep.equal(body);
      expect(await c.call("l2_getBlockBody", ["3"])).to.deep.equal(body);
      expect(await c.call("l2_getBlockBody", { height: 3 })).to.deep.equal(body);
      expect(await c.call("l2_getBlockBody", [4])).to.equal(null);
      for (const bad of [[], ["x"], [1.5]]) {
        const e = await rpcError(c.call("l2_getBlockBody", bad));
        expect([e.code, e.message]).to.deep.equal([RPC_ERRORS.INVALID_PARAMS, "params: [height]"]);
      }
      expect(asked).to.deep.equal([3n, 3n, 3n, 4n]);
      // The other methods are the same server's.
      expect((await c.chainInfo()).blockSize).to.equal(2);
    } finally {
      await withBodies.close();
    }
  });

  it("serves l2_getVrfClaim only from a backend that makes claims (a sequencer's, for its peers' propose timing)", async function () {
    expect((await rpcError(client.call("l2_getVrfClaim", [1]))).code).to.equal(RPC_ERRORS.METHOD_NOT_FOUND);
    const claim = { height: "5", sequencer: "0x1000000000000000000000000000000000000001", vrfProof: ["1", "2", "3", "4"], vrfOutput: "99", feeSplitBps: "1000" };
    const withClaims = new L2RpcServer({ ...backend, vrfClaim: (h) => (h === 5n ? claim : null) });
    const c = new L2RpcClient(await withClaims.listen(0), { timeoutMs: 5000 });
    try {
      expect(await c.getVrfClaim(5n)).to.deep.equal(claim);
      expect(await c.call("l2_getVrfClaim", { height: "5" })).to.deep.equal(claim);
      expect(await c.getVrfClaim(6n)).to.equal(null);
      const e = await rpcError(c.call("l2_getVrfClaim", ["-1"]));
      expect(e.code).to.equal(RPC_ERRORS.INVALID_PARAMS);
    } finally {
      await withClaims.close();
    }
  });

  it("the client reports an unreachable node as a transport error", async function () {
    const dead = new L2RpcClient("http://127.0.0.1:9", { timeoutMs: 1000 });
    try {
      await dead.chainInfo();
      expect.fail("should throw");
    } catch (e) {
      expect(e).to.be.instanceOf(RpcTransportError);
      expect(["NETWORK", "TIMEOUT"]).to.include((e as RpcTransportError).code);
    }
  });
});
