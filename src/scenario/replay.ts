/**
 * Replay of a recorded scenario (`ReplayLog`, record.ts) on a fresh Hardhat node or on a fork made at the log's
 * start block: the chain is re-created block by block (same timestamps, prevrandao and transactions in the same
 * order), and every receipt, every block and the final state are compared with the recording. Each mismatch is a
 * readable divergence line.
 *
 * One deliberate intervention: the Rollup's randomness of a height is keccak("fernet-rollup/randomness", height,
 * seed, output of height - 2's winner) (its top 224 bits), where the seed is the block.prevrandao of the block that
 * recorded it in the height's seed window (`recordRandomness(h)` or the first commit of h - 1, event
 * RandomnessRecorded(height, randomness)). The VRF proofs
 * inside the recorded transactions (checked by commitProver) sign it. The replay sets every block's prevrandao to the
 * recorded one, so the seed should come out equal; should a node not honour hardhat_setPrevRandao, the VRF proofs
 * would no longer verify. So right after the block holding the transaction that recorded a height's seed is mined,
 * the replay writes the recorded randomness into the word that stores it (RandomnessLib's ring; the seed in the
 * height's record in Rollups deployed before it) with hardhat_setStorageAt, and checks it with
 * the `getHeight(h).randomness` view. Gas and every other stored word are unchanged (a zero-to-nonzero SSTORE costs the
 * same for any value); a different value in that RandomnessRecorded event is the only expected difference, and it
 * is reported, not counted.
 * See docs/scenarios.md ("Replay").
 */
import { AbiCoder, Interface, keccak256, toBeHex, toQuantity, toUtf8Bytes } from "ethers";
import { startHardhatNode, type HardhatNode } from "../agents/devnet.js";
import {
  RANDOMNESS_RECORDED_TOPIC, STATE_METHODS, logsOf, rollupViewCalls, rpc, rpcBatch, stateDigest,
  type LogEntry, type RecordedCall, type ReplayLog, type ReplayTx,
} from "./record.js";

export interface ReplayOptions {
  /** Stop comparing after this many divergences (a refused transaction cascades). Default 50. */
  maxDivergences?: number;
  /** Progress callback (one call per replayed block). */
  onBlock?: (n: number, of: number) => void;
}

export interface PinReport {
  height: number;
  block: number;
  /** The randomness the original run recorded (written into the replay's Rollup). */
  recorded: string;
  /** What the replayed chain computed and recorded before the overwrite. */
  replayComputed: string;
  slot: string;
  /**
   * Where the seed word was found: "RandomnessLib" (its ring of seeds, today's layout), or for Rollups deployed
   * before it, the `heights` mapping: "ChainLib" (its ERC-7201 namespace) or a plain slot number.
   */
  base: number | "ChainLib" | "RandomnessLib";
}

export interface ReplayResult {
  /** Empty: the replay reproduced the recording. */
  divergences: string[];
  txs: number;
  blocks: number;
  startBlock: number;
  endBlock: number;
  target: string;
  /** The deliberate interventions (one per height: its randomness pinned), in readable form. */
  interventions: string[];
  pinned: PinReport[];
  /** Log warnings carried over (transactions not sent through the recorder, unmined ones, ...). */
  warnings: string[];
  /** What the replay could not compare on this node (not divergences). */
  notes: string[];
  ms: number;
}

/** Offset of `seed` inside the Rollup's `Height` struct (status|late|parent|winner; submitter|totalFees; seed). */
export const HEIGHT_SEED_OFFSET = 2n;
/** @deprecated the word at this offset is the seed now: HEIGHT_SEED_OFFSET. */
export const HEIGHT_RANDOMNESS_OFFSET = HEIGHT_SEED_OFFSET;
const VIEWS = new Interface([
  "function getHeight(uint256) view returns (tuple(uint8 status, bool late, uint64 parent, address winner, address submitter, uint96 totalFees, uint256 randomness))",
]);
const coder = AbiCoder.defaultAbiCoder();

/** Storage slot of `_heights[height]` for the mapping at base slot `base` (Solidity layout: keccak(h . base)). */
export function heightSlot(height: number | bigint, base: bigint): bigint {
  return BigInt(keccak256(coder.encode(["uint256", "uint256"], [height, base])));
}

/**
 * Slot of ChainLib's ERC-7201 namespace (contracts/libraries/ChainLib.sol STORAGE_SLOT), where the Rollup keeps its
 * `heights` mapping (the namespace's first member): keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff.
 */
export function erc7201Slot(id: string): bigint {
  return BigInt(keccak256(coder.encode(["uint256"], [BigInt(keccak256(toUtf8Bytes(id))) - 1n]))) & ~0xffn;
}
export const CHAIN_STORAGE_SLOT = erc7201Slot("fernet-rollup.storage.Chain");
/** RandomnessLib's namespace: a ring of SEED_RING words, word h % SEED_RING = randomness (top 224 bits) | uint32(h). */
export const RANDOMNESS_STORAGE_SLOT = erc7201Slot("fernet-rollup.storage.Randomness");
/** RandomnessLib.SEED_RING */
export const SEED_RING = 32n;
/** The ring word that holds `height`'s randomness (contracts/libraries/RandomnessLib.sol). */
export function seedRingSlot(height: number | bigint): bigint {
  return RANDOMNESS_STORAGE_SLOT + (BigInt(height) % SEED_RING);
}

/**
 * Base slot of the Rollup's `heights` mapping, checked on a live chain: the slot whose `seed` word holds `value`,
 * the seed the chain recorded for `height`. Cross-checks the layout derived from the source (ChainLib's ERC-7201
 * namespace) without trusting it blindly; the first 64 plain slots are searched too, for Rollups deployed before the
 * namespaced layout.
 */
export async function findHeightsBaseSlot(url: string, rollup: string, height: number, value: bigint, tag = "latest"): Promise<bigint | undefined> {
  const bases = [CHAIN_STORAGE_SLOT, ...Array.from({ length: 64 }, (_, i) => BigInt(i))];
  const res = await rpcBatch(url, bases.map((b) => ["eth_getStorageAt", [rollup, toQuantity(heightSlot(height, b) + HEIGHT_SEED_OFFSET), tag]]));
  const i = res.findIndex((r) => typeof r === "string" && BigInt(r) === value);
  return i < 0 ? undefined : bases[i];
}

const short = (h: string) => (h.length > 18 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h);
const hexNum = (x: string | undefined) => (x === undefined ? 0 : Number(BigInt(x)));
const q = (n: number) => "0x" + n.toString(16);

function describeLog(l: LogEntry): string {
  return `${short(l.address)} topic0 ${short(l.topics[0] ?? "-")}`;
}

/** Compares a replayed receipt's logs with the recorded ones; the pinned randomness event's value is expected to differ. */
function compareLogs(where: string, want: LogEntry[], got: LogEntry[], isPinned: (l: LogEntry) => boolean): string[] {
  const out: string[] = [];
  if (want.length !== got.length) out.push(`${where}: ${got.length} logs, recorded ${want.length}`);
  for (let i = 0; i < Math.min(want.length, got.length); i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.address !== g.address || w.topics.join() !== g.topics.join()) {
      out.push(`${where}: log ${i} is ${describeLog(g)} [${g.topics.slice(1).map(short).join(", ")}], recorded ${describeLog(w)} [${w.topics.slice(1).map(short).join(", ")}]`);
    } else if (w.data !== g.data && !isPinned(w)) {
      out.push(`${where}: log ${i} (${describeLog(w)}) data ${short(g.data)}, recorded ${short(w.data)}`);
    }
  }
  return out;
}

/**
 * Starts a Hardhat node to replay `log` on (network `replay`: FIFO mempool): a fork of `fork` at `log.startBlock`, or
 * a fresh node whose genesis time is the recorded start block's (a fresh node reproduces only logs that start at
 * block 0: a fresh chain has nothing before it).
 */
export async function startReplayNode(log: ReplayLog, opts: { fork?: string } = {}): Promise<HardhatNode> {
  if (opts.fork) return startHardhatNode({ network: "replay", fork: opts.fork, forkBlock: log.startBlock });
  if (log.startBlock !== 0) {
    throw new Error(`the log starts at block ${log.startBlock}: replay it on a fork made at that block (--fork URL), a fresh node starts at 0`);
  }
  return startHardhatNode({ network: "replay", env: { FERNET_REPLAY_GENESIS_TIME: String(log.startTimestamp) } });
}

/** Replays `log` on the node at `targetUrl` (head must be `log.startBlock`) and reports every divergence. */
export async function replayLog(log: ReplayLog, targetUrl: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const t0 = Date.now();
  const max = opts.maxDivergences ?? 50;
  const divergences: string[] = [];
  const interventions: string[] = [];
  const notes: string[] = [];
  const pinned: PinReport[] = [];
  let txCount = 0;
  let blockCount = 0;
  const result = (): ReplayResult => ({
    divergences, txs: txCount, blocks: blockCount, startBlock: log.startBlock, endBlock: log.endBlock, target: targetUrl,
    interventions, pinned, warnings: [...log.warnings], notes, ms: Date.now() - t0,
  });
  const diverge = (line: string) => {
    if (divergences.length < max) divergences.push(line);
    else if (divergences.length === max) divergences.push(`... stopped comparing after ${max} divergences`);
  };
  const full = () => divergences.length > max;

  if (log.version !== 1) throw new Error(`unsupported replay log version ${log.version}`);
  const chainId = hexNum(await rpc<string>(targetUrl, "eth_chainId"));
  if (chainId !== log.chainId) {
    diverge(`target chain id ${chainId}, recorded ${log.chainId}: the recorded signatures are for chain ${log.chainId}`);
    return result();
  }
  const head = hexNum(await rpc<string>(targetUrl, "eth_blockNumber"));
  if (head !== log.startBlock) {
    diverge(`target head is block ${head}, the log starts at block ${log.startBlock} (replay on a fresh node or a fork made at ${log.startBlock})`);
    return result();
  }
  const startHeader = await rpc<{ timestamp: string }>(targetUrl, "eth_getBlockByNumber", [q(head), false]);
  if (log.blocks.length && hexNum(startHeader.timestamp) >= log.blocks[0]!.timestamp) {
    diverge(`target block ${head} has timestamp ${hexNum(startHeader.timestamp)}, after the recorded block ${log.blocks[0]!.number}'s ${log.blocks[0]!.timestamp}: ` +
      "a fresh node must start at the recorded genesis time (startReplayNode(log) in src/scenario/replay.ts does)");
    return result();
  }
  await rpc(targetUrl, "evm_setAutomine", [false]);
  await rpc(targetUrl, "evm_setIntervalMining", [0]);

  const controls = log.controls.filter((c) => STATE_METHODS.has(c.method) && !c.error);
  const controlsBefore = (block: number): RecordedCall[] => controls.filter((c) => c.head === block - 1 || (block === log.startBlock + 1 && c.head < block - 1));
  const pinsAt = new Map<number, typeof log.pinned.randomness>();
  for (const p of log.pinned.randomness) pinsAt.set(p.block, [...(pinsAt.get(p.block) ?? []), p]);
  const pinnedTxs = new Set(log.pinned.randomness.map((p) => `${p.txHash}/${p.rollup}/${p.height}`));
  const isPinnedLog = (txHash: string) => (l: LogEntry) =>
    l.topics[0] === RANDOMNESS_RECORDED_TOPIC && pinnedTxs.has(`${txHash}/${l.address}/${hexNum(l.topics[1])}`);
  const baseSlots = new Map<string, bigint>();
  // The coinbase is part of the recorded header (it is paid the tips): the replay node mines to the same one.
  let coinbase = (await rpc<string>(targetUrl, "eth_coinbase")).toLowerCase();

  // Runs of empty blocks are sent as one batch (timestamp, prevrandao, mine per block) and checked together.
  let i = 0;
  while (i < log.blocks.length && !full()) {
    const b = log.blocks[i]!;
    const expected = log.startBlock + 1 + i;
    if (b.number !== expected) {
      diverge(`log: block ${b.number} where block ${expected} was expected (the log must hold every block after the start)`);
      return result();
    }
    if (b.miner && b.miner !== coinbase) {
      await rpc(targetUrl, "hardhat_setCoinbase", [b.miner]).catch((e: Error) => diverge(`block ${b.number}: cannot set the coinbase ${b.miner}: ${e.message}`));
      coinbase = b.miner;
    }
    for (const c of controlsBefore(b.number)) {
      try {
        await rpc(targetUrl, c.method, c.params);
      } catch (e) {
        diverge(`block ${b.number}: control call ${c.method} refused: ${(e as Error).message}`);
      }
    }
    if (b.txs.length === 0) {
      let j = i;
      const run: typeof log.blocks = [];
      while (j < log.blocks.length && log.blocks[j]!.txs.length === 0 && run.length < 50 && log.blocks[j]!.miner === coinbase &&
        (j === i || controlsBefore(log.blocks[j]!.number).length === 0)) {
        run.push(log.blocks[j]!);
        j++;
      }
      const calls: [string, unknown[]][] = run.flatMap((x) => [
        ["evm_setNextBlockTimestamp", [x.timestamp]], ["hardhat_setPrevRandao", [x.prevRandao]], ["evm_mine", []],
      ] as [string, unknown[]][]);
      const res = await rpcBatch(targetUrl, calls);
      res.forEach((r, k) => r instanceof Error && diverge(`block ${run[Math.floor(k / 3)]!.number}: ${r.message}`));
      const got = await rpcBatch(targetUrl, run.map((x) => ["eth_getBlockByNumber", [q(x.number), false]]));
      run.forEach((x, k) => compareHeader(x, got[k], diverge));
      blockCount += run.length;
      i = j;
      opts.onBlock?.(i, log.blocks.length);
      continue;
    }

    // A block with transactions: timestamp and prevrandao, then the transactions in their mined order.
    const pre = await rpcBatch(targetUrl, [["evm_setNextBlockTimestamp", [b.timestamp]], ["hardhat_setPrevRandao", [b.prevRandao]]]);
    pre.forEach((r) => r instanceof Error && diverge(`block ${b.number}: ${r.message}`));
    for (const t of b.txs) {
      try {
        const hash = await sendTx(targetUrl, t);
        if (hash.toLowerCase() !== t.hash) diverge(`block ${b.number} tx ${t.index}: replayed as ${short(hash)}, recorded ${short(t.hash)}`);
      } catch (e) {
        diverge(`block ${b.number} tx ${t.index} (${short(t.hash)} from ${short(t.from)}): refused: ${(e as Error).message}`);
      }
    }
    await rpc(targetUrl, "evm_mine", []);
    const got = (await rpc<{ transactions: string[] } & Record<string, string>>(targetUrl, "eth_getBlockByNumber", [q(b.number), false]));
    compareHeader(b, got, diverge);
    const order = (got?.transactions ?? []).map((h) => h.toLowerCase());
    const wantOrder = b.txs.map((t) => t.hash);
    if (order.join() !== wantOrder.join()) {
      const sameSet = order.length === wantOrder.length && [...order].sort().join() === [...wantOrder].sort().join();
      diverge(`block ${b.number}: transactions [${order.map(short).join(", ")}], recorded [${wantOrder.map(short).join(", ")}]` +
        (sameSet ? " (same transactions, another order: the node must mine its mempool in arrival order, Hardhat network `replay`, as startReplayNode does)" : ""));
    }
    // Receipts by position: a transaction replayed under another hash (changed bytes) is still compared.
    const receipts = await rpcBatch(targetUrl, b.txs.map((t, k) => ["eth_getTransactionReceipt", [order[k] ?? t.hash]]));
    b.txs.forEach((t, k) => {
      const r = receipts[k] as { status: string; gasUsed: string; contractAddress: string | null; blockNumber: string; transactionIndex: string; logs: LogEntry[] } | null | Error;
      const where = `block ${b.number} tx ${t.index} (${short(t.hash)})`;
      if (r instanceof Error || r === null || r === undefined) {
        diverge(`${where}: no receipt on the replay${r instanceof Error ? `: ${r.message}` : ""}`);
        return;
      }
      if (hexNum(r.blockNumber) !== b.number || hexNum(r.transactionIndex) !== t.index) {
        diverge(`${where}: mined at block ${hexNum(r.blockNumber)} index ${hexNum(r.transactionIndex)}`);
      }
      if (hexNum(r.status) !== t.status) diverge(`${where}: status ${hexNum(r.status)}, recorded ${t.status}`);
      if (BigInt(r.gasUsed).toString() !== t.gasUsed) diverge(`${where}: gasUsed ${BigInt(r.gasUsed)}, recorded ${t.gasUsed}`);
      if ((r.contractAddress?.toLowerCase() ?? null) !== t.contractAddress) diverge(`${where}: created ${r.contractAddress}, recorded ${t.contractAddress}`);
      for (const d of compareLogs(where, t.logs, logsOf(r), isPinnedLog(t.hash))) diverge(d);
    });
    txCount += b.txs.length;
    blockCount++;

    // The intervention: pin the randomness of each height whose first proposal is in this block.
    for (const p of pinsAt.get(b.number) ?? []) {
      const k = b.txs.findIndex((t) => t.hash === p.txHash);
      const r = receipts[k] as { logs: LogEntry[] } | undefined;
      const ev = r && !(r instanceof Error) ? logsOf(r as never).find((l) => l.topics[0] === RANDOMNESS_RECORDED_TOPIC && l.address === p.rollup && hexNum(l.topics[1]) === p.height) : undefined;
      if (!ev) {
        diverge(`height ${p.height}: the replay recorded no randomness at block ${b.number} (recorded ${short(p.value)}); not pinned`);
        continue;
      }
      // Today's layout: the randomness ring (the word holds the randomness with the height in its low 32 bits).
      const ring = seedRingSlot(p.height);
      const ringWord = BigInt(await rpc<string>(targetUrl, "eth_getStorageAt", [p.rollup, toQuantity(ring), "latest"]));
      let slot: bigint;
      let written: bigint;
      let base: bigint | "RandomnessLib" | undefined = ringWord === (BigInt(ev.data) | BigInt(p.height)) ? "RandomnessLib" : baseSlots.get(p.rollup);
      if (base === "RandomnessLib") {
        slot = ring;
        written = BigInt(p.value) | BigInt(p.height);
      } else {
        if (base === undefined) {
          base = await findHeightsBaseSlot(targetUrl, p.rollup, p.height, BigInt(ev.data));
          if (base === undefined) {
            diverge(`height ${p.height}: could not find the Rollup's seed storage (randomness ${short(ev.data)} neither in the seed ring nor in the first 64 mappings); not pinned`);
            continue;
          }
          baseSlots.set(p.rollup, base);
        }
        slot = heightSlot(p.height, base) + HEIGHT_SEED_OFFSET;
        written = BigInt(p.value);
      }
      // toBeHex pads to 32 bytes (zeroPadValue(toQuantity(x)) refused a word below 2^252: an odd number of digits).
      await rpc(targetUrl, "hardhat_setStorageAt", [p.rollup, toQuantity(slot), toBeHex(written, 32)]);
      const raw = await rpc<string>(targetUrl, "eth_call", [{ to: p.rollup, data: VIEWS.encodeFunctionData("getHeight", [p.height]) }, "latest"]);
      const held = (VIEWS.decodeFunctionResult("getHeight", raw)[0] as { randomness: bigint }).randomness;
      if (held !== BigInt(p.value)) diverge(`height ${p.height}: getHeight(${p.height}).randomness is ${short(toQuantity(held))} after pinning ${short(p.value)}`);
      pinned.push({ height: p.height, block: b.number, recorded: p.value, replayComputed: ev.data, slot: toQuantity(slot), base: base === "RandomnessLib" ? base : base === CHAIN_STORAGE_SLOT ? "ChainLib" : Number(base) });
      interventions.push(`height ${p.height}: randomness pinned to the recorded ${short(p.value)} after block ${b.number} (the replayed chain computed ${short(ev.data)})`);
    }
    i++;
    opts.onBlock?.(i, log.blocks.length);
  }
  if (full()) return result();
  for (const c of controls.filter((c) => c.head >= log.endBlock)) {
    await rpc(targetUrl, c.method, c.params).catch((e: Error) => diverge(`after block ${log.endBlock}: control call ${c.method} refused: ${e.message}`));
  }

  // Final state: the same accounts and Rollup views as recorded, at the last block.
  const f = log.final;
  const replayed = await stateDigest(targetUrl, log.endBlock, f.accounts.map((a) => a.address), f.views.map(({ call, data }) => ({ call, data })), log.rollup);
  f.accounts.forEach((a, k) => {
    const g = replayed.accounts[k]!;
    if (g.balance !== a.balance) diverge(`final state: balance of ${a.address} ${BigInt(g.balance)}, recorded ${BigInt(a.balance)}`);
    if (g.nonce !== a.nonce) diverge(`final state: nonce of ${a.address} ${g.nonce}, recorded ${a.nonce}`);
    if (g.codeHash !== a.codeHash) diverge(`final state: code of ${a.address} differs`);
    if (a.storageHash && g.storageHash && a.storageHash !== g.storageHash) {
      diverge(`final state: storage of ${a.address} differs (storage root ${short(g.storageHash)}, recorded ${short(a.storageHash)})`);
    }
  });
  const unproven = f.accounts.filter((a, k) => a.storageHash && !replayed.accounts[k]!.storageHash).length;
  if (unproven) {
    notes.push(`storage roots of ${unproven} contract(s) not compared: the replay node cannot prove its state (eth_getProof: a Hardhat fork refuses); their state is compared through receipts, logs, balances and the Rollup's views`);
  }
  f.views.forEach((v, k) => {
    const g = replayed.views[k]!;
    if (g.result !== v.result) diverge(`final state: rollup.${v.call} = ${short(g.result)}, recorded ${short(v.result)}`);
  });
  return result();
}

function compareHeader(b: ReplayLog["blocks"][number], got: unknown, diverge: (s: string) => void): void {
  if (!got || got instanceof Error) {
    diverge(`block ${b.number}: not on the replay${got instanceof Error ? `: ${got.message}` : ""}`);
    return;
  }
  const h = got as Record<string, string>;
  if (hexNum(h.timestamp) !== b.timestamp) diverge(`block ${b.number}: timestamp ${hexNum(h.timestamp)}, recorded ${b.timestamp}`);
  const randao = (h.prevRandao ?? h.mixHash ?? "").toLowerCase();
  if (randao !== b.prevRandao) diverge(`block ${b.number}: prevrandao ${short(randao)}, recorded ${short(b.prevRandao)}`);
  if (BigInt(h.baseFeePerGas ?? "0x0").toString() !== b.baseFeePerGas) diverge(`block ${b.number}: base fee ${BigInt(h.baseFeePerGas ?? "0x0")}, recorded ${b.baseFeePerGas}`);
  if (BigInt(h.gasUsed ?? "0x0").toString() !== b.gasUsed) diverge(`block ${b.number}: gas used ${BigInt(h.gasUsed ?? "0x0")}, recorded ${b.gasUsed}`);
  if ((h.miner ?? "").toLowerCase() !== b.miner) diverge(`block ${b.number}: coinbase ${h.miner}, recorded ${b.miner}`);
}

async function sendTx(url: string, t: ReplayTx): Promise<string> {
  if (t.kind === "raw" && t.raw) return rpc<string>(url, "eth_sendRawTransaction", [t.raw]);
  if (t.request) return rpc<string>(url, "eth_sendTransaction", [t.request]);
  throw new Error("the log has neither the signed bytes nor the request of this transaction");
}
