/** Keys, EdDSA-Poseidon transfer signatures, the signed message, pubdata and public inputs. */
import { expect } from "chai";
import {
  FIELD_MODULUS, TRANSFER_TAG, blockPublicInputs, decodePubdata, encodePubdata, encodeSlot, initL2, isValidPublicKey,
  keyFromSeed, l2Domain, poseidon, pubdataWords, signTransfer, transferBody, transferFromJSON, transferMessage, transferToJSON, verifyTransfer,
  wordToSlot, slotWord, type UnsignedTransfer,
} from "../../src/l2/index.js";
import { DOMAIN, OTHER_DOMAIN, expectCode, seed } from "./helpers.js";

describe("L2 signing, pubdata and public inputs", () => {
  before(async () => {
    await initL2();
  });

  const tx: UnsignedTransfer = { from: 3, to: 0x01020304, amount: 0x1122334455667788n, fee: 0xaabbccddn, nonce: 7 };

  it("derives the same key from the same seed and a valid subgroup key; rejects bad seeds", async () => {
    const a = keyFromSeed(seed(1));
    expect(keyFromSeed(seed(1)).publicKey).to.deep.equal(a.publicKey);
    expect(keyFromSeed(seed(2)).publicKey).to.not.deep.equal(a.publicKey);
    expect(isValidPublicKey(a.publicKey)).to.equal(true);
    expect(isValidPublicKey([0n, 1n])).to.equal(false); // identity
    expect(isValidPublicKey([a.publicKey[0], a.publicKey[1] + 1n])).to.equal(false); // off curve
    await expectCode(() => keyFromSeed(new Uint8Array(31)), "BAD_KEY");
  });

  it("signed message is Poseidon(domain, M), M packing tag, nonce and the pubdata word", () => {
    const body = transferBody(tx);
    expect(body).to.equal((TRANSFER_TAG << 192n) | (7n << 160n) | slotWord(tx));
    const m = transferMessage(tx, DOMAIN);
    expect(m).to.equal(poseidon([DOMAIN, body]));
    expect(m < FIELD_MODULUS).to.equal(true);
    expect(transferMessage(tx, OTHER_DOMAIN)).to.not.equal(m);
  });

  it("l2Domain = chainId * 2^160 + address, with range checks", async () => {
    const rollup = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    expect(l2Domain(31337n, rollup)).to.equal((31337n << 160n) + BigInt(rollup));
    expect(l2Domain(31337n, rollup.toLowerCase())).to.equal(l2Domain(31337n, rollup));
    expect(l2Domain(2n ** 90n - 1n, "0x" + "ff".repeat(20)) < FIELD_MODULUS).to.equal(true);
    for (const chainId of [0n, -1n, 2n ** 90n, 1 as unknown as bigint]) await expectCode(() => l2Domain(chainId, rollup), "BAD_DOMAIN");
    for (const addr of ["0x" + "00".repeat(20), rollup.slice(0, 41), rollup.slice(2), rollup + "00", "0x" + "zz".repeat(20)]) {
      await expectCode(() => l2Domain(1n, addr), "BAD_DOMAIN");
    }
    await expectCode(() => transferMessage(tx, -1n), "BAD_DOMAIN");
    await expectCode(() => transferMessage(tx, 1n << 250n), "BAD_DOMAIN");
  });

  it("signs and verifies; any changed field, another key or a changed signature fails", () => {
    const k = keyFromSeed(seed(3));
    const other = keyFromSeed(seed(4));
    const signed = signTransfer(tx, k.seed, DOMAIN);
    expect(verifyTransfer(signed, k.publicKey, DOMAIN)).to.equal(true);
    expect(verifyTransfer(signed, other.publicKey, DOMAIN)).to.equal(false);
    expect(verifyTransfer(signed, k.publicKey, OTHER_DOMAIN), "another rollup's domain").to.equal(false);
    for (const change of [{ from: 4 }, { to: 5 }, { amount: tx.amount + 1n }, { fee: tx.fee - 1n }, { nonce: 8 }]) {
      expect(verifyTransfer({ ...signed, ...change }, k.publicKey, DOMAIN), JSON.stringify(Object.keys(change))).to.equal(false);
    }
    expect(verifyTransfer({ ...signed, signature: { ...signed.signature, S: signed.signature.S + 1n } }, k.publicKey, DOMAIN)).to.equal(false);
    expect(verifyTransfer({ ...signed, signature: { ...signed.signature, R8x: 1n } }, k.publicKey, DOMAIN)).to.equal(false);
  });

  it("round-trips through JSON and rejects malformed JSON", async () => {
    const signed = signTransfer(tx, keyFromSeed(seed(3)).seed, DOMAIN);
    const j = JSON.parse(JSON.stringify(transferToJSON(signed)));
    expect(transferFromJSON(j)).to.deep.equal(signed);
    await expectCode(() => transferFromJSON({ ...j, amount: "-1" }), "OUT_OF_RANGE");
    await expectCode(() => transferFromJSON({ ...j, fee: (2n ** 32n).toString() }), "OUT_OF_RANGE");
    await expectCode(() => transferFromJSON({ ...j, nonce: 1.5 }), "OUT_OF_RANGE");
  });

  it("encodes a slot as 20 big-endian bytes: from u32 | to u32 | amount u64 | fee u32", () => {
    const bytes = encodeSlot(tx);
    expect(Buffer.from(bytes).toString("hex")).to.equal("00000003" + "01020304" + "1122334455667788" + "aabbccdd");
    expect(wordToSlot(slotWord(tx))).to.deep.equal({ from: 3, to: 0x01020304, amount: tx.amount, fee: tx.fee });
  });

  it("pads pubdata with zero slots, decodes it back and rejects bad pubdata", async () => {
    const pd = encodePubdata([tx], 3);
    expect(pd.length).to.equal(60);
    expect(pd.slice(20).every((b) => b === 0)).to.equal(true);
    const slots = decodePubdata(pd);
    expect(slots[0]).to.deep.equal({ from: 3, to: tx.to, amount: tx.amount, fee: tx.fee });
    expect(slots[1]).to.deep.equal({ from: 0, to: 0, amount: 0n, fee: 0n });
    await expectCode(() => decodePubdata(new Uint8Array(21)), "BAD_PUBDATA");
    const bad = new Uint8Array(20);
    bad[19] = 1; // from = 0 with a fee: not a no-op
    await expectCode(() => decodePubdata(bad), "BAD_PUBDATA");
    await expectCode(() => encodePubdata([tx, tx], 1), "BLOCK_FULL");
    await expectCode(() => encodeSlot({ ...tx, amount: 2n ** 64n }), "OUT_OF_RANGE");
  });

  it("public inputs are [oldRoot, newRoot, totalFees, payee, domain, words]", async () => {
    const pd = encodePubdata([tx, { ...tx, fee: 5n }], 3);
    const payee = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const pi = blockPublicInputs(11n, 22n, pd, payee, DOMAIN);
    expect(pi).to.deep.equal([11n, 22n, tx.fee + 5n, BigInt(payee), DOMAIN, slotWord(tx), slotWord({ ...tx, fee: 5n }), 0n]);
    expect(blockPublicInputs(11n, 22n, pd, BigInt(payee), DOMAIN)).to.deep.equal(pi);
    expect(pubdataWords(pd)).to.deep.equal(pi.slice(5));
    for (const bad of [-1n, 1n << 160n, "0x1234", payee.slice(2)]) await expectCode(() => blockPublicInputs(11n, 22n, pd, bad, DOMAIN), "BAD_PAYEE");
    await expectCode(() => blockPublicInputs(11n, 22n, pd, 0n, 1n << 250n), "BAD_DOMAIN");
  });
});
