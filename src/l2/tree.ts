/**
 * Sparse Merkle tree of arity 4 over Poseidon(4), holding 2^D leaves (D even: D/2 levels of 4-way nodes).
 *
 * Why arity 4: one Poseidon(4) (about 300 constraints in circomlib) replaces two Poseidon(2) (about 240 each), so
 * each Merkle path in the block circuit costs about 38% less. The shape is private to src/l2 and circuits/
 * (circuits/merkle.circom is the twin of `rootFromPath`); L1 only ever sees roots.
 *
 * Only non-empty nodes are stored; an empty subtree of height h has the precomputed root `emptyRoot(h)`
 * (empty leaf = 0, emptyRoot(h+1) = Poseidon(e, e, e, e) with e = emptyRoot(h)).
 */
import { poseidon } from "./crypto.js";
import { L2Error } from "./errors.js";

/** Arity of internal nodes. */
export const ARITY = 4;

/** Merkle path of one leaf: for each level from the leaves up, the 3 siblings in position order (own slot removed). */
export interface MerklePath {
  index: number;
  siblings: bigint[][];
}

const emptyRoots: bigint[] = [0n];

/** Root of an empty subtree with `height` 4-way levels above its leaves. */
export function emptyRoot(height: number): bigint {
  while (emptyRoots.length <= height) {
    const e = emptyRoots[emptyRoots.length - 1];
    emptyRoots.push(poseidon([e, e, e, e]));
  }
  return emptyRoots[height];
}

/** Checks a tree depth: even, 2..32 (account indices are u32). */
export function checkDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 2 || depth > 32 || depth % 2 !== 0) {
    throw new L2Error("BAD_PARAMETER", `tree depth must be an even integer in 2..32 (arity-4 tree), got ${depth}`);
  }
}

/** Parent hash of 4 children with `child` at `position` (0..3) and `siblings` filling the other slots in order. */
export function hashWithSiblings(child: bigint, position: number, siblings: bigint[]): bigint {
  const children = siblings.slice();
  children.splice(position, 0, child);
  return poseidon(children);
}

/** Root reached from `leaf` at `index` along `siblings` (what the circuit computes). */
export function rootFromPath(leaf: bigint, index: number, siblings: bigint[][]): bigint {
  let node = leaf;
  let i = index;
  for (const level of siblings) {
    node = hashWithSiblings(node, i % ARITY, level);
    i = Math.floor(i / ARITY);
  }
  return node;
}

export class SparseMerkleTree {
  /** Depth in binary levels (2^depth leaves). */
  readonly depth: number;
  /** Number of 4-way levels (depth / 2). */
  readonly levels: number;
  // key = level * 2^32 + index (level 0 = leaves); only nodes that differ from the empty subtree are stored.
  private readonly nodes: Map<number, bigint>;

  constructor(depth: number, nodes?: Map<number, bigint>) {
    checkDepth(depth);
    this.depth = depth;
    this.levels = depth / 2;
    this.nodes = nodes ? new Map(nodes) : new Map();
    emptyRoot(this.levels);
  }

  private static key(level: number, index: number): number {
    return level * 2 ** 32 + index;
  }

  private node(level: number, index: number): bigint {
    return this.nodes.get(SparseMerkleTree.key(level, index)) ?? emptyRoot(level);
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth) {
      throw new L2Error("OUT_OF_RANGE", `leaf index ${index} outside 0..2^${this.depth}-1`);
    }
  }

  get root(): bigint {
    return this.node(this.levels, 0);
  }

  getLeaf(index: number): bigint {
    this.checkIndex(index);
    return this.node(0, index);
  }

  /** Sets a leaf and rehashes its path (levels hashes). Setting 0 empties it. */
  setLeaf(index: number, value: bigint): void {
    this.checkIndex(index);
    let node = value;
    let i = index;
    for (let level = 0; ; level++) {
      const k = SparseMerkleTree.key(level, i);
      if (node === emptyRoot(level)) this.nodes.delete(k);
      else this.nodes.set(k, node);
      if (level === this.levels) break;
      const parent = Math.floor(i / ARITY);
      const children: bigint[] = [];
      for (let c = 0; c < ARITY; c++) children.push(this.node(level, parent * ARITY + c));
      node = poseidon(children);
      i = parent;
    }
  }

  /** Merkle path of a leaf (siblings per level, leaves first). */
  path(index: number): MerklePath {
    this.checkIndex(index);
    const siblings: bigint[][] = [];
    let i = index;
    for (let level = 0; level < this.levels; level++) {
      const parent = Math.floor(i / ARITY);
      const s: bigint[] = [];
      for (let c = 0; c < ARITY; c++) if (parent * ARITY + c !== i) s.push(this.node(level, parent * ARITY + c));
      siblings.push(s);
      i = parent;
    }
    return { index, siblings };
  }

  /** Independent copy (the node map is copied; bigints are immutable). */
  clone(): SparseMerkleTree {
    return new SparseMerkleTree(this.depth, this.nodes);
  }

  /** Number of stored (non-empty) nodes. */
  get storedNodes(): number {
    return this.nodes.size;
  }
}
