/**
 * Signatures published for L1 data availability (src/l2/signatures.ts): encoding round trip, rejection of tampered
 * bytes, and a block rebuilt from L1 data alone (state before it, pubdata, signature bytes) that re-executes to the
 * same root and whose circuit input the block circuit accepts (T = 2, D = 8; compile cached).
 */
import { expect } from "chai";
import {
  SIGNATURE_BYTES, U64_MAX, decodeBlockSignatures, encodeBlockSignatures, executeBlock, initL2, signTransfer,
  subgroupOrder, transfersFromL1, unpackPoint, packPoint, type KeyPair, type L2State, type Transfer,
} from "../../src/l2/index.js";
import { compileCircuit } from "../../src/zk/compile.js";
import { calculateWitness, publicSignalsOf } from "../../src/zk/witness.js";
import { DOMAIN, expectCode, makeKeys, makeState } from "./helpers.js";

const T = 2;
const D = 8;

describe("L2 signatures on L1 (data availability)", function () {
  this.timeout(300_000);
  let keys: KeyPair[];
  let state: L2State;
  const sign = (from: number, to: number, amount: bigint, fee: bigint, nonce: number): Transfer =>
    signTransfer({ from, to, amount, fee, nonce }, keys[from].seed, DOMAIN);

  before(async () => {
    await initL2();
    keys = makeKeys(4);
    state = makeState(keys, [1000n, 500n, 0n, U64_MAX - 10n], D);
  });

  it("encodes 64 bytes per transfer (packed R8 | S big-endian), none per no-op, and decodes back", () => {
    const txs = [sign(1, 2, 100n, 3n, 0), sign(1, 3, 5n, 1n, 1)];
    const b = executeBlock(state, txs, 4, DOMAIN); // two transfers, two no-op slots
    const bytes = encodeBlockSignatures(b.txs, 4);
    expect(bytes.length).to.equal(2 * SIGNATURE_BYTES);
    expect(bytes.subarray(0, 32)).to.deep.equal(packPoint([txs[0]!.signature.R8x, txs[0]!.signature.R8y]));
    expect(BigInt("0x" + Buffer.from(bytes.subarray(32, 64)).toString("hex"))).to.equal(txs[0]!.signature.S);
    expect(decodeBlockSignatures(bytes, b.pubdata)).to.deep.equal(txs.map((t) => t.signature));
    // signatures in slot order, or with explicit no-op markers, give the same bytes
    expect(encodeBlockSignatures(txs.map((t) => t.signature), 4)).to.deep.equal(bytes);
    expect(encodeBlockSignatures([...txs, null, null], 4)).to.deep.equal(bytes);
    const empty = executeBlock(state, [], T, DOMAIN);
    expect(encodeBlockSignatures(empty.txs, T).length).to.equal(0);
    expect(decodeBlockSignatures(new Uint8Array(0), empty.pubdata)).to.deep.equal([]);
  });

  it("rebuilds a block from (state, pubdata, signature bytes): same root, and the circuit accepts it", async () => {
    // sender 1 twice: the second transfer's nonce comes from the first one in the same block
    const txs = [sign(1, 2, 100n, 3n, 0), sign(1, 1, 10n, 2n, 1)];
    const b = executeBlock(state, txs, T, DOMAIN);
    const sigBytes = encodeBlockSignatures(b.txs, T);
    const rebuilt = transfersFromL1(state, b.pubdata, sigBytes);
    expect(rebuilt).to.deep.equal(txs);
    const again = executeBlock(state, rebuilt, T, DOMAIN);
    expect(again.newRoot).to.equal(b.newRoot);
    expect(again.pubdata).to.deep.equal(b.pubdata);
    expect(again.circuitInput).to.deep.equal(b.circuitInput);
    const circuit = await compileCircuit({ T, D, quiet: true });
    const w = await calculateWitness(circuit.wasmPath, again.circuitInput);
    expect(publicSignalsOf(w, 5 + T)).to.deep.equal(b.publicInputs);
    // a later block: nonces continue from the state
    const next = executeBlock(b.state, [sign(1, 2, 1n, 0n, 2), sign(2, 3, 5n, 0n, 0)], T, DOMAIN);
    const later = transfersFromL1(b.state, next.pubdata, encodeBlockSignatures(next.txs, T));
    expect(later.map((t) => t.nonce)).to.deep.equal([2, 0]);
    expect(executeBlock(b.state, later, T, DOMAIN).newRoot).to.equal(next.newRoot);
  });

  it("rejects tampered or malformed bytes with typed errors", async () => {
    const b = executeBlock(state, [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 1n, 0)], T, DOMAIN);
    const bytes = encodeBlockSignatures(b.txs, T);
    // wrong lengths
    await expectCode(() => decodeBlockSignatures(bytes.subarray(0, 127), b.pubdata), "BAD_SIGNATURE_BYTES");
    await expectCode(() => decodeBlockSignatures(new Uint8Array([...bytes, 0]), b.pubdata), "BAD_SIGNATURE_BYTES");
    await expectCode(() => decodeBlockSignatures(bytes.subarray(0, 64), b.pubdata), "BAD_SIGNATURE_BYTES");
    // S >= subgroup order
    const bigS = Uint8Array.from(bytes);
    let s = subgroupOrder();
    for (let i = 127; i >= 96; i--) {
      bigS[i] = Number(s & 0xffn);
      s >>= 8n;
    }
    await expectCode(() => decodeBlockSignatures(bigS, b.pubdata), "BAD_SIGNATURE_BYTES");
    // an R8 that is not a point: find a y with no x on the curve
    const badR = Uint8Array.from(bytes);
    for (let y = 2; ; y++) {
      const enc = new Uint8Array(32);
      enc[0] = y;
      if (!unpackPoint(enc)) {
        badR.set(enc, 64);
        break;
      }
    }
    await expectCode(() => decodeBlockSignatures(badR, b.pubdata), "BAD_SIGNATURE_BYTES");
    // a non-canonical R8 (y >= p) is refused too
    const nonCanon = Uint8Array.from(bytes);
    nonCanon.fill(0xff, 0, 31);
    nonCanon[31] = 0x7f;
    await expectCode(() => decodeBlockSignatures(nonCanon, b.pubdata), "BAD_SIGNATURE_BYTES");
    // a flipped bit in S decodes, but the rebuilt block no longer executes
    const flipped = Uint8Array.from(bytes);
    flipped[100] ^= 1;
    await expectCode(() => executeBlock(state, transfersFromL1(state, b.pubdata, flipped), T, DOMAIN), "BAD_SIGNATURE");
    // signatures swapped between the slots: still well formed, wrong signers
    const swapped = new Uint8Array([...bytes.subarray(64), ...bytes.subarray(0, 64)]);
    await expectCode(() => executeBlock(state, transfersFromL1(state, b.pubdata, swapped), T, DOMAIN), "BAD_SIGNATURE");
    // encoding refuses what cannot be published
    await expectCode(() => encodeBlockSignatures([...b.txs, b.txs[0]!], T), "BLOCK_FULL");
    await expectCode(() => encodeBlockSignatures([{ ...b.txs[0]!.signature, S: subgroupOrder() }], T), "BAD_SIGNATURE_BYTES");
    await expectCode(() => encodeBlockSignatures([{ ...b.txs[0]!.signature, R8x: 5n }], T), "BAD_SIGNATURE_BYTES");
    // a sender without an account
    const ghost = Uint8Array.from(b.pubdata);
    ghost[3] = 9; // from = 9
    await expectCode(() => transfersFromL1(state, ghost, bytes), "UNKNOWN_ACCOUNT");
  });
});
