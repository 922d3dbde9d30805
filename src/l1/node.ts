/**
 * What the L1 node offers, probed once, and every node-control call of the project (mining, automine, interval
 * mining, balances, impersonation, reorgs) routed through it with a fallback when the node lacks the method.
 *
 * Three kinds of node are supported: the Hardhat node (hardhat_* and evm_*; interval mining in ms), anvil (anvil_*,
 * most hardhat_* aliases and evm_*; interval mining in SECONDS; anvil_reorg) and a node that allows no control call
 * at all but mines on its own (a public testnet, or a node with its own block time). On the last, "mine n blocks"
 * becomes "wait for n blocks" with a progress line, and a node that produces no block for `noBlockMs` is an error
 * that says so: nothing waits silently.
 */
import type { JsonRpcProvider } from "ethers";
import { AgentError, errText, type Logger } from "../agents/common.js";

export type NodeKind = "hardhat" | "anvil" | "other";

/** The control methods the node answers (undefined: it has none of the names tried). */
export interface NodeCapabilities {
  kind: NodeKind;
  /** web3_clientVersion, or "" when the node does not answer it. */
  clientVersion: string;
  chainId: bigint;
  /** Mines n blocks in one call. */
  mineMany?: "hardhat_mine" | "anvil_mine";
  evmMine: boolean;
  setAutomine: boolean;
  setIntervalMining: boolean;
  /** Unit of evm_setIntervalMining's argument: Hardhat takes ms, anvil whole seconds. */
  intervalUnit: "ms" | "s";
  setBalance?: "hardhat_setBalance" | "anvil_setBalance";
  impersonate?: "hardhat_impersonateAccount" | "anvil_impersonateAccount";
  /** anvil_reorg(depth, txs): replaces the last `depth` blocks. */
  reorg: boolean;
}

/** The node lacks a control method the caller cannot do without (a balance top-up, an impersonation, a reorg). */
export class NodeCapabilityError extends AgentError {
  constructor(message: string) {
    super("BAD_CONFIG", message);
    this.name = "NodeCapabilityError";
  }
}

/** The L1 produced no block (or the awaited progress did not come) for too long. */
export class L1StallError extends AgentError {
  constructor(message: string) {
    super("BAD_CONFIG", message);
    this.name = "L1StallError";
  }
}

interface RpcAnswer {
  result?: unknown;
  error?: { code?: number; message?: string };
}

async function rawCall(url: string, method: string, params: unknown[]): Promise<RpcAnswer> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const text = await r.text();
  try {
    return JSON.parse(text) as RpcAnswer;
  } catch {
    // A gateway that refuses a method may answer with an HTTP error page.
    return { error: { code: r.status, message: text.slice(0, 200) } };
  }
}

const MISSING_MESSAGE = /not (found|supported|available|allowed|permitted|whitelisted)|unsupported|does not exist|unknown method|refused|forbidden|disabled/i;

/**
 * Whether an answer means "no such method". The probes send deliberately invalid parameters: a node that has the
 * method refuses them with "invalid params" (-32602) or a parse error and changes nothing; one that lacks it says
 * -32601 or words to that effect (gateways differ).
 */
export function isMissingMethod(a: RpcAnswer): boolean {
  if (!a.error) return false;
  if (a.error.code === -32601 || a.error.code === -32004 || a.error.code === 403 || a.error.code === 405) return true;
  return a.error.code !== -32602 && MISSING_MESSAGE.test(a.error.message ?? "");
}

/** Probes `url` once: client version, chain id and which control methods answer. */
export async function probeNode(url: string): Promise<NodeCapabilities> {
  const version = await rawCall(url, "web3_clientVersion", []).catch(() => ({}) as RpcAnswer);
  const clientVersion = typeof version.result === "string" ? version.result : "";
  const chain = await rawCall(url, "eth_chainId", []);
  if (typeof chain.result !== "string") throw new AgentError("BAD_CONFIG", `the L1 node at ${url} does not answer eth_chainId: ${chain.error?.message ?? "no result"}`);
  const kind: NodeKind = /hardhat/i.test(clientVersion) ? "hardhat" : /anvil/i.test(clientVersion) ? "anvil" : "other";
  const has = async (method: string, badParams: unknown[]) => !isMissingMethod(await rawCall(url, method, badParams).catch((e: unknown) => ({ error: { message: `unsupported: ${errText(e)}` } })));
  const bad = ["not-a-quantity"];
  const [hardhatMine, anvilMine, evmMine, setAutomine, setIntervalMining, hardhatSetBalance, anvilSetBalance, hardhatImpersonate, anvilImpersonate, reorg] = [
    await has("hardhat_mine", bad), await has("anvil_mine", bad), await has("evm_mine", bad), await has("evm_setAutomine", bad),
    await has("evm_setIntervalMining", bad), await has("hardhat_setBalance", []), await has("anvil_setBalance", []),
    await has("hardhat_impersonateAccount", []), await has("anvil_impersonateAccount", []), await has("anvil_reorg", []),
  ];
  return {
    kind, clientVersion, chainId: BigInt(chain.result),
    mineMany: hardhatMine ? "hardhat_mine" : anvilMine ? "anvil_mine" : undefined,
    evmMine, setAutomine, setIntervalMining,
    intervalUnit: kind === "anvil" ? "s" : "ms",
    setBalance: hardhatSetBalance ? "hardhat_setBalance" : anvilSetBalance ? "anvil_setBalance" : undefined,
    impersonate: hardhatImpersonate ? "hardhat_impersonateAccount" : anvilImpersonate ? "anvil_impersonateAccount" : undefined,
    reorg,
  };
}

const quantity = (n: bigint | number) => "0x" + BigInt(n).toString(16);

export interface WaitOptions {
  /** What the wait is for, in the progress lines and the stall error. */
  what: string;
  /** An error when no new block comes for this long (default: the node's noBlockMs). */
  noBlockMs?: number;
  pollMs?: number;
}

/**
 * An L1 node with its probed capabilities. Calls go through `provider` (so that a recording proxy in front of the
 * node sees them); the probe went to the node's URL.
 */
export class L1Node {
  /** ms without a new block after which a wait fails (a node that does not mine by itself and cannot be asked to). */
  noBlockMs: number;
  /** The node's own block interval when it mines by itself (measured on the first wait), ms. */
  private progressEveryMs = 5_000;

  constructor(
    readonly provider: JsonRpcProvider,
    readonly caps: NodeCapabilities,
    private readonly log?: Logger,
    opts: { noBlockMs?: number } = {},
  ) {
    this.noBlockMs = opts.noBlockMs ?? 60_000;
  }

  /** Probes the node behind `provider` (or at `url`, the node itself when the provider goes through a proxy). */
  static async connect(provider: JsonRpcProvider, opts: { url?: string; log?: Logger; noBlockMs?: number } = {}): Promise<L1Node> {
    const url = opts.url ?? provider._getConnection().url;
    const caps = await probeNode(url);
    const node = new L1Node(provider, caps, opts.log, opts);
    opts.log?.info("L1 node", node.describe());
    return node;
  }

  /**
   * A node assumed to be a local dev node with Hardhat's control calls, without probing (callers that talk to their
   * own spawned node through a recording proxy, where probe calls would land in the recording). The calls still
   * fall back when a method turns out to be missing.
   */
  static assumeDevNode(provider: JsonRpcProvider, chainId: bigint, log?: Logger): L1Node {
    return new L1Node(provider, {
      kind: "other", clientVersion: "", chainId, mineMany: "hardhat_mine", evmMine: true, setAutomine: true, setIntervalMining: true,
      intervalUnit: "ms", setBalance: "hardhat_setBalance", impersonate: "hardhat_impersonateAccount", reorg: false,
    }, log);
  }

  /** Whether blocks can be mined on demand (else the node mines on its own and the callers wait). */
  get canMine(): boolean {
    return this.caps.mineMany !== undefined || this.caps.evmMine;
  }

  describe(): Record<string, string> {
    const c = this.caps;
    const controls = [c.mineMany, c.evmMine && "evm_mine", c.setAutomine && "evm_setAutomine", c.setIntervalMining && `evm_setIntervalMining (${c.intervalUnit})`, c.setBalance, c.impersonate, c.reorg && "anvil_reorg"].filter(Boolean);
    return { kind: c.kind, client: c.clientVersion || "?", chainId: c.chainId.toString(), controls: controls.length ? controls.join(", ") : "none: the node mines on its own" };
  }

  /** Mines `n` blocks: in one call, or one by one, or (a node without mining calls) waits for them. */
  async mine(n: bigint | number, what = `${n} blocks`): Promise<void> {
    const count = BigInt(n);
    if (count <= 0n) return;
    const start = await this.provider.getBlockNumber();
    // Each way falls back to the next when the node refuses it: one call, one block per call, waiting.
    if (this.caps.mineMany) {
      try {
        await this.provider.send(this.caps.mineMany, [quantity(count)]);
        return;
      } catch (e) {
        this.log?.warn(`${this.caps.mineMany} refused: mining block by block`, { error: errText(e) });
      }
    }
    if (this.caps.evmMine) {
      try {
        for (let i = 0n; i < count; i++) await this.provider.send("evm_mine", []);
        return;
      } catch (e) {
        this.log?.warn("evm_mine refused: waiting for the node's own blocks", { error: errText(e) });
      }
    }
    await this.waitForBlock(start + Number(count), { what });
  }

  /** Mines until the head is `target` (waits for it on a node that mines on its own). */
  async mineTo(target: bigint | number, what?: string): Promise<void> {
    const head = BigInt(await this.provider.getBlockNumber());
    if (BigInt(target) > head) await this.mine(BigInt(target) - head, what ?? `L1 block ${target}`);
  }

  /** Automine on or off; false when the node has no such switch. */
  async setAutomine(on: boolean): Promise<boolean> {
    if (!this.caps.setAutomine) return false;
    await this.provider.send("evm_setAutomine", [on]);
    return true;
  }

  /**
   * One block every `ms` (0: off), in the node's own unit (anvil: whole seconds, at least 1). False when the node
   * has no interval mining (it keeps its own block time).
   */
  async setIntervalMining(ms: number): Promise<boolean> {
    if (!this.caps.setIntervalMining) return false;
    let arg = ms;
    if (this.caps.intervalUnit === "s" && ms > 0) {
      arg = Math.max(1, Math.round(ms / 1000));
      if (arg * 1000 !== ms) this.log?.warn(`anvil's interval mining is in whole seconds: one block every ${arg} s instead of ${ms} ms`);
    }
    await this.provider.send("evm_setIntervalMining", [arg]);
    return true;
  }

  /**
   * Switches to one block every `ms` without automine. On a node without these switches it keeps its own block
   * time: the caller is told so (the return value) and the log says it.
   */
  async useIntervalMining(ms: number): Promise<boolean> {
    const automineOff = await this.setAutomine(false).catch(() => false);
    const interval = await this.setIntervalMining(ms).catch((e: unknown) => {
      this.log?.warn("evm_setIntervalMining failed: the node keeps its own block time", { error: errText(e) });
      return false;
    });
    if (!interval) this.log?.info("the L1 node mines on its own: its block time applies", { requestedMs: ms, automineOff });
    return interval;
  }

  /** Gives `address` a balance of `wei`; throws NodeCapabilityError on a node without a balance setter. */
  async setBalance(address: string, wei: bigint): Promise<void> {
    if (!this.caps.setBalance) throw new NodeCapabilityError(`the L1 node (${this.caps.kind}) has no hardhat_setBalance / anvil_setBalance: fund ${address} yourself`);
    await this.provider.send(this.caps.setBalance, [address, quantity(wei)]);
  }

  /** Unlocks `address` for eth_sendTransaction; throws NodeCapabilityError on a node without impersonation. */
  async impersonate(address: string): Promise<void> {
    if (!this.caps.impersonate) throw new NodeCapabilityError(`the L1 node (${this.caps.kind}) cannot impersonate ${address} (no hardhat_/anvil_impersonateAccount)`);
    await this.provider.send(this.caps.impersonate, [address]);
  }

  /**
   * Reorgs the last `depth` blocks away (anvil_reorg): the node replaces them with as many new, empty blocks; the
   * transactions they held go back to... nowhere: anvil drops them (the agents resend). Throws on a node that cannot.
   */
  async reorg(depth: number): Promise<void> {
    if (!this.caps.reorg) throw new NodeCapabilityError(`the L1 node (${this.caps.kind}) cannot reorg (no anvil_reorg): run the scenario on anvil`);
    await this.provider.send("anvil_reorg", [depth, []]);
  }

  /**
   * Waits until the head reaches `target`, with a progress line every few seconds saying what is awaited, and an
   * L1StallError when no block comes for `noBlockMs`.
   */
  async waitForBlock(target: number, o: WaitOptions): Promise<number> {
    const noBlockMs = o.noBlockMs ?? this.noBlockMs;
    const pollMs = o.pollMs ?? 200;
    let head = await this.provider.getBlockNumber();
    let lastBlockAt = Date.now();
    let lastLine = 0;
    while (head < target) {
      const now = Date.now();
      if (now - lastLine >= this.progressEveryMs) {
        this.log?.info(`waiting for L1 block ${target} (head ${head}, ${target - head} to go): ${o.what}`);
        lastLine = now;
      }
      if (now - lastBlockAt > noBlockMs) {
        throw new L1StallError(
          `the L1 node produced no block in ${Math.round(noBlockMs / 1000)} s while waiting for block ${target} (head ${head}) for ${o.what}: ` +
            (this.canMine ? "mining on demand did not advance it" : "it allows no mining call and does not mine on its own (start it with a block time)"),
        );
      }
      await new Promise((r) => setTimeout(r, pollMs));
      const h = await this.provider.getBlockNumber();
      if (h > head) lastBlockAt = Date.now();
      head = h;
    }
    return head;
  }
}
