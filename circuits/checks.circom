pragma circom 2.1.0;

// The rules of a slot as small named templates: they cost nothing extra, and a witness that breaks a rule fails
// inside the template that names it (the error trace of witness generation shows "Error in template <Name>_...").

include "circomlib/circuits/bitify.circom";

// amount < 2^64, fee < 2^32 (so the pubdata word's fields cannot overlap or wrap the field).
template TransferFieldRanges() {
    signal input amount;
    signal input fee;
    component a = Num2Bits(64);
    a.in <== amount;
    component f = Num2Bits(32);
    f.in <== fee;
}

// balance - amount - fee in 0..2^64-1. balance < 2^64 holds for every leaf and amount + fee < 2^65, so a
// negative result would wrap to a huge field element and fail the 64-bit decomposition.
template SenderBalanceCheck() {
    signal input balance;
    signal input amount;
    signal input fee;
    signal output newBalance;
    newBalance <== balance - amount - fee;
    component b = Num2Bits(64);
    b.in <== newBalance;
}

// nonce + 1 < 2^32.
template NonceCheck() {
    signal input nonce;
    signal output newNonce;
    newNonce <== nonce + 1;
    component b = Num2Bits(32);
    b.in <== newNonce;
}

// balance + amount < 2^64.
template ReceiverBalanceCheck() {
    signal input balance;
    signal input amount;
    signal output newBalance;
    newBalance <== balance + amount;
    component b = Num2Bits(64);
    b.in <== newBalance;
}

// A no-op slot (from == 0) carries an all-zero word.
template NoopIsEmpty() {
    signal input isNoop;
    signal input word;
    isNoop * word === 0;
}

// enabled => computed root == expected root (the leaf opens against the current root).
template SenderLeafInRoot() {
    signal input enabled;
    signal input computed;
    signal input expected;
    enabled * (computed - expected) === 0;
}

template ReceiverLeafInRoot() {
    signal input enabled;
    signal input computed;
    signal input expected;
    enabled * (computed - expected) === 0;
}

// Block-level equalities against the public inputs.
template PubdataWordMatches() {
    signal input publicWord;
    signal input word;
    publicWord === word;
}

template TotalFeesMatch() {
    signal input publicTotal;
    signal input sum;
    publicTotal === sum;
}

template NewRootMatches() {
    signal input publicRoot;
    signal input root;
    publicRoot === root;
}
