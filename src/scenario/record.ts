/**
 * Recording of a scenario's L1 traffic: a local JSON-RPC proxy in front of the L1 node that forwards everything and
 * remembers every call that changes the chain (transactions, node-control calls), and `log()`, which turns the
 * recording plus the chain it produced into a versioned `ReplayLog` (blocks with their timestamps, prevrandao and
 * transactions in mined order, each transaction's receipt, the Rollup's recorded randomness, a final state digest).
 * `replayLog` (replay.ts) re-creates the chain from it. Format and the one deliberate intervention: docs/scenarios.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Interface, Transaction, id as keccakId, keccak256 } from "ethers";
import { closeHttp, listenHttp, readBody } from "../node/http.js";

export const REPLAY_LOG_VERSION = 1;

/**
 * topic0 of `Rollup.RandomnessRecorded(uint256 indexed height, uint256 randomness)` (emitted when a height's randomness
 * is recorded; Rollups that stored the seed instead logged the seed under the same signature).
 */
export const RANDOMNESS_RECORDED_TOPIC = keccakId("RandomnessRecorded(uint256,uint256)");

/** Transaction-sending methods the recorder keeps (with params and response). */
export const TX_METHODS = new Set(["eth_sendRawTransaction", "eth_sendTransaction"]);

/**
 * Node-control methods that change the chain or what the next block will be. `STATE_METHODS` change state the
 * replay must re-apply at the same point; the others (mining, time, automine) are reproduced by the replay from the
 * recorded blocks themselves and are kept for information.
 */
export const STATE_METHODS = new Set([
  "hardhat_setBalance", "hardhat_setNonce", "hardhat_setCode", "hardhat_setStorageAt", "hardhat_impersonateAccount",
  "hardhat_stopImpersonatingAccount", "hardhat_setCoinbase", "hardhat_setNextBlockBaseFeePerGas", "hardhat_setMinGasPrice",
  "evm_setBlockGasLimit", "anvil_setBalance", "anvil_setNonce", "anvil_setCode", "anvil_setStorageAt",
  "anvil_impersonateAccount", "anvil_stopImpersonatingAccount",
]);
export const MINING_METHODS = new Set([
  "evm_mine", "hardhat_mine", "anvil_mine", "evm_setNextBlockTimestamp", "evm_increaseTime", "evm_setAutomine",
  "evm_setIntervalMining", "hardhat_setPrevRandao", "evm_snapshot", "evm_revert", "hardhat_reset", "hardhat_dropTransaction",
]);

export interface RecordedCall {
  /** Order of the call among all recorded calls. */
  seq: number;
  method: string;
  params: unknown[];
  result?: unknown;
  error?: { code?: number; message: string };
  /** L1 head right after the call answered (a state change applies to the block after it). */
  head: number;
  /** The head before the call, when a block was mined meanwhile (state changes only): the replay applies the call after `head`. */
  headBefore?: number;
  at: string;
}

export interface LogEntry {
  address: string;
  topics: string[];
  data: string;
}

export interface ReplayTx {
  hash: string;
  /** How the replay sends it: `raw` (signed bytes) or `unsigned` (eth_sendTransaction from an unlocked or impersonated account). */
  kind: "raw" | "unsigned";
  /** Signed bytes (kind raw). */
  raw?: string;
  /** The eth_sendTransaction object (kind unsigned), with the nonce, gas and fees the node filled in. */
  request?: Record<string, string>;
  /** Where the bytes come from: sent through the recorder, or rebuilt from the chain (not sent through it). */
  source: "recorder" | "chain";
  from: string;
  to: string | null;
  nonce: number;
  index: number;
  status: number;
  gasUsed: string;
  contractAddress: string | null;
  logs: LogEntry[];
  /** keccak256 of the JSON of `logs`. */
  logsDigest: string;
}

export interface ReplayBlock {
  number: number;
  hash: string;
  timestamp: number;
  prevRandao: string;
  baseFeePerGas: string;
  gasUsed: string;
  miner: string;
  txs: ReplayTx[];
}

/**
 * A height's randomness as the original run recorded it (`RandomnessRecorded`'s value: the stored randomness, mixed
 * from block.prevrandao and height - 2's winner output; the seed itself for Rollups that stored the seed), pinned by
 * the replay.
 */
export interface PinnedRandomness {
  rollup: string;
  height: number;
  value: string;
  /** Block and transaction that recorded it (`recordRandomness(height)` or the first `commitProver(height - 1)`). */
  block: number;
  txHash: string;
}

export interface StateDigest {
  block: number;
  /** `storageHash`: the contract's storage root (eth_getProof), where the node can prove it (not on a Hardhat fork). */
  accounts: { address: string; balance: string; nonce: number; codeHash: string; storageHash?: string }[];
  /** Raw results of the Rollup's public views (`call` is the readable call, `data` its calldata). */
  views: { call: string; data: string; result: string }[];
}

export interface ReplayLog {
  version: number;
  chainId: number;
  /** Head of the chain when recording began: replay on a fresh node at this height or a fork made at it. */
  startBlock: number;
  /** Timestamp of `startBlock` (a fresh replay node gets it as its genesis time). */
  startTimestamp: number;
  endBlock: number;
  upstream: string;
  recordedAt: string;
  rollup?: string;
  blocks: ReplayBlock[];
  /** Node-control calls, in order (state changes and mining/time calls). */
  controls: RecordedCall[];
  /** Transaction sends the node refused (never on chain). */
  refused: RecordedCall[];
  /** Transactions accepted but not mined by `endBlock` (not replayed). */
  unmined: string[];
  pinned: { randomness: PinnedRandomness[] };
  final: StateDigest;
  warnings: string[];
}

export interface Recorder {
  /** The proxy's URL: point every L1 client of the run at it. */
  url: string;
  /** The log of what was recorded so far, resolved against the chain (receipts, blocks, final state). */
  log(opts?: { rollup?: string; endBlock?: number }): Promise<ReplayLog>;
  /** The raw recorded calls (for debugging). */
  calls(): RecordedCall[];
  stop(): Promise<void>;
}

interface JsonRpcRequest { jsonrpc?: string; id?: unknown; method?: string; params?: unknown[] }
interface JsonRpcResponse { id?: unknown; result?: unknown; error?: { code?: number; message: string; data?: unknown } }

let rpcId = 0;

/** One JSON-RPC call (or a batch) over HTTP; throws on an error answer. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }) });
  const j = (await r.json()) as JsonRpcResponse;
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result as T;
}

/** A JSON-RPC batch; each entry is a result or an Error, in request order. */
export async function rpcBatch(url: string, calls: [string, unknown[]][]): Promise<unknown[]> {
  if (calls.length === 0) return [];
  const base = rpcId;
  rpcId += calls.length;
  const body = calls.map(([method, params], i) => ({ jsonrpc: "2.0", id: base + i + 1, method, params }));
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const j = (await r.json()) as JsonRpcResponse[] | JsonRpcResponse;
  if (!Array.isArray(j)) throw new Error(`batch refused: ${j.error?.message ?? JSON.stringify(j)}`);
  const byId = new Map(j.map((x) => [x.id, x]));
  return calls.map(([method], i) => {
    const x = byId.get(base + i + 1);
    if (!x) return new Error(`${method}: no answer in batch`);
    return x.error ? new Error(`${method}: ${x.error.message}`) : x.result;
  });
}

/** rpcBatch in chunks, throwing on the first error. */
async function batchAll<T>(url: string, calls: [string, unknown[]][], chunk = 100): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < calls.length; i += chunk) {
    for (const r of await rpcBatch(url, calls.slice(i, i + chunk))) {
      if (r instanceof Error) throw r;
      out.push(r as T);
    }
  }
  return out;
}

/**
 * Starts the recording proxy on 127.0.0.1 (ephemeral port) in front of `upstreamUrl`. Every request (single or
 * batch) is forwarded unchanged and answered with the upstream's answer; transaction sends and node-control calls
 * are recorded with their answers.
 */
export async function startRecorder(upstreamUrl: string): Promise<Recorder> {
  const startBlock = Number(BigInt(await rpc<string>(upstreamUrl, "eth_blockNumber")));
  const recorded: RecordedCall[] = [];
  let seq = 0;

  const headNow = async (): Promise<number> => {
    try {
      return Number(BigInt(await rpc<string>(upstreamUrl, "eth_blockNumber")));
    } catch {
      return -1; // upstream gone: the log says head -1
    }
  };
  const record = async (reqs: JsonRpcRequest[], resps: JsonRpcResponse[], headBefore?: number): Promise<void> => {
    const byId = new Map(resps.map((r) => [JSON.stringify(r.id ?? null), r]));
    const interesting = reqs.filter((q) => q.method && (TX_METHODS.has(q.method) || STATE_METHODS.has(q.method) || MINING_METHODS.has(q.method)));
    if (interesting.length === 0) return;
    const head = await headNow();
    for (const q of interesting) {
      const r = byId.get(JSON.stringify(q.id ?? null));
      recorded.push({
        seq: seq++, method: q.method!, params: q.params ?? [], result: r?.result,
        error: r?.error ? { code: r.error.code, message: r.error.message } : r ? undefined : { message: "no answer" },
        head, ...(headBefore !== undefined && headBefore !== head && STATE_METHODS.has(q.method!) ? { headBefore } : {}),
        at: new Date().toISOString(),
      });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const body = (await readBody(req))!; // no size limit: a proxy for the local node, never undefined
    let parsed: JsonRpcRequest | JsonRpcRequest[] | undefined;
    try {
      parsed = JSON.parse(body) as JsonRpcRequest | JsonRpcRequest[];
    } catch {
      parsed = undefined;
    }
    // A state change is applied to the block after the head: read the head before it too, so that a block mined
    // meanwhile (interval mining) is noticed (the log then warns that the call's block is ambiguous).
    const reqs = parsed === undefined ? [] : Array.isArray(parsed) ? parsed : [parsed];
    const headBefore = reqs.some((q) => q.method && STATE_METHODS.has(q.method)) ? await headNow() : undefined;
    let upstream: Response;
    try {
      upstream = await fetch(upstreamUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
    } catch (e) {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: Array.isArray(parsed) ? null : (parsed?.id ?? null), error: { code: -32603, message: `recorder: upstream unreachable: ${(e as Error).message}` } }));
      return;
    }
    const text = await upstream.text();
    if (parsed !== undefined) {
      try {
        const answer = JSON.parse(text) as JsonRpcResponse | JsonRpcResponse[];
        await record(reqs, Array.isArray(answer) ? answer : [answer], headBefore);
      } catch {
        // not JSON: nothing to record
      }
    }
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e.message));
    });
  });
  const url = await listenHttp(server, 0, "127.0.0.1");
  return {
    url,
    calls: () => [...recorded],
    log: (opts) => buildLog(upstreamUrl, startBlock, recorded, opts),
    stop: () => closeHttp(server),
  };
}

interface RpcBlock {
  number: string; hash: string; timestamp: string; mixHash?: string; prevRandao?: string; baseFeePerGas?: string; gasUsed: string; miner: string;
  transactions: RpcTx[];
}
interface RpcTx {
  hash: string; from: string; to: string | null; nonce: string; gas: string; value: string; input: string; type?: string; chainId?: string;
  gasPrice?: string; maxFeePerGas?: string; maxPriorityFeePerGas?: string; accessList?: { address: string; storageKeys: string[] }[];
  v?: string; r?: string; s?: string; yParity?: string; transactionIndex: string;
}
interface RpcReceipt { status: string; gasUsed: string; contractAddress: string | null; logs: { address: string; topics: string[]; data: string }[] }

const hexNum = (x: string | undefined): number => (x === undefined ? 0 : Number(BigInt(x)));

export function logsOf(r: RpcReceipt): LogEntry[] {
  return r.logs.map((l) => ({ address: l.address.toLowerCase(), topics: l.topics.map((t) => t.toLowerCase()), data: l.data.toLowerCase() }));
}

export function digestLogs(logs: LogEntry[]): string {
  return keccak256(Buffer.from(JSON.stringify(logs)));
}

/** Signed bytes of a mined transaction, rebuilt from its fields; undefined if they do not hash to `tx.hash`. */
function reserialize(tx: RpcTx): string | undefined {
  try {
    const t = Transaction.from({
      type: tx.type === undefined ? undefined : hexNum(tx.type), chainId: tx.chainId === undefined ? undefined : BigInt(tx.chainId),
      nonce: hexNum(tx.nonce), gasLimit: BigInt(tx.gas), to: tx.to, value: BigInt(tx.value), data: tx.input,
      gasPrice: tx.type === "0x2" ? undefined : tx.gasPrice === undefined ? undefined : BigInt(tx.gasPrice),
      maxFeePerGas: tx.maxFeePerGas === undefined ? undefined : BigInt(tx.maxFeePerGas),
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas === undefined ? undefined : BigInt(tx.maxPriorityFeePerGas),
      accessList: tx.accessList,
      signature: { r: tx.r!, s: tx.s!, v: tx.yParity !== undefined ? 27 + hexNum(tx.yParity) : BigInt(tx.v!) },
    });
    return t.hash === tx.hash ? t.serialized : undefined;
  } catch {
    return undefined;
  }
}

/** The eth_sendTransaction object that re-sends a mined transaction (same nonce, gas and fees). */
function unsignedRequest(tx: RpcTx): Record<string, string> {
  const q: Record<string, string> = { from: tx.from, nonce: tx.nonce, gas: tx.gas, value: tx.value, data: tx.input };
  if (tx.to) q.to = tx.to;
  if (tx.maxFeePerGas !== undefined) {
    q.maxFeePerGas = tx.maxFeePerGas;
    q.maxPriorityFeePerGas = tx.maxPriorityFeePerGas ?? "0x0";
  } else if (tx.gasPrice !== undefined) q.gasPrice = tx.gasPrice;
  return q;
}

/** The Rollup views that make the final state digest (raw eth_call results). */
const ROLLUP_VIEWS = new Interface([
  "function rewardPool() view returns (uint256)",
  "function totalEscrowed() view returns (uint256)",
  "function totalClaimable() view returns (uint256)",
  "function lastFinalized() view returns (uint256)",
  "function pendingHeights() view returns (uint64[])",
  "function claimable(address) view returns (uint256)",
  "function getHeight(uint256) view returns (uint8,bool,bool,uint64,address,address,uint256,uint256)",
  "function randomnessOf(uint256) view returns (uint256)",
]);

export function rollupViewCalls(rollup: string | undefined, addresses: string[], maxHeight: number): { call: string; data: string }[] {
  if (!rollup) return [];
  const out: { call: string; data: string }[] = [];
  for (const f of ["rewardPool", "totalEscrowed", "totalClaimable", "lastFinalized", "pendingHeights"]) {
    out.push({ call: `${f}()`, data: ROLLUP_VIEWS.encodeFunctionData(f, []) });
  }
  for (const a of addresses) out.push({ call: `claimable(${a})`, data: ROLLUP_VIEWS.encodeFunctionData("claimable", [a]) });
  for (let h = 0; h <= maxHeight; h++) out.push({ call: `getHeight(${h})`, data: ROLLUP_VIEWS.encodeFunctionData("getHeight", [h]) });
  return out;
}

/** The state digest at `block`: every touched account (balance, nonce, code hash) and the Rollup's views. */
export async function stateDigest(url: string, block: number, accounts: string[], views: { call: string; data: string }[], rollup?: string): Promise<StateDigest> {
  const tag = "0x" + block.toString(16);
  const calls: [string, unknown[]][] = [];
  for (const a of accounts) calls.push(["eth_getBalance", [a, tag]], ["eth_getTransactionCount", [a, tag]], ["eth_getCode", [a, tag]]);
  for (const v of views) calls.push(["eth_call", [{ to: rollup, data: v.data }, tag]]);
  const res = await rpcBatch(url, calls);
  const str = (x: unknown) => (x instanceof Error ? `error: ${x.message}` : String(x));
  // Storage roots of the contracts (eth_getProof): a digest of all their storage. A Hardhat fork with local
  // changes cannot prove (EDR refuses), so they are left out there.
  const contracts = accounts.filter((_, i) => typeof res[3 * i + 2] === "string" && res[3 * i + 2] !== "0x");
  const proofs = contracts.length ? await rpcBatch(url, contracts.map((a) => ["eth_getProof", [a, [], tag]])) : [];
  const roots = new Map(contracts.map((a, i) => [a, proofs[i] instanceof Error ? undefined : (proofs[i] as { storageHash?: string } | null)?.storageHash]));
  return {
    block,
    accounts: accounts.map((address, i) => ({
      address, balance: str(res[3 * i]), nonce: res[3 * i + 1] instanceof Error ? -1 : hexNum(res[3 * i + 1] as string),
      codeHash: res[3 * i + 2] instanceof Error ? str(res[3 * i + 2]) : keccak256(res[3 * i + 2] as string),
      ...(roots.get(address) ? { storageHash: roots.get(address) } : {}),
    })),
    views: views.map((v, i) => ({ ...v, result: str(res[3 * accounts.length + i]) })),
  };
}

async function buildLog(upstream: string, startBlock: number, recorded: RecordedCall[], opts: { rollup?: string; endBlock?: number } = {}): Promise<ReplayLog> {
  const chainId = hexNum(await rpc<string>(upstream, "eth_chainId"));
  const endBlock = opts.endBlock ?? hexNum(await rpc<string>(upstream, "eth_blockNumber"));
  const warnings: string[] = [];
  const sends = recorded.filter((c) => TX_METHODS.has(c.method));
  const sentByHash = new Map<string, RecordedCall>();
  for (const c of sends) if (!c.error && typeof c.result === "string") sentByHash.set(c.result.toLowerCase(), c);
  const refused = sends.filter((c) => c.error);

  const startHeader = await rpc<RpcBlock>(upstream, "eth_getBlockByNumber", ["0x" + startBlock.toString(16), false]);
  const numbers = Array.from({ length: Math.max(0, endBlock - startBlock) }, (_, i) => startBlock + 1 + i);
  const rawBlocks = await batchAll<RpcBlock>(upstream, numbers.map((n) => ["eth_getBlockByNumber", ["0x" + n.toString(16), true]]), 50);
  const allTxs = rawBlocks.flatMap((b) => b.transactions);
  const receipts = await batchAll<RpcReceipt>(upstream, allTxs.map((t) => ["eth_getTransactionReceipt", [t.hash]]), 100);
  const receiptOf = new Map(allTxs.map((t, i) => [t.hash.toLowerCase(), receipts[i]!]));

  const mined = new Set<string>();
  const touched = new Set<string>();
  const pins: PinnedRandomness[] = [];
  const blocks: ReplayBlock[] = rawBlocks.map((b) => {
    const txs: ReplayTx[] = b.transactions.map((t) => {
      const hash = t.hash.toLowerCase();
      mined.add(hash);
      const rcpt = receiptOf.get(hash)!;
      const sent = sentByHash.get(hash);
      const logs = logsOf(rcpt);
      touched.add(t.from.toLowerCase());
      if (t.to) touched.add(t.to.toLowerCase());
      if (rcpt.contractAddress) touched.add(rcpt.contractAddress.toLowerCase());
      for (const l of logs) {
        touched.add(l.address);
        if (l.topics[0] === RANDOMNESS_RECORDED_TOPIC && l.topics.length === 2) {
          pins.push({ rollup: l.address, height: hexNum(l.topics[1]), value: l.data, block: hexNum(b.number), txHash: hash });
        }
      }
      let kind: ReplayTx["kind"] = "raw";
      let raw: string | undefined;
      let request: Record<string, string> | undefined;
      if (sent?.method === "eth_sendRawTransaction") raw = String(sent.params[0]);
      else if (sent?.method === "eth_sendTransaction") {
        kind = "unsigned";
        request = unsignedRequest(t);
      } else {
        raw = reserialize(t);
        if (!raw) {
          kind = "unsigned";
          request = unsignedRequest(t);
          warnings.push(`tx ${hash} in block ${hexNum(b.number)} was not sent through the recorder and its signature could not be rebuilt: replayed with eth_sendTransaction (needs an unlocked or impersonated sender)`);
        }
      }
      return {
        hash, kind, raw, request, source: sent ? "recorder" : "chain", from: t.from.toLowerCase(), to: t.to?.toLowerCase() ?? null,
        nonce: hexNum(t.nonce), index: hexNum(t.transactionIndex), status: hexNum(rcpt.status), gasUsed: BigInt(rcpt.gasUsed).toString(),
        contractAddress: rcpt.contractAddress?.toLowerCase() ?? null, logs, logsDigest: digestLogs(logs),
      };
    });
    touched.add(b.miner.toLowerCase());
    return {
      number: hexNum(b.number), hash: b.hash, timestamp: hexNum(b.timestamp), prevRandao: (b.prevRandao ?? b.mixHash ?? "0x").toLowerCase(),
      baseFeePerGas: BigInt(b.baseFeePerGas ?? "0x0").toString(), gasUsed: BigInt(b.gasUsed).toString(), miner: b.miner.toLowerCase(), txs,
    };
  });
  const unmined = [...sentByHash.keys()].filter((h) => !mined.has(h));
  if (unmined.length) warnings.push(`${unmined.length} accepted transaction(s) not mined by block ${endBlock}: not replayed`);
  const foreign = blocks.flatMap((b) => b.txs).filter((t) => t.source === "chain").length;
  if (foreign) warnings.push(`${foreign} transaction(s) on chain were not sent through the recorder (taken from the chain)`);
  const controls = recorded.filter((c) => !TX_METHODS.has(c.method));
  if (controls.some((c) => ["evm_revert", "hardhat_reset"].includes(c.method) && !c.error)) {
    warnings.push("the run reverted or reset the chain (evm_revert / hardhat_reset): only the final canonical chain is in the log");
  }
  for (const c of controls.filter((x) => x.headBefore !== undefined && !x.error)) {
    warnings.push(`${c.method} (call ${c.seq}) was answered while block ${c.head} was mined: replayed after block ${c.head}, it may have applied to block ${c.head} in the run`);
  }
  const rollups = [...new Set(pins.map((p) => p.rollup))];
  const rollup = opts.rollup?.toLowerCase() ?? (rollups.length === 1 ? rollups[0] : undefined);
  if (rollups.length > 1 && !opts.rollup) warnings.push(`several contracts emitted RandomnessRecorded (${rollups.join(", ")}): all pinned`);
  const maxHeight = pins.filter((p) => p.rollup === rollup).reduce((m, p) => Math.max(m, p.height), 0);
  const accounts = [...touched].sort();
  const final = await stateDigest(upstream, endBlock, accounts, rollupViewCalls(rollup, accounts, maxHeight + 1), rollup);
  return {
    version: REPLAY_LOG_VERSION, chainId, startBlock, startTimestamp: hexNum(startHeader.timestamp), endBlock, upstream, recordedAt: new Date().toISOString(), rollup, blocks, controls, refused,
    unmined, pinned: { randomness: pins }, final, warnings,
  };
}
