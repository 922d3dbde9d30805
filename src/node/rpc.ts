/**
 * L2 JSON-RPC 2.0 over HTTP (node:http, no framework): what users and other agents call on a sequencer node.
 *
 * Methods (params by position or by name; bigints are decimal strings, as in TransferJSON):
 *   l2_sendTransaction(tx: TransferJSON) -> TxId
 *   l2_getAccount(index: number, view?: "pending" | "finalized") -> AccountInfo | null
 *   l2_getTransactionStatus(txId: TxId) -> TxRecord | null
 *   l2_getTransactionsByStatus(status: TxStatus, limit?: number (default 100, max 1000)) -> TxId[]
 *   l2_chainInfo() -> ChainInfo
 *   l2_getBlockBody(height: number | decimal string) -> BlockBody | null   (sequencer nodes: the backend's `blockBody`)
 *   l2_getVrfClaim(height: number | decimal string) -> VrfClaim | null   (sequencer nodes: its VRF claim at a height it
 *     is about to propose at, for the other sequencers' propose timing; the backend's `vrfClaim`)
 * Errors: the JSON-RPC codes (-32700 parse, -32600 invalid request, -32601 method not found, -32602 invalid
 * params, -32603 internal) and application codes: -32000 the L2 rules refused (data.code = the L2Error code),
 * -32001 the mempool refused (data.code = the MempoolError code), -32002 the tx is already known in another status.
 * Batches (arrays of requests, at most 100) are supported; notifications (no id) get no response.
 * docs/agents.md has the full reference.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeHttp, listenHttp, readBody } from "./http.js";
import { L2Error, transferFromJSON, transferToJSON, type Transfer, type TransferJSON } from "../l2/index.js";
import { MempoolError, type AccountView, type Mempool } from "./mempool.js";
import { StatusError, isTxStatus, type L1Point, type StatusTracker, type TxRecord, type TxStatus } from "./status.js";
import { isTxId, txIdOf, type TxId } from "./txid.js";
import { FernetError } from "../errors.js";

/** JSON-RPC error codes used here. */
export const RPC_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  L2_REJECTED: -32000,
  MEMPOOL_REJECTED: -32001,
  ALREADY_KNOWN: -32002,
} as const;

export interface AccountInfo {
  index: number;
  /** Baby Jubjub point [x, y], decimal strings. */
  publicKey: [string, string];
  balance: string;
  nonce: number;
  /** Pending view only: the nonce the account's next transaction should use (pooled ones counted). */
  nextNonce?: number;
  view: "pending" | "finalized";
}

export interface ChainInfo {
  /** L1 chain id. */
  chainId: number;
  /** Rollup contract address, if known. */
  rollup?: string;
  /** Tree depth D and block size T. */
  depth: number;
  blockSize: number;
  /** Latest L2 height this node builds on (pending) and the latest finalized one. */
  pendingHeight: number;
  finalizedHeight: number;
  /** State roots, 0x-hex. */
  pendingRoot: string;
  finalizedRoot: string;
  /** L1 head the node last saw. */
  l1Block: number;
  mempoolSize: number;
}

/** What the server serves from. The agent owns these objects and keeps them current. */
export interface L2NodeBackend {
  mempool: Mempool;
  tracker: StatusTracker;
  /** The state this node builds on (normally the mempool's view). */
  pendingState(): AccountView;
  /** The state of the last finalized height. */
  finalizedState(): AccountView;
  chainInfo(): Omit<ChainInfo, "mempoolSize">;
  /** Current L1 head, stamped on new statuses. */
  l1Now(): L1Point;
  /** Called after a transaction was pooled (e.g. to persist it). */
  onTransaction?(txId: TxId, tx: Transfer): void;
  /**
   * The signed transfers of this node's block at a height (`l2_getBlockBody`, which provers use: signatures are not
   * pubdata), null while unknown or not yet revealed on L1. Without it the method is not served.
   */
  blockBody?(height: bigint): Promise<BlockBody | null>;
  /**
   * This node's VRF claim at a height (`l2_getVrfClaim`), null before it has one. A sequencer makes it once the
   * height's randomness is recorded (the previous height's commit phase): the other sequencers skip proposals that
   * cannot win (issue 13). Without it the method is not served.
   */
  vrfClaim?(height: bigint): VrfClaim | null;
}

/**
 * A sequencer's VRF claim at a height, before it proposes: the proof (decimal strings: Gamma x, y, DLEQ c, s), its
 * output and the fee split it will offer. Anyone can check the proof against the key in Staking; a false one is ignored.
 */
export interface VrfClaim {
  height: string;
  sequencer: string;
  vrfProof: string[];
  vrfOutput: string;
  feeSplitBps: string;
}

/** A sequencer's revealed block with its signed transfers. */
export interface BlockBody {
  height: string;
  sequencer: string;
  parent: string;
  /** 0x-hex root. */
  newRoot: string;
  pubdata: string;
  txs: TransferJSON[];
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

interface RpcResponse {
  jsonrpc: "2.0";
  id: string | number | null;
  result?: unknown;
  error?: RpcErrorObject;
}

/** An error a method throws to answer with a specific JSON-RPC error. */
export class RpcMethodError extends FernetError<"RPC_METHOD_ERROR"> {
  readonly rpcCode: number;
  readonly data?: unknown;
  constructor(rpcCode: number, message: string, data?: unknown) {
    super("RPC_METHOD_ERROR", message);
    this.rpcCode = rpcCode;
    if (data !== undefined) this.data = data;
  }
}

const MAX_BODY = 1 << 20;
const MAX_BATCH = 100;

type Params = unknown[] | Record<string, unknown> | undefined;
type Method = (args: unknown[]) => unknown;

const invalid = (msg: string, data?: unknown): RpcMethodError => new RpcMethodError(RPC_ERRORS.INVALID_PARAMS, msg, data);

/** Positional params from an array or named params (`names` gives the order). */
function positional(params: Params, names: string[]): unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) {
    if (params.length > names.length) throw invalid(`expected at most ${names.length} params (${names.join(", ")})`);
    return params;
  }
  const extra = Object.keys(params).filter((k) => !names.includes(k));
  if (extra.length) throw invalid(`unknown params: ${extra.join(", ")}`);
  return names.map((n) => params[n]);
}

const hex = (x: bigint): string => "0x" + x.toString(16).padStart(64, "0");

export class L2RpcServer {
  private readonly backend: L2NodeBackend;
  private readonly methods: Record<string, { names: string[]; fn: Method }>;
  private server: Server | undefined;

  constructor(backend: L2NodeBackend) {
    this.backend = backend;
    this.methods = {
      l2_sendTransaction: { names: ["tx"], fn: ([tx]) => this.sendTransaction(tx) },
      l2_getAccount: { names: ["index", "view"], fn: ([index, view]) => this.getAccount(index, view) },
      l2_getTransactionStatus: { names: ["txId"], fn: ([id]) => this.getTransactionStatus(id) },
      l2_getTransactionsByStatus: { names: ["status", "limit"], fn: ([s, limit]) => this.getTransactionsByStatus(s, limit) },
      l2_chainInfo: { names: [], fn: () => ({ ...this.backend.chainInfo(), mempoolSize: this.backend.mempool.size }) },
    };
    const blockBody = backend.blockBody?.bind(backend);
    if (blockBody) this.methods.l2_getBlockBody = { names: ["height"], fn: ([h]) => blockBody(heightParam(h)) };
    const vrfClaim = backend.vrfClaim?.bind(backend);
    if (vrfClaim) this.methods.l2_getVrfClaim = { names: ["height"], fn: ([h]) => vrfClaim(heightParam(h)) };
  }

  private sendTransaction(json: unknown): TxId {
    let tx: Transfer;
    try {
      tx = transferFromJSON(json as TransferJSON);
    } catch (e) {
      if (e instanceof L2Error) throw invalid(e.message, { code: e.code });
      throw invalid("a transfer needs from, to, amount, fee, nonce and signature {R8x, R8y, S}");
    }
    const { mempool, tracker } = this.backend;
    let known: TxRecord | undefined;
    try {
      known = tracker.get(txIdOf(tx));
    } catch (e) {
      if (e instanceof L2Error) throw invalid(e.message, { code: e.code });
      throw e;
    }
    // In a block (or beyond): refuse. In the pool: the mempool answers DUPLICATE. Dropped / reorged: may come back.
    if (known && known.status !== "dropped" && known.status !== "reorged" && known.status !== "in_mempool") {
      throw new RpcMethodError(RPC_ERRORS.ALREADY_KNOWN, `transaction ${known.txId} is already ${known.status}`, { code: "ALREADY_KNOWN", status: known.status });
    }
    const res = mempool.add(tx); // L2Error / MempoolError are mapped in `dispatch`
    const now = this.backend.l1Now();
    if (res.replaced && tracker.has(res.replaced)) safeDrop(tracker, res.replaced, now, `replaced by ${res.txId}`);
    if (res.evicted && tracker.has(res.evicted)) safeDrop(tracker, res.evicted, now, `evicted by ${res.txId}`);
    if (!tracker.has(res.txId) || tracker.get(res.txId)!.status !== "in_mempool") tracker.track(res.txId, now);
    this.backend.onTransaction?.(res.txId, tx);
    return res.txId;
  }

  private getAccount(index: unknown, view: unknown = "pending"): AccountInfo | null {
    if (!Number.isInteger(index) || (index as number) < 0) throw invalid("index must be a non-negative integer");
    if (view !== "pending" && view !== "finalized") throw invalid(`view must be "pending" or "finalized"`);
    const i = index as number;
    const a = (view === "pending" ? this.backend.pendingState() : this.backend.finalizedState()).getAccount(i);
    if (!a) return null;
    const info: AccountInfo = {
      index: i,
      publicKey: [a.publicKey[0].toString(), a.publicKey[1].toString()],
      balance: a.balance.toString(),
      nonce: a.nonce,
      view,
    };
    if (view === "pending") info.nextNonce = this.backend.mempool.pendingNonce(i) ?? a.nonce;
    return info;
  }

  private getTransactionStatus(id: unknown): TxRecord | null {
    if (typeof id !== "string" || !isTxId(id.toLowerCase())) throw invalid("txId must be 0x + 64 hex digits");
    return this.backend.tracker.get(id.toLowerCase()) ?? null;
  }

  private getTransactionsByStatus(status: unknown, limit: unknown = 100): TxId[] {
    if (!isTxStatus(status)) throw invalid(`unknown status ${String(status)}`);
    if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 1000) throw invalid("limit must be an integer in 1..1000");
    return this.backend.tracker.byStatus(status as TxStatus, limit as number);
  }

  /** One request object -> its response (undefined for a notification). */
  private async dispatch(req: unknown): Promise<RpcResponse | undefined> {
    if (typeof req !== "object" || req === null || Array.isArray(req)) {
      return { jsonrpc: "2.0", id: null, error: { code: RPC_ERRORS.INVALID_REQUEST, message: "a request must be an object" } };
    }
    const r = req as Record<string, unknown>;
    const hasId = "id" in r;
    const idOk = !hasId || r.id === null || typeof r.id === "string" || (typeof r.id === "number" && Number.isFinite(r.id));
    const id = idOk && hasId ? (r.id as string | number | null) : null;
    if (r.jsonrpc !== "2.0" || typeof r.method !== "string" || !idOk || (r.params !== undefined && (typeof r.params !== "object" || r.params === null))) {
      return { jsonrpc: "2.0", id, error: { code: RPC_ERRORS.INVALID_REQUEST, message: "invalid JSON-RPC 2.0 request" } };
    }
    const reply = (body: { result: unknown } | { error: RpcErrorObject }): RpcResponse | undefined => (hasId ? { jsonrpc: "2.0", id, ...body } : undefined);
    const m = Object.hasOwn(this.methods, r.method) ? this.methods[r.method] : undefined;
    if (!m) return reply({ error: { code: RPC_ERRORS.METHOD_NOT_FOUND, message: `method ${r.method} not found` } });
    try {
      const result = await m.fn(positional(r.params as Params, m.names));
      return reply({ result: result === undefined ? null : result });
    } catch (e) {
      return reply({ error: toRpcError(e) });
    }
  }

  /** Handles one HTTP body (a request or a batch); returns the response body, or undefined for none. */
  async handle(body: string): Promise<string | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: RPC_ERRORS.PARSE_ERROR, message: "parse error" } });
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0 || parsed.length > MAX_BATCH) {
        return JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: RPC_ERRORS.INVALID_REQUEST, message: `a batch holds 1..${MAX_BATCH} requests` } });
      }
      // In order: each may change the mempool that the next one reads.
      const out: RpcResponse[] = [];
      for (const q of parsed) {
        const res = await this.dispatch(q);
        if (res) out.push(res);
      }
      return out.length ? JSON.stringify(out) : undefined;
    }
    const res = await this.dispatch(parsed);
    return res && JSON.stringify(res);
  }

  /** Starts listening (port 0 = ephemeral); resolves to the URL. */
  listen(port = 0, host = "127.0.0.1"): Promise<string> {
    if (this.server) throw new Error("already listening");
    const server = createServer((req, res) => void this.onHttp(req, res));
    this.server = server;
    return listenHttp(server, port, host);
  }

  /** Stops listening and closes open connections. */
  close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    return closeHttp(s);
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body?: string): void => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      res.end(body);
    };
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return send(405, JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: RPC_ERRORS.INVALID_REQUEST, message: "use POST" } }));
    }
    try {
      const body = await readBody(req, MAX_BODY);
      if (body === undefined) {
        return send(413, JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: RPC_ERRORS.INVALID_REQUEST, message: `body over ${MAX_BODY} bytes` } }));
      }
      const out = await this.handle(body);
      send(out === undefined ? 204 : 200, out);
    } catch (e) {
      if (!res.headersSent) send(500, JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: RPC_ERRORS.INTERNAL_ERROR, message: (e as Error).message } }));
    }
  }
}

function heightParam(p: unknown): bigint {
  if (typeof p === "number" && Number.isSafeInteger(p)) return BigInt(p);
  if (typeof p === "string" && /^[0-9]{1,20}$/.test(p)) return BigInt(p);
  throw invalid("params: [height]");
}

function safeDrop(tracker: StatusTracker, id: TxId, at: L1Point, reason: string): void {
  try {
    tracker.transition(id, "dropped", at, { reason });
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
  }
}

function toRpcError(e: unknown): RpcErrorObject {
  if (e instanceof RpcMethodError) return e.data === undefined ? { code: e.rpcCode, message: e.message } : { code: e.rpcCode, message: e.message, data: e.data };
  if (e instanceof L2Error) return { code: RPC_ERRORS.L2_REJECTED, message: e.message, data: { code: e.code } };
  if (e instanceof MempoolError) return { code: RPC_ERRORS.MEMPOOL_REJECTED, message: e.message, data: { code: e.code } };
  if (e instanceof StatusError) return { code: RPC_ERRORS.INVALID_PARAMS, message: e.message, data: { code: e.code } };
  return { code: RPC_ERRORS.INTERNAL_ERROR, message: "internal error" };
}

// ---------------------------------------------------------------- client

/** A JSON-RPC error answer (numeric `code` as sent; the L2 / mempool code, if any, in `data.code`). */
export class RpcError extends FernetError<number> {
  readonly data?: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(code, message);
    if (data !== undefined) this.data = data;
  }
  /** The application code in `data.code` (e.g. "OVERSPEND"), if any. */
  get appCode(): string | undefined {
    const d = this.data as { code?: unknown } | undefined;
    return typeof d?.code === "string" ? d.code : undefined;
  }
}

/** Transport failure (timeout, connection, non-JSON answer). */
export type RpcTransportErrorCode = "TIMEOUT" | "NETWORK" | "HTTP" | "BAD_RESPONSE";

export class RpcTransportError extends FernetError<RpcTransportErrorCode> {
  constructor(code: RpcTransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export interface BatchCall {
  method: string;
  params?: unknown[] | Record<string, unknown>;
}

/** Typed client of L2RpcServer over fetch. */
export class L2RpcClient {
  readonly url: string;
  readonly timeoutMs: number;
  private nextId = 1;

  constructor(url: string, opts: { timeoutMs?: number } = {}) {
    this.url = url;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private async post(body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const name = (e as Error).name;
      if (name === "TimeoutError" || name === "AbortError") throw new RpcTransportError("TIMEOUT", `no answer from ${this.url} within ${this.timeoutMs} ms`, { cause: e });
      throw new RpcTransportError("NETWORK", `cannot reach ${this.url}: ${(e as Error).message}`, { cause: e });
    }
    const text = await res.text();
    if (res.status === 204) return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new RpcTransportError(res.ok ? "BAD_RESPONSE" : "HTTP", `HTTP ${res.status} from ${this.url}: ${text.slice(0, 200)}`, { cause: e });
    }
  }

  /** One call; a JSON-RPC error throws RpcError. */
  async call<T = unknown>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
    const id = this.nextId++;
    const r = (await this.post({ jsonrpc: "2.0", id, method, params })) as RpcResponse | undefined;
    if (!r || typeof r !== "object") throw new RpcTransportError("BAD_RESPONSE", "empty answer to a call");
    if (r.error) throw new RpcError(r.error.code, r.error.message, r.error.data);
    if (r.id !== id) throw new RpcTransportError("BAD_RESPONSE", `answer id ${String(r.id)} != ${id}`);
    return r.result as T;
  }

  /** Several calls in one HTTP request; answers in call order, each a result or an RpcError (not thrown). */
  async batch(calls: BatchCall[]): Promise<({ result: unknown } | { error: RpcError })[]> {
    const first = this.nextId;
    this.nextId += calls.length;
    const body = calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params ?? [] }));
    const r = await this.post(body);
    if (!Array.isArray(r)) {
      const e = (r as RpcResponse | undefined)?.error;
      if (e) throw new RpcError(e.code, e.message, e.data);
      throw new RpcTransportError("BAD_RESPONSE", "a batch answer must be an array");
    }
    const byId = new Map((r as RpcResponse[]).map((x) => [x.id, x]));
    return body.map((q) => {
      const x = byId.get(q.id);
      if (!x) return { error: new RpcError(RPC_ERRORS.INTERNAL_ERROR, `no answer for id ${q.id}`) };
      return x.error ? { error: new RpcError(x.error.code, x.error.message, x.error.data) } : { result: x.result };
    });
  }

  sendTransaction(tx: Transfer | TransferJSON): Promise<TxId> {
    const json = typeof tx.amount === "bigint" ? transferToJSON(tx as Transfer) : tx;
    return this.call<TxId>("l2_sendTransaction", [json]);
  }

  getAccount(index: number, view: "pending" | "finalized" = "pending"): Promise<AccountInfo | null> {
    return this.call<AccountInfo | null>("l2_getAccount", [index, view]);
  }

  getTransactionStatus(txId: TxId): Promise<TxRecord | null> {
    return this.call<TxRecord | null>("l2_getTransactionStatus", [txId]);
  }

  getTransactionsByStatus(status: TxStatus, limit?: number): Promise<TxId[]> {
    return this.call<TxId[]>("l2_getTransactionsByStatus", limit === undefined ? [status] : [status, limit]);
  }

  chainInfo(): Promise<ChainInfo> {
    return this.call<ChainInfo>("l2_chainInfo", []);
  }

  /** A sequencer's revealed block with its signed transfers (null while unknown or unrevealed). */
  getBlockBody(height: bigint): Promise<BlockBody | null> {
    return this.call<BlockBody | null>("l2_getBlockBody", [height.toString()]);
  }

  /** A sequencer's VRF claim at a height it is about to propose at (null if it has none yet). */
  getVrfClaim(height: bigint): Promise<VrfClaim | null> {
    return this.call<VrfClaim | null>("l2_getVrfClaim", [height.toString()]);
  }
}

/** 0x-hex of a root (helper for chainInfo implementations). */
export function rootHex(root: bigint): string {
  return hex(root);
}
