/** Sparse Merkle tree (arity 4, Poseidon(4)): roots against a naive full tree, paths, emptiness, bounds. */
import { expect } from "chai";
import { SparseMerkleTree, emptyRoot, initL2, poseidon, rootFromPath } from "../../src/l2/index.js";
import { expectCode } from "./helpers.js";

/** Root of a full arity-4 tree over `leaves` (length a power of 4), computed level by level. */
function naiveRoot(leaves: bigint[]): bigint {
  let level = leaves;
  while (level.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 4) next.push(poseidon(level.slice(i, i + 4)));
    level = next;
  }
  return level[0];
}

describe("L2 sparse Merkle tree", () => {
  before(async () => {
    await initL2();
  });

  it("empty tree root is the precomputed empty subtree and matches a naive tree of zeros", () => {
    const t = new SparseMerkleTree(4);
    expect(t.root).to.equal(emptyRoot(2));
    expect(t.root).to.equal(naiveRoot(new Array(16).fill(0n)));
    expect(t.storedNodes).to.equal(0);
  });

  it("matches a naive full tree after arbitrary writes, and stores only non-empty nodes", () => {
    const t = new SparseMerkleTree(4);
    const leaves = new Array<bigint>(16).fill(0n);
    const writes: [number, bigint][] = [[1, 11n], [5, 55n], [15, 1234n], [6, 7n], [5, 56n]];
    for (const [i, v] of writes) {
      t.setLeaf(i, v);
      leaves[i] = v;
      expect(t.root).to.equal(naiveRoot(leaves));
    }
    expect(t.getLeaf(5)).to.equal(56n);
    expect(t.getLeaf(2)).to.equal(0n);
    // leaves 1, 5, 6, 15; level-1 nodes 0, 1, 3; root
    expect(t.storedNodes).to.equal(4 + 3 + 1);
    // emptying every leaf returns to the empty tree
    for (const i of [1, 5, 6, 15]) t.setLeaf(i, 0n);
    expect(t.root).to.equal(emptyRoot(2));
    expect(t.storedNodes).to.equal(0);
  });

  it("paths rebuild the root for set and unset leaves at every position; a wrong leaf or index does not", () => {
    const t = new SparseMerkleTree(8);
    for (const i of [0, 1, 2, 3, 4, 77, 200, 255]) t.setLeaf(i, BigInt(i) * 1000n + 1n);
    for (const i of [0, 1, 2, 3, 4, 5, 77, 128, 200, 255]) {
      const p = t.path(i);
      expect(p.siblings.length).to.equal(4);
      p.siblings.forEach((s) => expect(s.length).to.equal(3));
      expect(rootFromPath(t.getLeaf(i), i, p.siblings)).to.equal(t.root);
      expect(rootFromPath(t.getLeaf(i) + 1n, i, p.siblings)).to.not.equal(t.root);
    }
    const p77 = t.path(77);
    expect(rootFromPath(t.getLeaf(77), 78, p77.siblings)).to.not.equal(t.root);
  });

  it("a clone is independent", () => {
    const t = new SparseMerkleTree(8);
    t.setLeaf(3, 9n);
    const c = t.clone();
    c.setLeaf(4, 10n);
    expect(t.getLeaf(4)).to.equal(0n);
    expect(c.root).to.not.equal(t.root);
  });

  it("rejects out-of-range indices and unsupported depths", async () => {
    const t = new SparseMerkleTree(8);
    await expectCode(() => t.setLeaf(256, 1n), "OUT_OF_RANGE");
    await expectCode(() => t.path(-1), "OUT_OF_RANGE");
    await expectCode(() => t.getLeaf(1.5), "OUT_OF_RANGE");
    await expectCode(() => new SparseMerkleTree(7), "BAD_PARAMETER");
    await expectCode(() => new SparseMerkleTree(0), "BAD_PARAMETER");
    await expectCode(() => new SparseMerkleTree(34), "BAD_PARAMETER");
  });
});
