/**
 * The simulation's L1: Hardhat's in-process EDR chain, stepped one block at a time. Actors queue transactions for
 * the next block (sent from the node's own accounts, so the node signs them), then `mine()` seals the block and
 * returns the receipts with their decoded events; the gas of every transaction (reverted ones too) is charged to
 * the actor that sent it. Block randomness (prevrandao) is set from the run's seed before every block, so a seed
 * gives the same chain every time.
 */
import hre from "hardhat";
import { keccak256, toBeHex, toQuantity, type Interface, type LogDescription } from "ethers";

type Connection = Awaited<ReturnType<typeof hre.network.create>>;

export interface SimTx {
  actor: string;
  method: string;
  height?: bigint;
  hash: string;
  /** The calldata (the Rollup logs a reveal's pubdata hash only: the pubdata is read from here). */
  data: string;
}

export interface SimReceipt extends SimTx {
  ok: boolean;
  gasUsed: number;
  block: number;
  logs: { address: string; topics: string[]; data: string }[];
  events: LogDescription[];
}

/** Gas limits per call (generous: a limit only bounds the gas a transaction may burn, gasUsed is what it costs). */
const GAS_LIMIT: Record<string, number> = {
  propose: 600_000, reveal: 600_000, commitProver: 1_500_000, revealAndCommitProver: 1_500_000, commitUnits: 1_500_000, revealAndCommitUnits: 1_500_000, recordRandomness: 300_000,
  submitProof: 4_000_000, submitUnitProof: 4_000_000, settleUnits: 3_000_000, release: 600_000, triggerReorg: 8_000_000,
};

/** Fee caps given with every transaction, so that the node does not look up fee history for each (40 ms a call). */
const MAX_FEE = toQuantity(100n * 10n ** 9n);

export class SimChain {
  private pending: SimTx[] = [];
  private constructor(
    readonly conn: Connection,
    private readonly seed: number,
    private readonly decoders: { address: string; iface: Interface }[],
  ) {}

  /** A fresh in-process chain whose accounts are the given keys (each funded with 10,000 ETH). */
  static async create(seed: number, privateKeys: string[]): Promise<SimChain> {
    const conn = await hre.network.create({
      network: "default",
      override: {
        type: "edr-simulated",
        accounts: privateKeys.map((privateKey) => ({ privateKey, balance: (10n ** 22n).toString() })),
        blockGasLimit: 2_000_000_000n,
        allowBlocksWithSameTimestamp: true,
        initialDate: new Date("2026-01-01T00:00:00Z"),
        mining: { auto: true, mempool: { order: "fifo" } },
      } as never,
    });
    return new SimChain(conn, seed, []);
  }

  get ethers() {
    return this.conn.ethers;
  }

  /** Decodes the logs of `address` with `iface` (the Rollup, the token) in every receipt from now on. */
  decode(address: string, iface: Interface): void {
    this.decoders.push({ address: address.toLowerCase(), iface });
  }

  async blockNumber(): Promise<number> {
    return Number(await this.conn.provider.request({ method: "eth_blockNumber", params: [] }));
  }

  /** From here on, blocks are sealed only by `mine()`. */
  async manualMining(): Promise<void> {
    await this.conn.provider.request({ method: "evm_setAutomine", params: [false] });
  }

  /** Queues a transaction for the next block. */
  async send(from: string, to: string, data: string, actor: string, method: string, height?: bigint): Promise<string> {
    const gas = GAS_LIMIT[method] ?? 2_000_000;
    const hash = (await this.conn.provider.request({ method: "eth_sendTransaction", params: [{ from, to, data, gas: toQuantity(gas), maxFeePerGas: MAX_FEE, maxPriorityFeePerGas: "0x0" }] })) as string;
    this.pending.push({ actor, method, height, hash, data });
    return hash;
  }

  /** Seals the next block (prevrandao from the seed) and returns the receipts of the queued transactions. */
  async mine(): Promise<SimReceipt[]> {
    const next = (await this.blockNumber()) + 1;
    const randao = keccak256(toBeHex((BigInt(this.seed) << 64n) | BigInt(next), 32));
    await this.conn.provider.request({ method: "hardhat_setPrevRandao", params: [randao] });
    await this.conn.provider.request({ method: "evm_mine", params: [] });
    const sent = this.pending;
    this.pending = [];
    const out: SimReceipt[] = [];
    for (const tx of sent) {
      const r = (await this.conn.provider.request({ method: "eth_getTransactionReceipt", params: [tx.hash] })) as
        | { status: string; gasUsed: string; blockNumber: string; logs: { address: string; topics: string[]; data: string }[] }
        | null;
      if (!r) throw new Error(`transaction ${tx.method} of ${tx.actor} was not mined in block ${next} (block gas limit?)`);
      const events: LogDescription[] = [];
      for (const l of r.logs) {
        const d = this.decoders.find((x) => x.address === l.address.toLowerCase());
        if (!d) continue;
        const e = d.iface.parseLog(l);
        if (e) events.push(e);
      }
      out.push({ ...tx, ok: r.status === "0x1", gasUsed: Number(r.gasUsed), block: Number(r.blockNumber), logs: r.logs, events });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
