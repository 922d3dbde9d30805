pragma circom 2.1.0;

// Arity-4 sparse Merkle tree over Poseidon(4): the twin of src/l2/tree.ts.
// A node's 4 children are ordered by position p = index % 4; a path gives, per level from the leaves up, the 3
// siblings in position order with the own slot removed. Positions come from the leaf index's bits, 2 per level
// (little-endian: p = b0 + 2 * b1).

include "circomlib/circuits/poseidon.circom";

// One level of a leaf update: the same position bits and siblings hash the old child and the new child.
// The position selectors and the sibling-only products are shared by both (old/new path of one leaf).
template UpdateLevel4() {
    signal input oldChild;
    signal input newChild;
    signal input b0;   // boolean (constrained by the caller's Num2Bits)
    signal input b1;
    signal input s[3];
    signal output oldParent;
    signal output newParent;

    // e_k = [position == k]
    signal e3 <== b0 * b1;
    signal e0 <== 1 - b0 - b1 + e3;
    signal e1 <== b0 - e3;
    signal e2 <== b1 - e3;
    // Products that do not depend on the child: shared by the old and the new hash.
    signal t01 <== e0 * (s[0] - s[1]);
    signal t32 <== e3 * (s[2] - s[1]);

    component h[2];
    signal c[2];
    c[0] <== oldChild;
    c[1] <== newChild;
    signal a[2][4];
    for (var k = 0; k < 2; k++) {
        // children = insert c at position p into (s0, s1, s2)
        a[k][0] <== e0 * (c[k] - s[0]);
        a[k][1] <== e1 * (c[k] - s[1]);
        a[k][2] <== e2 * (c[k] - s[1]);
        a[k][3] <== e3 * (c[k] - s[2]);
        h[k] = Poseidon(4);
        h[k].inputs[0] <== s[0] + a[k][0];
        h[k].inputs[1] <== s[1] + t01 + a[k][1];
        h[k].inputs[2] <== s[1] + a[k][2] + t32;
        h[k].inputs[3] <== s[2] + a[k][3];
    }
    oldParent <== h[0].out;
    newParent <== h[1].out;
}

// Roots of the tree before and after replacing one leaf (oldLeaf -> newLeaf) at the index whose D bits are given.
// L = D / 2 levels.
template MerkleUpdate4(L) {
    signal input oldLeaf;
    signal input newLeaf;
    signal input indexBits[2 * L];
    signal input siblings[L][3];
    signal output oldRoot;
    signal output newRoot;

    component lv[L];
    for (var l = 0; l < L; l++) {
        lv[l] = UpdateLevel4();
        if (l == 0) {
            lv[l].oldChild <== oldLeaf;
            lv[l].newChild <== newLeaf;
        } else {
            lv[l].oldChild <== lv[l - 1].oldParent;
            lv[l].newChild <== lv[l - 1].newParent;
        }
        lv[l].b0 <== indexBits[2 * l];
        lv[l].b1 <== indexBits[2 * l + 1];
        for (var j = 0; j < 3; j++) lv[l].s[j] <== siblings[l][j];
    }
    oldRoot <== lv[L - 1].oldParent;
    newRoot <== lv[L - 1].newParent;
}
