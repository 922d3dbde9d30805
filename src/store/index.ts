/**
 * A small persistent store for agents, on Node's built-in `node:sqlite` (Node >= 22.13 loads it without a flag; it
 * prints an ExperimentalWarning once). No native build, no extra package.
 *
 * - Key-value JSON records grouped by namespace (`put`, `get`, `delete`, `list`, `putIfAbsent`).
 * - An append-only event log per stream (`append`, `events`): sequence numbers are global and increase.
 * - Atomic multi-write transactions (`transaction(fn)`): all writes of `fn` commit together or not at all
 *   (nested calls become savepoints). A process killed inside `fn` leaves nothing of it on disk.
 * - WAL journal, `synchronous = FULL` by default: a committed write survives a process kill and a power loss.
 *
 * Values are JSON with two extensions so that agents can store L2 objects directly: bigint -> {"$bigint": "123"},
 * Uint8Array -> {"$bytes": "0x..."} (see `encodeValue` / `decodeValue`).
 *
 * How an agent uses it to resume (see docs/agents.md): write the *intent* of an external action (an L1 deposit,
 * a commitment) in the same transaction as the state that led to it, before sending; on restart, read the intent and
 * reconcile with L1 (was the transaction mined?) instead of repeating it. `putIfAbsent` gives a once-only claim.
 */
import { DatabaseSync } from "node:sqlite";
import { FernetError } from "../errors.js";

export type StoreErrorCode = "CLOSED" | "BAD_KEY" | "BAD_VALUE" | "OPEN_FAILED";

export class StoreError extends FernetError<StoreErrorCode> {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export interface StoreOptions {
  /** `FULL` (default: durable on power loss) or `NORMAL` (durable on process crash, faster). */
  synchronous?: "FULL" | "NORMAL";
  /** Milliseconds to wait on a lock held by another connection (default 5000). */
  busyTimeoutMs?: number;
}

export interface StoredEvent<T = unknown> {
  seq: number;
  stream: string;
  /** ms since epoch, when appended. */
  at: number;
  data: T;
}

/** JSON with bigint and Uint8Array (see the file comment). */
export function encodeValue(value: unknown): string {
  const s = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return { $bigint: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: "0x" + Buffer.from(v).toString("hex") };
    return v;
  });
  if (s === undefined) throw new StoreError("BAD_VALUE", "value is not JSON-serialisable (undefined or a function)");
  return s;
}

export function decodeValue<T = unknown>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && typeof o.$bigint === "string") return BigInt(o.$bigint);
      if (keys.length === 1 && typeof o.$bytes === "string") return Uint8Array.from(Buffer.from(o.$bytes.slice(2), "hex"));
    }
    return v;
  }) as T;
}

function checkName(what: string, x: unknown): asserts x is string {
  if (typeof x !== "string" || x.length === 0 || x.length > 512) throw new StoreError("BAD_KEY", `${what} must be a non-empty string of at most 512 characters`);
}

export class Store {
  readonly path: string;
  private db: DatabaseSync | undefined;
  private depth = 0;
  private savepoints = 0;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
  }

  /** Opens (or creates) the store at `path` (":memory:" for a throwaway one). */
  static open(path: string, opts: StoreOptions = {}): Store {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { timeout: opts.busyTimeoutMs ?? 5000 });
    } catch (e) {
      throw new StoreError("OPEN_FAILED", `cannot open store ${path}: ${(e as Error).message}`, { cause: e });
    }
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${opts.synchronous ?? "FULL"};`);
    db.exec(`
      CREATE TABLE IF NOT EXISTS kv (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS events_stream ON events (stream, seq);
    `);
    return new Store(path, db);
  }

  private conn(): DatabaseSync {
    if (!this.db) throw new StoreError("CLOSED", `store ${this.path} is closed`);
    return this.db;
  }

  get<T = unknown>(ns: string, key: string): T | undefined {
    checkName("namespace", ns);
    checkName("key", key);
    const row = this.conn().prepare("SELECT value FROM kv WHERE ns = ? AND key = ?").get(ns, key) as { value: string } | undefined;
    return row ? decodeValue<T>(row.value) : undefined;
  }

  put(ns: string, key: string, value: unknown): void {
    checkName("namespace", ns);
    checkName("key", key);
    this.conn().prepare("INSERT INTO kv (ns, key, value) VALUES (?, ?, ?) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value").run(ns, key, encodeValue(value));
  }

  /** Writes only if the key is absent; true if it wrote (an atomic once-only claim). */
  putIfAbsent(ns: string, key: string, value: unknown): boolean {
    checkName("namespace", ns);
    checkName("key", key);
    const r = this.conn().prepare("INSERT INTO kv (ns, key, value) VALUES (?, ?, ?) ON CONFLICT (ns, key) DO NOTHING").run(ns, key, encodeValue(value));
    return Number(r.changes) === 1;
  }

  /** True if a record was deleted. */
  delete(ns: string, key: string): boolean {
    checkName("namespace", ns);
    checkName("key", key);
    return Number(this.conn().prepare("DELETE FROM kv WHERE ns = ? AND key = ?").run(ns, key).changes) === 1;
  }

  /** Records of a namespace, by key (byte order), optionally only keys starting with `prefix`. */
  list<T = unknown>(ns: string, prefix = ""): [string, T][] {
    checkName("namespace", ns);
    const rows = this.conn().prepare("SELECT key, value FROM kv WHERE ns = ? AND substr(key, 1, ?) = ? ORDER BY key").all(ns, prefix.length, prefix) as { key: string; value: string }[];
    return rows.map((r) => [r.key, decodeValue<T>(r.value)]);
  }

  /** Appends an event to `stream`; returns its sequence number. */
  append(stream: string, data: unknown, at = Date.now()): number {
    checkName("stream", stream);
    const r = this.conn().prepare("INSERT INTO events (stream, at, data) VALUES (?, ?, ?)").run(stream, at, encodeValue(data));
    return Number(r.lastInsertRowid);
  }

  /** Events of `stream` with seq > `afterSeq`, in order, at most `limit`. */
  events<T = unknown>(stream: string, afterSeq = 0, limit = 1_000_000): StoredEvent<T>[] {
    checkName("stream", stream);
    const rows = this.conn().prepare("SELECT seq, stream, at, data FROM events WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?").all(stream, afterSeq, limit) as {
      seq: number; stream: string; at: number; data: string;
    }[];
    return rows.map((r) => ({ seq: Number(r.seq), stream: r.stream, at: Number(r.at), data: decodeValue<T>(r.data) }));
  }

  /** The last event of a stream, if any. */
  lastEvent<T = unknown>(stream: string): StoredEvent<T> | undefined {
    checkName("stream", stream);
    const r = this.conn().prepare("SELECT seq, stream, at, data FROM events WHERE stream = ? ORDER BY seq DESC LIMIT 1").get(stream) as
      | { seq: number; stream: string; at: number; data: string }
      | undefined;
    return r && { seq: Number(r.seq), stream: r.stream, at: Number(r.at), data: decodeValue<T>(r.data) };
  }

  /**
   * Runs `fn` atomically: its writes commit together when it returns, or are rolled back if it throws (the error
   * is rethrown). Synchronous on purpose: an `await` inside would let other code interleave with an open
   * transaction. Nested calls become savepoints.
   */
  transaction<R>(fn: (store: Store) => R): R {
    const db = this.conn();
    if (this.depth > 0) {
      const sp = `sp${++this.savepoints}`;
      db.exec(`SAVEPOINT ${sp}`);
      this.depth++;
      try {
        const r = fn(this);
        db.exec(`RELEASE ${sp}`);
        return r;
      } catch (e) {
        db.exec(`ROLLBACK TO ${sp}; RELEASE ${sp}`);
        throw e;
      } finally {
        this.depth--;
      }
    }
    db.exec("BEGIN IMMEDIATE");
    this.depth = 1;
    try {
      const r = fn(this);
      if (r instanceof Promise) throw new StoreError("BAD_VALUE", "transaction callbacks must be synchronous");
      db.exec("COMMIT");
      return r;
    } catch (e) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw e;
    } finally {
      this.depth = 0;
    }
  }

  get closed(): boolean {
    return this.db === undefined;
  }

  /** Closes the store (idempotent). */
  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}
