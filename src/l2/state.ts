/**
 * Accounts and the L2 state (accounts + their sparse Merkle tree).
 * Leaf of account i = Poseidon(Ax, Ay, balance, nonce); empty leaf = 0; index 0 is the null account (never used).
 */
import { isValidPublicKey, poseidon, type Point } from "./crypto.js";
import { L2Error } from "./errors.js";
import { U64_MAX } from "./pubdata.js";
import { SparseMerkleTree, checkDepth } from "./tree.js";

export interface Account {
  index: number;
  publicKey: Point;
  balance: bigint;
  nonce: number;
}

/** One genesis entry, JSON-able (bigints may be decimal strings). */
export interface GenesisAccount {
  index: number;
  publicKey: [string | bigint, string | bigint];
  balance: string | bigint | number;
}

/** Leaf hash of an account. */
export function accountLeaf(a: Account): bigint {
  return poseidon([a.publicKey[0], a.publicKey[1], a.balance, BigInt(a.nonce)]);
}

export class L2State {
  readonly depth: number;
  readonly tree: SparseMerkleTree;
  private readonly accounts: Map<number, Account>;

  constructor(depth: number, tree?: SparseMerkleTree, accounts?: Map<number, Account>) {
    checkDepth(depth);
    this.depth = depth;
    this.tree = tree ?? new SparseMerkleTree(depth);
    this.accounts = accounts ?? new Map();
  }

  get root(): bigint {
    return this.tree.root;
  }

  /** The account at `index`, or undefined (a copy: mutate the state only through block execution). */
  getAccount(index: number): Account | undefined {
    const a = this.accounts.get(index);
    return a && { ...a, publicKey: [a.publicKey[0], a.publicKey[1]] };
  }

  /** Indices of all accounts, ascending. */
  accountIndices(): number[] {
    return [...this.accounts.keys()].sort((x, y) => x - y);
  }

  /** Writes an account and its leaf. Used by genesis and block execution. */
  setAccount(a: Account): void {
    if (!Number.isInteger(a.index) || a.index < 1 || a.index >= 2 ** this.depth) {
      throw new L2Error("OUT_OF_RANGE", `account index ${a.index} outside 1..2^${this.depth}-1`);
    }
    const copy: Account = { ...a, publicKey: [a.publicKey[0], a.publicKey[1]] };
    this.accounts.set(a.index, copy);
    this.tree.setLeaf(a.index, accountLeaf(copy));
  }

  clone(): L2State {
    const accounts = new Map<number, Account>();
    for (const [k, a] of this.accounts) accounts.set(k, { ...a, publicKey: [a.publicKey[0], a.publicKey[1]] });
    return new L2State(this.depth, this.tree.clone(), accounts);
  }
}

function toBig(name: string, v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v);
  throw new L2Error("BAD_GENESIS", `${name}: ${String(v)} is not an integer`);
}

/**
 * State from a genesis list: distinct indices 1..2^D-1, public keys in Baby Jubjub's prime subgroup (the circuit's
 * signature check assumes it), balances < 2^64, nonces 0.
 */
export function stateFromGenesis(genesis: GenesisAccount[], depth: number): L2State {
  checkDepth(depth);
  if (!Array.isArray(genesis)) throw new L2Error("BAD_GENESIS", "genesis must be a list of accounts");
  const state = new L2State(depth);
  const seen = new Set<number>();
  for (const g of genesis) {
    if (typeof g !== "object" || g === null || !Array.isArray(g.publicKey) || g.publicKey.length !== 2) {
      throw new L2Error("BAD_GENESIS", "each genesis entry needs index, publicKey [x, y] and balance");
    }
    if (!Number.isInteger(g.index) || g.index < 1 || g.index >= 2 ** depth) {
      throw new L2Error("BAD_GENESIS", `account index ${g.index} outside 1..2^${depth}-1 (0 is the null account)`);
    }
    if (seen.has(g.index)) throw new L2Error("BAD_GENESIS", `account index ${g.index} appears twice`);
    seen.add(g.index);
    const publicKey: Point = [toBig("publicKey.x", g.publicKey[0]), toBig("publicKey.y", g.publicKey[1])];
    if (!isValidPublicKey(publicKey)) throw new L2Error("BAD_GENESIS", `account ${g.index}: public key is not a Baby Jubjub subgroup point`);
    const balance = toBig("balance", g.balance);
    if (balance < 0n || balance > U64_MAX) throw new L2Error("BAD_GENESIS", `account ${g.index}: balance is not a u64`);
    state.setAccount({ index: g.index, publicKey, balance, nonce: 0 });
  }
  return state;
}

/** JSON-able genesis entry for an account (decimal strings). */
export function genesisEntry(index: number, publicKey: Point, balance: bigint): GenesisAccount {
  return { index, publicKey: [publicKey[0].toString(), publicKey[1].toString()], balance: balance.toString() };
}
