/**
 * Test helpers for the L2: deterministic keys, a small genesis, and `uncheckedInput`, which builds the circuit
 * input a cheating prover would use for ANY transfers (no rule checks, field arithmetic mod r), so tests can show
 * that the circuit rejects exactly what src/l2 rejects.
 */
import {
  FIELD_MODULUS, L2State, accountLeaf, genesisEntry, keyFromSeed, l2Domain, stateFromGenesis, type CircuitInput, type KeyPair, type Transfer,
} from "../../src/l2/index.js";

/** The L2 domain of the tests (chain 31337, the first Hardhat deployment address). */
export const DOMAIN = l2Domain(31337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
/** Another rollup deployment on the same chain, sharing genesis and keys (a replay target). */
export const OTHER_DOMAIN = l2Domain(31337n, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");

export function seed(i: number): Uint8Array {
  const s = new Uint8Array(32);
  s[0] = i & 0xff;
  s[1] = (i >> 8) & 0xff;
  s[31] = 0x5a;
  return s;
}

/** Keys 1..n (index i has seed(i)). Call after initL2(). */
export function makeKeys(n: number): KeyPair[] {
  return Array.from({ length: n + 1 }, (_, i) => keyFromSeed(seed(i)));
}

/** Accounts 1..balances.length with keys[i] and the given balances. */
export function makeState(keys: KeyPair[], balances: bigint[], depth: number): L2State {
  return stateFromGenesis(balances.map((b, i) => genesisEntry(i + 1, keys[i + 1].publicKey, b)), depth);
}

const mod = (x: bigint) => ((x % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;

/**
 * Circuit input for `txs` padded to T, computed without checking any rule: sender/receiver data come from the state
 * when the account exists, else from a made-up account with `fakeKey` (a prover lying about an empty leaf); new
 * balances are computed mod r. `newRoot` is the root that this arithmetic gives. Payee 0, domain `domain`.
 */
export function uncheckedInput(state: L2State, txs: Transfer[], T: number, fakeKey: KeyPair, domain: bigint = DOMAIN): CircuitInput {
  const st = state.clone();
  const levels = state.depth / 2;
  const zeroSibs = () => Array.from({ length: levels }, () => [0n, 0n, 0n]);
  const ci: CircuitInput = {
    oldRoot: state.root, newRoot: 0n, totalFees: 0n, payee: 0n, domain, words: [],
    from: [], to: [], amount: [], fee: [], sAx: [], sAy: [], sBalance: [], sNonce: [], sSiblings: [],
    sigR8x: [], sigR8y: [], sigS: [], rAx: [], rAy: [], rBalance: [], rNonce: [], rSiblings: [],
  };
  const fake = (index: number) => ({ index, publicKey: fakeKey.publicKey, balance: 0n, nonce: 0 });
  // Index 0 is not an account; a cheater may still claim a leaf there (the tree itself allows index 0).
  const write = (a: { index: number; publicKey: [bigint, bigint]; balance: bigint; nonce: number }) =>
    a.index === 0 ? st.tree.setLeaf(0, accountLeaf(a)) : st.setAccount(a);
  for (let i = 0; i < T; i++) {
    const tx = txs[i];
    if (!tx) {
      ci.from.push(0n); ci.to.push(0n); ci.amount.push(0n); ci.fee.push(0n);
      ci.sAx.push(0n); ci.sAy.push(1n); ci.sBalance.push(0n); ci.sNonce.push(0n); ci.sSiblings.push(zeroSibs());
      ci.sigR8x.push(0n); ci.sigR8y.push(1n); ci.sigS.push(0n);
      ci.rAx.push(0n); ci.rAy.push(1n); ci.rBalance.push(0n); ci.rNonce.push(0n); ci.rSiblings.push(zeroSibs());
      ci.words.push(0n);
      continue;
    }
    const amount = mod(tx.amount);
    const fee = mod(tx.fee);
    ci.from.push(BigInt(tx.from)); ci.to.push(BigInt(tx.to)); ci.amount.push(amount); ci.fee.push(fee);
    ci.words.push(mod((BigInt(tx.from) << 128n) + (BigInt(tx.to) << 96n) + (amount << 32n) + fee));
    ci.totalFees = mod(ci.totalFees + fee);
    const s = st.getAccount(tx.from) ?? fake(tx.from);
    ci.sAx.push(s.publicKey[0]); ci.sAy.push(s.publicKey[1]); ci.sBalance.push(s.balance); ci.sNonce.push(BigInt(s.nonce));
    ci.sSiblings.push(st.tree.path(tx.from).siblings);
    ci.sigR8x.push(tx.signature.R8x); ci.sigR8y.push(tx.signature.R8y); ci.sigS.push(tx.signature.S);
    write({ ...s, balance: mod(s.balance - amount - fee), nonce: s.nonce + 1 });
    const r = st.getAccount(tx.to) ?? fake(tx.to);
    ci.rAx.push(r.publicKey[0]); ci.rAy.push(r.publicKey[1]); ci.rBalance.push(r.balance); ci.rNonce.push(BigInt(r.nonce));
    ci.rSiblings.push(st.tree.path(tx.to).siblings);
    write({ ...r, balance: mod(r.balance + amount) });
  }
  ci.newRoot = st.root;
  return ci;
}

/** Expects `fn` to throw an error with `code` (sync or async). */
export async function expectCode(fn: () => unknown, code: string): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const got = (e as { code?: string }).code;
    if (got !== code) throw new Error(`expected error code ${code}, got ${got}: ${(e as Error).message}`);
    return;
  }
  throw new Error(`expected error code ${code}, but nothing was thrown`);
}
