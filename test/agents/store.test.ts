/** Persistent store on node:sqlite: records, events, atomic transactions, WAL, and kill-and-reopen. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Store, StoreError, decodeValue, encodeValue } from "../../src/store/index.js";

describe("agents/store", function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), "fernet-store-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps JSON records by namespace, with bigints and bytes", function () {
    const s = Store.open(join(dir, "kv.db"));
    s.put("a", "k1", { n: 2n ** 70n, b: new Uint8Array([1, 2, 255]), s: "x", list: [1n, null] });
    s.put("a", "k2", 5);
    s.put("a", "j", "other");
    s.put("b", "k1", true);
    expect(s.get("a", "k1")).to.deep.equal({ n: 2n ** 70n, b: new Uint8Array([1, 2, 255]), s: "x", list: [1n, null] });
    expect(s.get("a", "missing")).to.equal(undefined);
    expect(s.list("a", "k")).to.deep.equal([["k1", s.get("a", "k1")], ["k2", 5]]);
    expect(s.list("a").map(([k]) => k)).to.deep.equal(["j", "k1", "k2"]);
    s.put("a", "k2", 6); // overwrite
    expect(s.get("a", "k2")).to.equal(6);
    expect(s.putIfAbsent("a", "k2", 7)).to.equal(false);
    expect(s.putIfAbsent("a", "k3", 7)).to.equal(true);
    expect(s.get("a", "k3")).to.equal(7);
    expect(s.delete("a", "k3")).to.equal(true);
    expect(s.delete("a", "k3")).to.equal(false);
    expect(() => s.put("", "k", 1)).to.throw(StoreError).with.property("code", "BAD_KEY");
    expect(() => s.put("a", "k", undefined)).to.throw(StoreError).with.property("code", "BAD_VALUE");
    s.close();
    expect(() => s.get("a", "k1")).to.throw(StoreError).with.property("code", "CLOSED");
    expect(decodeValue(encodeValue({ $bigint: 1 }))).to.deep.equal({ $bigint: 1 }); // not a bigint marker
  });

  it("appends events with increasing sequence numbers per stream", function () {
    const s = Store.open(join(dir, "ev.db"));
    const a = s.append("x", { i: 1 }, 1000);
    const b = s.append("y", { i: 2 });
    const c = s.append("x", { i: 3n });
    expect(a < b && b < c).to.equal(true);
    expect(s.events("x").map((e) => e.data)).to.deep.equal([{ i: 1 }, { i: 3n }]);
    expect(s.events("x")[0]).to.deep.equal({ seq: a, stream: "x", at: 1000, data: { i: 1 } });
    expect(s.events("x", a).map((e) => e.seq)).to.deep.equal([c]);
    expect(s.lastEvent("x")!.seq).to.equal(c);
    expect(s.lastEvent("none")).to.equal(undefined);
    s.close();
  });

  it("commits a transaction as a whole or rolls it back; nested ones are savepoints", function () {
    const s = Store.open(join(dir, "tx.db"));
    s.transaction((t) => {
      t.put("n", "a", 1);
      t.append("log", "a");
    });
    expect(() =>
      s.transaction((t) => {
        t.put("n", "b", 2);
        t.append("log", "b");
        throw new Error("boom");
      }),
    ).to.throw("boom");
    expect(s.get("n", "b")).to.equal(undefined);
    expect(s.events("log").map((e) => e.data)).to.deep.equal(["a"]);
    const r = s.transaction((t) => {
      t.put("n", "c", 3);
      try {
        t.transaction((u) => {
          u.put("n", "d", 4);
          throw new Error("inner");
        });
      } catch {
        // the inner savepoint is undone, the outer transaction goes on
      }
      return "ok";
    });
    expect(r).to.equal("ok");
    expect([s.get("n", "c"), s.get("n", "d")]).to.deep.equal([3, undefined]);
    expect(() => s.transaction(async () => 1)).to.throw(StoreError);
    s.close();
  });

  it("uses a WAL journal", function () {
    const p = join(dir, "wal.db");
    const s = Store.open(p);
    s.put("n", "a", 1);
    const db = new DatabaseSync(p);
    expect((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).to.equal("wal");
    db.close();
    expect(existsSync(p + "-wal")).to.equal(true);
    s.close();
  });

  const child = (path: string, mode: string): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ["--no-warnings", "--import", "tsx", "test/agents/fixtures/storeCrash.ts", path, mode], { encoding: "utf8", timeout: 60_000, env: { ...process.env, FERNET_STORE_CRASH: "1" } });

  it("survives a kill in the middle of a transaction: committed state intact, no partial writes", function () {
    this.timeout(90_000);
    const p = join(dir, "crash1.db");
    const r = child(p, "mid-transaction");
    expect(r.signal, String(r.stderr)).to.equal("SIGKILL");
    const s = Store.open(p);
    expect(s.get("agent", "height")).to.deep.equal({ height: 7n, phase: "committed" });
    expect(s.get("deposits", "h8")).to.equal(undefined);
    expect(s.events("log").map((e) => e.data)).to.deep.equal([{ event: "height-7-done" }]);
    // The reopened store is usable: the agent resumes height 8.
    s.transaction((t) => t.put("agent", "height", { height: 8n, phase: "committed" }));
    s.close();
    expect(Store.open(p).get("agent", "height")).to.deep.equal({ height: 8n, phase: "committed" });
  });

  it("keeps every committed write after a kill", function () {
    this.timeout(90_000);
    const p = join(dir, "crash2.db");
    const r = child(p, "after-commit");
    expect([r.signal, r.stdout], String(r.stderr)).to.deep.equal(["SIGKILL", "committed\n"]);
    const s = Store.open(p);
    const all = s.list<{ i: number }>("many");
    expect(all.length).to.equal(200);
    expect(all[199]).to.deep.equal(["0199", { i: 199 }]);
    s.close();
  });
});
