/** Block execution rules, typed errors, the sequencer's skipping builder and rebuilding state from pubdata. */
import { expect } from "chai";
import {
  L2Error, U64_MAX, accountLeaf, applyPubdata, blockPublicInputs, buildBlock, executeBlock, genesisEntry, initL2, signTransfer, withPayee,
  stateFromGenesis, type KeyPair, type L2State, type Transfer,
} from "../../src/l2/index.js";
import { DOMAIN, OTHER_DOMAIN, expectCode, makeKeys, makeState } from "./helpers.js";

describe("L2 block execution", () => {
  let keys: KeyPair[];
  let state: L2State;
  const D = 8;
  const sign = (from: number, to: number, amount: bigint, fee: bigint, nonce: number, key?: KeyPair): Transfer =>
    signTransfer({ from, to, amount, fee, nonce }, (key ?? keys[from]).seed, DOMAIN);

  before(async () => {
    await initL2();
    keys = makeKeys(5);
    state = makeState(keys, [1000n, 500n, 0n, U64_MAX - 10n], D); // accounts 1..4
  });

  it("applies transfers in order, pads to T, and leaves the input state untouched", () => {
    const before = state.root;
    const txs = [sign(1, 2, 100n, 3n, 0), sign(2, 3, 600n, 0n, 0), sign(1, 3, 1n, 1n, 1)];
    const b = executeBlock(state, txs, 4, DOMAIN);
    expect(state.root).to.equal(before);
    expect(b.oldRoot).to.equal(before);
    expect(b.newRoot).to.equal(b.state.root);
    expect(b.state.getAccount(1)).to.include({ balance: 895n, nonce: 2 });
    expect(b.state.getAccount(2)).to.include({ balance: 0n, nonce: 1 });
    expect(b.state.getAccount(3)).to.include({ balance: 601n, nonce: 0 });
    expect(b.totalFees).to.equal(4n);
    expect(b.pubdata.length).to.equal(80);
    expect(b.publicInputs.length).to.equal(5 + 4);
    expect(b.publicInputs.slice(3, 5)).to.deep.equal([0n, DOMAIN]); // payee 0 until withPayee, the domain executed under
    expect(b.publicInputs[8]).to.equal(0n);
    expect(b.domain).to.equal(DOMAIN);
    expect(b.circuitInput).to.include({ payee: 0n, domain: DOMAIN });
    expect(b.circuitInput.from).to.deep.equal([1n, 2n, 1n, 0n]);
    // the new root is the tree of the new account leaves
    const acc1 = b.state.getAccount(1)!;
    expect(b.state.tree.getLeaf(1)).to.equal(accountLeaf(acc1));
  });

  it("an empty block is all no-ops and keeps the root", () => {
    const b = executeBlock(state, [], 2, DOMAIN);
    expect(b.newRoot).to.equal(state.root);
    expect(b.totalFees).to.equal(0n);
    expect([...b.pubdata].every((x) => x === 0)).to.equal(true);
  });

  it("spending the exact balance works; one more unit is OVERSPEND (fee included)", async () => {
    expect(executeBlock(state, [sign(2, 1, 490n, 10n, 0)], 1, DOMAIN).state.getAccount(2)!.balance).to.equal(0n);
    await expectCode(() => executeBlock(state, [sign(2, 1, 491n, 10n, 0)], 1, DOMAIN), "OVERSPEND");
    await expectCode(() => executeBlock(state, [sign(3, 1, 0n, 1n, 0)], 1, DOMAIN), "OVERSPEND");
  });

  it("BAD_SIGNATURE for another key or a changed field", async () => {
    await expectCode(() => executeBlock(state, [sign(1, 2, 1n, 0n, 0, keys[2])], 1, DOMAIN), "BAD_SIGNATURE");
    await expectCode(() => executeBlock(state, [{ ...sign(1, 2, 1n, 0n, 0), amount: 2n }], 1, DOMAIN), "BAD_SIGNATURE");
  });

  it("WRONG_NONCE for a replay and for a future nonce", async () => {
    await expectCode(() => executeBlock(state, [sign(1, 2, 1n, 0n, 0), sign(1, 2, 1n, 0n, 0)], 2, DOMAIN), "WRONG_NONCE");
    await expectCode(() => executeBlock(state, [sign(1, 2, 1n, 0n, 1)], 1, DOMAIN), "WRONG_NONCE");
  });

  it("UNKNOWN_ACCOUNT for a missing sender or receiver, including the null account 0", async () => {
    await expectCode(() => executeBlock(state, [sign(1, 5, 1n, 0n, 0)], 1, DOMAIN), "UNKNOWN_ACCOUNT");
    await expectCode(() => executeBlock(state, [sign(1, 0, 1n, 0n, 0)], 1, DOMAIN), "UNKNOWN_ACCOUNT");
    await expectCode(() => executeBlock(state, [sign(5, 1, 1n, 0n, 0)], 1, DOMAIN), "UNKNOWN_ACCOUNT");
    await expectCode(() => executeBlock(state, [sign(0, 1, 1n, 0n, 0, keys[1])], 1, DOMAIN), "UNKNOWN_ACCOUNT");
  });

  it("OUT_OF_RANGE, BALANCE_OVERFLOW, BLOCK_FULL; the error carries the slot", async () => {
    const tooWide = { ...sign(1, 2, 1n, 0n, 0), fee: 2n ** 32n };
    await expectCode(() => executeBlock(state, [tooWide], 1, DOMAIN), "OUT_OF_RANGE");
    await expectCode(() => executeBlock(state, [sign(1, 256, 1n, 0n, 0)], 1, DOMAIN), "OUT_OF_RANGE");
    await expectCode(() => executeBlock(state, [sign(1, 4, 11n, 0n, 0)], 1, DOMAIN), "BALANCE_OVERFLOW");
    expect(executeBlock(state, [sign(1, 4, 10n, 0n, 0)], 1, DOMAIN).state.getAccount(4)!.balance).to.equal(U64_MAX);
    await expectCode(() => executeBlock(state, [sign(1, 2, 1n, 0n, 0), sign(1, 2, 1n, 0n, 1)], 1, DOMAIN), "BLOCK_FULL");
    try {
      executeBlock(state, [sign(1, 2, 1n, 0n, 0), sign(2, 1, 1n, 0n, 5)], 2, DOMAIN);
      expect.fail("should throw");
    } catch (e) {
      expect(e).to.be.instanceOf(L2Error);
      expect((e as L2Error).slot).to.equal(1);
    }
  });

  it("a transfer to oneself pays the fee and bumps the nonce", () => {
    const b = executeBlock(state, [sign(1, 1, 300n, 7n, 0)], 1, DOMAIN);
    expect(b.state.getAccount(1)).to.include({ balance: 993n, nonce: 1 });
  });

  it("checks signatures under the domain it is given; withPayee sets the payee on a copy", async () => {
    const tx = sign(1, 2, 1n, 0n, 0);
    await expectCode(() => executeBlock(state, [tx], 1, OTHER_DOMAIN), "BAD_SIGNATURE");
    const r = buildBlock(state, [tx], 1, OTHER_DOMAIN);
    expect(r.included).to.deep.equal([]);
    expect(r.rejected.map((x) => x.error.code)).to.deep.equal(["BAD_SIGNATURE"]);
    await expectCode(() => executeBlock(state, [tx], 1, -1n), "BAD_DOMAIN");
    await expectCode(() => buildBlock(state, [tx], 1, 1n << 250n), "BAD_DOMAIN");
    const b = executeBlock(state, [tx], 1, DOMAIN);
    const payee = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const p = withPayee(b.circuitInput, payee);
    expect(p.circuitInput.payee).to.equal(BigInt(payee));
    expect(b.circuitInput.payee).to.equal(0n);
    expect(p.publicInputs).to.deep.equal(blockPublicInputs(b.oldRoot, b.newRoot, b.pubdata, payee, DOMAIN));
    expect(withPayee(b.circuitInput, 0n).publicInputs).to.deep.equal(b.publicInputs);
    await expectCode(() => withPayee(b.circuitInput, 1n << 160n), "BAD_PAYEE");
  });

  it("buildBlock keeps the valid transfers, drops the rest with reasons, and reports BLOCK_FULL overflow", () => {
    const cands = [
      sign(1, 2, 100n, 1n, 0), // ok
      sign(1, 2, 100n, 1n, 0), // replay -> WRONG_NONCE
      sign(3, 1, 5n, 0n, 0), // 3 has 0 -> OVERSPEND
      sign(2, 3, 50n, 2n, 0), // ok
      sign(1, 9, 1n, 0n, 1), // UNKNOWN_ACCOUNT
      sign(1, 2, 1n, 0n, 1, keys[3]), // BAD_SIGNATURE
      sign(1, 2, 1n, 0n, 1), // ok
      sign(2, 1, 1n, 0n, 1), // valid but the block is full
    ];
    const r = buildBlock(state, cands, 3, DOMAIN);
    expect(r.included).to.deep.equal([cands[0], cands[3], cands[6]]);
    expect(r.rejected.map((x) => x.error.code)).to.deep.equal(["WRONG_NONCE", "OVERSPEND", "UNKNOWN_ACCOUNT", "BAD_SIGNATURE", "BLOCK_FULL"]);
    expect(r.block.newRoot).to.equal(executeBlock(state, r.included, 3, DOMAIN).newRoot);
    expect(r.block.circuitInput.from).to.deep.equal([1n, 2n, 1n]);
  });

  it("applyPubdata rebuilds the same state (balances, implied nonces, root) from pubdata alone", () => {
    const b1 = executeBlock(state, [sign(1, 2, 100n, 3n, 0), sign(1, 1, 1n, 1n, 1)], 3, DOMAIN);
    const b2 = executeBlock(b1.state, [sign(2, 3, 20n, 1n, 0), sign(1, 3, 5n, 0n, 2)], 3, DOMAIN);
    const rebuilt = applyPubdata(applyPubdata(state, b1.pubdata), b2.pubdata);
    expect(rebuilt.root).to.equal(b2.newRoot);
    for (const i of [1, 2, 3, 4]) expect(rebuilt.getAccount(i)).to.deep.equal(b2.state.getAccount(i));
  });

  it("applyPubdata rejects pubdata that breaks a rule", async () => {
    const b = executeBlock(state, [sign(1, 2, 100n, 3n, 0)], 1, DOMAIN);
    const spent = applyPubdata(state, b.pubdata);
    const pd = Uint8Array.from(b.pubdata);
    pd[11] = 0xff; // amount becomes huge -> overspend
    await expectCode(() => applyPubdata(spent, pd), "OVERSPEND");
    await expectCode(() => applyPubdata(state, new Uint8Array(19)), "BAD_PUBDATA");
  });

  it("genesis rejects duplicates, index 0, bad keys and too-large balances", async () => {
    const pk = keys[1].publicKey;
    await expectCode(() => stateFromGenesis([genesisEntry(1, pk, 1n), genesisEntry(1, pk, 2n)], D), "BAD_GENESIS");
    await expectCode(() => stateFromGenesis([genesisEntry(0, pk, 1n)], D), "BAD_GENESIS");
    await expectCode(() => stateFromGenesis([genesisEntry(256, pk, 1n)], D), "BAD_GENESIS");
    await expectCode(() => stateFromGenesis([genesisEntry(1, [pk[0], pk[1] + 1n], 1n)], D), "BAD_GENESIS");
    await expectCode(() => stateFromGenesis([genesisEntry(1, pk, U64_MAX + 1n)], D), "BAD_GENESIS");
    await expectCode(() => stateFromGenesis([{ index: 1, publicKey: ["x", "1"], balance: "1" }], D), "BAD_GENESIS");
    // JSON round trip of a genesis list gives the same root
    const g = [genesisEntry(1, pk, 5n), genesisEntry(7, keys[2].publicKey, 9n)];
    expect(stateFromGenesis(JSON.parse(JSON.stringify(g)), D).root).to.equal(stateFromGenesis(g, D).root);
  });
});
