pragma circom 2.1.0;

// One slot of a block: a transfer, or a no-op when from == 0. The twin of applySlot in src/l2/block.ts.

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "merkle.circom";
include "checks.circom";

// Leaf of an account: Poseidon(Ax, Ay, balance, nonce) (src/l2/state.ts accountLeaf).
template AccountLeaf() {
    signal input Ax;
    signal input Ay;
    signal input balance;
    signal input nonce;
    signal output out;
    component h = Poseidon(4);
    h.inputs[0] <== Ax;
    h.inputs[1] <== Ay;
    h.inputs[2] <== balance;
    h.inputs[3] <== nonce;
    out <== h.out;
}

template TransferSlot(D) {
    var L = D \ 2;
    var TRANSFER_TAG = 1; // src/l2/transaction.ts TRANSFER_TAG

    signal input rootIn;
    // the L2 domain (chainId * 2^160 + rollup address), a public input of the block
    signal input domain;
    // the slot (public through `word`)
    signal input from;
    signal input to;
    signal input amount;
    signal input fee;
    // sender leaf before, its path, signature
    signal input sAx;
    signal input sAy;
    signal input sBalance;
    signal input sNonce;
    signal input sSiblings[L][3];
    signal input sigR8x;
    signal input sigR8y;
    signal input sigS;
    // receiver leaf before (in the tree after the sender's update), its path
    signal input rAx;
    signal input rAy;
    signal input rBalance;
    signal input rNonce;
    signal input rSiblings[L][3];

    signal output rootOut;
    signal output word;

    // Widths. The index bits double as Merkle path positions (and bound from, to < 2^D <= 2^32).
    component fromBits = Num2Bits(D);
    fromBits.in <== from;
    component toBits = Num2Bits(D);
    toBits.in <== to;
    component ranges = TransferFieldRanges();
    ranges.amount <== amount;
    ranges.fee <== fee;

    // Pubdata word: from u32 | to u32 | amount u64 | fee u32 (big-endian), linear in the checked fields.
    word <== from * (1 << 128) + to * (1 << 96) + amount * (1 << 32) + fee;

    // No-op: from == 0, and then the whole word must be 0. Nothing below is enforced for a no-op.
    component noop = IsZero();
    noop.in <== from;
    component noopEmpty = NoopIsEmpty();
    noopEmpty.isNoop <== noop.out;
    noopEmpty.word <== word;
    signal enabled <== 1 - noop.out;

    component sBal = SenderBalanceCheck();
    sBal.balance <== sBalance;
    sBal.amount <== amount;
    sBal.fee <== fee;
    signal sBalanceNew <== sBal.newBalance;
    component nonceCheck = NonceCheck();
    nonceCheck.nonce <== sNonce;
    signal sNonceNew <== nonceCheck.newNonce;
    component rBal = ReceiverBalanceCheck();
    rBal.balance <== rBalance;
    rBal.amount <== amount;
    signal rBalanceNew <== rBal.newBalance;

    // Signature over M' = Poseidon(domain, M), M = TAG * 2^192 + nonce * 2^160 + word, by the sender's leaf key;
    // the nonce is the leaf's, so "tx nonce == account nonce" holds by construction. The domain separates chains
    // and rollup deployments (src/l2/transaction.ts transferMessage).
    component sig = EdDSAPoseidonVerifier();
    sig.enabled <== enabled;
    sig.Ax <== sAx;
    sig.Ay <== sAy;
    sig.S <== sigS;
    sig.R8x <== sigR8x;
    sig.R8y <== sigR8y;
    component msg = Poseidon(2);
    msg.inputs[0] <== domain;
    msg.inputs[1] <== TRANSFER_TAG * (1 << 192) + sNonce * (1 << 160) + word;
    sig.M <== msg.out;

    // Sender update. The sender exists because its (non-zero) leaf opens against the root; an empty leaf is 0.
    component sOld = AccountLeaf();
    sOld.Ax <== sAx; sOld.Ay <== sAy; sOld.balance <== sBalance; sOld.nonce <== sNonce;
    component sNew = AccountLeaf();
    sNew.Ax <== sAx; sNew.Ay <== sAy; sNew.balance <== sBalanceNew; sNew.nonce <== sNonceNew;
    component sPath = MerkleUpdate4(L);
    sPath.oldLeaf <== sOld.out;
    sPath.newLeaf <== sNew.out;
    for (var i = 0; i < D; i++) sPath.indexBits[i] <== fromBits.out[i];
    for (var l = 0; l < L; l++) for (var j = 0; j < 3; j++) sPath.siblings[l][j] <== sSiblings[l][j];
    component sIn = SenderLeafInRoot();
    sIn.enabled <== enabled;
    sIn.computed <== sPath.oldRoot;
    sIn.expected <== rootIn;
    signal rootMid <== rootIn + enabled * (sPath.newRoot - rootIn);

    // Receiver update in the tree after the sender's (so from == to behaves as in TS: net fee paid, nonce + 1).
    component rOld = AccountLeaf();
    rOld.Ax <== rAx; rOld.Ay <== rAy; rOld.balance <== rBalance; rOld.nonce <== rNonce;
    component rNew = AccountLeaf();
    rNew.Ax <== rAx; rNew.Ay <== rAy; rNew.balance <== rBalanceNew; rNew.nonce <== rNonce;
    component rPath = MerkleUpdate4(L);
    rPath.oldLeaf <== rOld.out;
    rPath.newLeaf <== rNew.out;
    for (var i = 0; i < D; i++) rPath.indexBits[i] <== toBits.out[i];
    for (var l = 0; l < L; l++) for (var j = 0; j < 3; j++) rPath.siblings[l][j] <== rSiblings[l][j];
    component rIn = ReceiverLeafInRoot();
    rIn.enabled <== enabled;
    rIn.computed <== rPath.oldRoot;
    rIn.expected <== rootMid;
    rootOut <== rootMid + enabled * (rPath.newRoot - rootMid);
}
