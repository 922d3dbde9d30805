/**
 * Block execution: the rules the block circuit proves (circuits/block.circom is the twin).
 *
 * Per transfer, in order: sender and receiver exist, nonce equals the sender's nonce, signature verifies,
 * amount + fee <= sender balance, sender nonce + 1 < 2^32, receiver balance + amount < 2^64. Then the sender's leaf
 * is updated (balance -= amount + fee, nonce += 1) and, in the resulting tree, the receiver's (balance += amount).
 * from == to is allowed and handled by that order (net effect: fee paid, nonce + 1), as in the circuit.
 * A block has exactly T slots; the rest are no-ops (from = 0, all-zero pubdata, no state change).
 *
 * Signatures are checked under the L2 domain (`l2Domain(chainId, rollup)`), which the circuit input carries (it is
 * a public input). The payee (the address a proof pays) is not part of execution: any prover may prove a block.
 * Execution leaves it 0 ("pays nobody"); a prover sets its own with `withPayee` before proving.
 */
import { L2Error } from "./errors.js";
import { encodePubdata, decodePubdata, NOOP_SLOT, U32_MAX, U64_MAX, type PubdataSlot } from "./pubdata.js";
import { blockPublicInputs, payeeInput } from "./publicInputs.js";
import { L2State, type Account } from "./state.js";
import { checkDomain, checkTransferRanges, transferSlot, verifyTransfer, type Transfer } from "./transaction.js";
import { ARITY } from "./tree.js";

/** Witness input of circuits/block.circom `Block(T, D)` (all values field elements). */
export interface CircuitInput {
  oldRoot: bigint;
  newRoot: bigint;
  totalFees: bigint;
  /** uint160 of the address the proof pays (public; 0 after execution: see `withPayee`). */
  payee: bigint;
  /** The L2 domain the block's signatures are under (public). */
  domain: bigint;
  words: bigint[];
  from: bigint[];
  to: bigint[];
  amount: bigint[];
  fee: bigint[];
  sAx: bigint[];
  sAy: bigint[];
  sBalance: bigint[];
  sNonce: bigint[];
  sSiblings: bigint[][][];
  sigR8x: bigint[];
  sigR8y: bigint[];
  sigS: bigint[];
  rAx: bigint[];
  rAy: bigint[];
  rBalance: bigint[];
  rNonce: bigint[];
  rSiblings: bigint[][][];
}

export interface BlockResult {
  oldRoot: bigint;
  newRoot: bigint;
  totalFees: bigint;
  /** 20 * T bytes. */
  pubdata: Uint8Array;
  /** The L2 domain the signatures were checked under. */
  domain: bigint;
  /**
   * [oldRoot, newRoot, totalFees, payee = 0, domain, word_0..word_{T-1}]: the public inputs of `circuitInput`,
   * whose payee is 0. A proof that should pay someone uses `withPayee(circuitInput, payee)` instead.
   */
  publicInputs: bigint[];
  circuitInput: CircuitInput;
  /** The state after the block (the input state is not modified). */
  state: L2State;
  /** The transfers of the block, in slot order. */
  txs: Transfer[];
}

export interface BuildResult {
  block: BlockResult;
  /** Transfers that made it into the block, in order. */
  included: Transfer[];
  /** Dropped transfers with the reason (BLOCK_FULL for valid ones that did not fit: retry them later). */
  rejected: { tx: Transfer; error: L2Error }[];
}

interface SlotWitness {
  slot: PubdataSlot;
  sender: Account;
  sSiblings: bigint[][];
  sig: { R8x: bigint; R8y: bigint; S: bigint };
  receiver: Account;
  rSiblings: bigint[][];
}

function checkT(T: number): void {
  if (!Number.isInteger(T) || T < 1) throw new L2Error("BAD_PARAMETER", `block size T must be a positive integer, got ${T}`);
}

/**
 * Applies one slot to `state` (mutated) after checking every rule; returns what the circuit needs.
 * With `tx` the nonce and signature are checked; without (rebuilding from pubdata) nonces are implied.
 */
function applySlot(state: L2State, slot: PubdataSlot, tx: Transfer | undefined, index: number, domain?: bigint): SlotWitness {
  const fail = (code: L2Error["code"], msg: string): never => {
    throw new L2Error(code, `slot ${index}: ${msg}`, index);
  };
  if (tx) {
    try {
      checkTransferRanges(tx);
    } catch (e) {
      throw e instanceof L2Error ? new L2Error(e.code, `slot ${index}: ${e.message}`, index) : e;
    }
  }
  if (slot.from >= 2 ** state.depth) fail("OUT_OF_RANGE", `from ${slot.from} >= 2^${state.depth}`);
  if (slot.to >= 2 ** state.depth) fail("OUT_OF_RANGE", `to ${slot.to} >= 2^${state.depth}`);
  const sender = state.getAccount(slot.from);
  if (slot.from === 0 || !sender) return fail("UNKNOWN_ACCOUNT", `sender ${slot.from} does not exist`);
  if (!state.getAccount(slot.to)) fail("UNKNOWN_ACCOUNT", `receiver ${slot.to} does not exist`);
  if (tx) {
    if (tx.nonce !== sender.nonce) fail("WRONG_NONCE", `nonce ${tx.nonce}, account ${slot.from} expects ${sender.nonce}`);
    if (!verifyTransfer(tx, sender.publicKey, domain!)) fail("BAD_SIGNATURE", `signature does not verify under account ${slot.from}'s key`);
  }
  if (slot.amount + slot.fee > sender.balance) {
    fail("OVERSPEND", `amount + fee = ${slot.amount + slot.fee} exceeds balance ${sender.balance} of account ${slot.from}`);
  }
  if (BigInt(sender.nonce) + 1n > U32_MAX) fail("NONCE_OVERFLOW", `account ${slot.from}'s nonce would exceed 2^32 - 1`);
  // Receiver balance is checked after the sender update: it is the same account when from == to.
  const senderAfter: Account = { ...sender, balance: sender.balance - slot.amount - slot.fee, nonce: sender.nonce + 1 };
  const receiverBefore = slot.to === slot.from ? senderAfter : state.getAccount(slot.to)!;
  if (receiverBefore.balance + slot.amount > U64_MAX) fail("BALANCE_OVERFLOW", `account ${slot.to}'s balance would exceed 2^64 - 1`);

  const sSiblings = state.tree.path(slot.from).siblings;
  state.setAccount(senderAfter);
  const receiver = state.getAccount(slot.to)!;
  const rSiblings = state.tree.path(slot.to).siblings;
  state.setAccount({ ...receiver, balance: receiver.balance + slot.amount });
  return {
    slot,
    sender,
    sSiblings,
    sig: tx ? tx.signature : { R8x: 0n, R8y: 1n, S: 0n },
    receiver,
    rSiblings,
  };
}

function emptySiblings(levels: number): bigint[][] {
  return Array.from({ length: levels }, () => new Array<bigint>(ARITY - 1).fill(0n));
}

function assembleBlock(oldState: L2State, newState: L2State, witnesses: SlotWitness[], txs: Transfer[], T: number, domain: bigint): BlockResult {
  const levels = oldState.depth / 2;
  const slots = witnesses.map((w) => w.slot);
  const pubdata = encodePubdata(slots, T);
  const oldRoot = oldState.root;
  const newRoot = newState.root;
  const publicInputs = blockPublicInputs(oldRoot, newRoot, pubdata, 0n, domain);
  const totalFees = publicInputs[2];
  const ci: CircuitInput = {
    oldRoot, newRoot, totalFees, payee: 0n, domain, words: publicInputs.slice(5),
    from: [], to: [], amount: [], fee: [],
    sAx: [], sAy: [], sBalance: [], sNonce: [], sSiblings: [],
    sigR8x: [], sigR8y: [], sigS: [],
    rAx: [], rAy: [], rBalance: [], rNonce: [], rSiblings: [],
  };
  for (let i = 0; i < T; i++) {
    const w = witnesses[i];
    const s = w ? w.slot : NOOP_SLOT;
    ci.from.push(BigInt(s.from));
    ci.to.push(BigInt(s.to));
    ci.amount.push(s.amount);
    ci.fee.push(s.fee);
    // No-op slots: the identity point (0, 1) keeps the disabled signature check and the leaf hashes well defined.
    ci.sAx.push(w ? w.sender.publicKey[0] : 0n);
    ci.sAy.push(w ? w.sender.publicKey[1] : 1n);
    ci.sBalance.push(w ? w.sender.balance : 0n);
    ci.sNonce.push(w ? BigInt(w.sender.nonce) : 0n);
    ci.sSiblings.push(w ? w.sSiblings : emptySiblings(levels));
    ci.sigR8x.push(w ? w.sig.R8x : 0n);
    ci.sigR8y.push(w ? w.sig.R8y : 1n);
    ci.sigS.push(w ? w.sig.S : 0n);
    ci.rAx.push(w ? w.receiver.publicKey[0] : 0n);
    ci.rAy.push(w ? w.receiver.publicKey[1] : 1n);
    ci.rBalance.push(w ? w.receiver.balance : 0n);
    ci.rNonce.push(w ? BigInt(w.receiver.nonce) : 0n);
    ci.rSiblings.push(w ? w.rSiblings : emptySiblings(levels));
  }
  return { oldRoot, newRoot, totalFees, pubdata, domain, publicInputs, circuitInput: ci, state: newState, txs };
}

/** What a prover feeds the prover and the verifier: the circuit input with its payee, and its public inputs. */
export interface ProofInputs {
  circuitInput: CircuitInput;
  /** [oldRoot, newRoot, totalFees, payee, domain, word_0..word_{T-1}] */
  publicInputs: bigint[];
}

/**
 * A copy of `circuitInput` that pays `payee` (an address or its uint160; BAD_PAYEE otherwise) and the public
 * inputs of the proof made from it. `circuitInput` is not modified.
 */
export function withPayee(circuitInput: CircuitInput, payee: bigint | string): ProofInputs {
  const p = payeeInput(payee);
  const ci: CircuitInput = { ...circuitInput, payee: p };
  return { circuitInput: ci, publicInputs: [ci.oldRoot, ci.newRoot, ci.totalFees, p, ci.domain, ...ci.words] };
}

/**
 * Executes `txs` in order on a copy of `state` as a block of `T` slots. Any invalid transfer throws an L2Error
 * (with `slot`); more than T transfers throw BLOCK_FULL. Signatures are checked under `domain` (BAD_DOMAIN if it
 * is out of range). `state` is not modified; the result carries the new state.
 */
export function executeBlock(state: L2State, txs: Transfer[], T: number, domain: bigint): BlockResult {
  checkT(T);
  checkDomain(domain);
  if (txs.length > T) throw new L2Error("BLOCK_FULL", `${txs.length} transfers do not fit a block of ${T} slots`);
  const next = state.clone();
  const witnesses = txs.map((tx, i) => applySlot(next, transferSlot(tx), tx, i, domain));
  return assembleBlock(state, next, witnesses, txs.slice(), T, domain);
}

/**
 * What a sequencer does: takes `candidates` in order, keeps each valid one (against the state so far) until the
 * block is full, and reports why each other one was dropped. Never throws for a bad transfer (a bad `T` or
 * `domain` throws). Signatures are checked under `domain`.
 */
export function buildBlock(state: L2State, candidates: Transfer[], T: number, domain: bigint): BuildResult {
  checkT(T);
  checkDomain(domain);
  const next = state.clone();
  const witnesses: SlotWitness[] = [];
  const included: Transfer[] = [];
  const rejected: { tx: Transfer; error: L2Error }[] = [];
  for (const tx of candidates) {
    if (included.length === T) {
      rejected.push({ tx, error: new L2Error("BLOCK_FULL", `block of ${T} slots is full`) });
      continue;
    }
    // applySlot runs every check before its first write, so a rejected transfer leaves `next` untouched.
    try {
      witnesses.push(applySlot(next, transferSlot(tx), tx, included.length, domain));
      included.push(tx);
    } catch (e) {
      if (!(e instanceof L2Error)) throw e;
      rejected.push({ tx, error: e });
    }
  }
  return { block: assembleBlock(state, next, witnesses, included, T, domain), included, rejected };
}

/**
 * Rebuilds the state after a block from its L1 pubdata alone (no signatures; nonces are implied: each transfer
 * increments its sender's nonce). To re-execute with the signatures published on L1 (and get a provable circuit
 * input), use `executeBlock(state, transfersFromL1(state, pubdata, sigBytes), T, domain)` (src/l2/signatures.ts). Returns a new state; a slot that breaks a rule throws an L2Error with `slot`.
 */
export function applyPubdata(state: L2State, pubdata: Uint8Array): L2State {
  const next = state.clone();
  decodePubdata(pubdata).forEach((s, i) => {
    if (s.from === 0) return; // no-op (decodePubdata checked it is all zero)
    applySlot(next, s, undefined, i);
  });
  return next;
}
