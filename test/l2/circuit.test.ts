/**
 * TypeScript rules vs the block circuit at T = 2, D = 8: the circuit accepts exactly the blocks src/l2 accepts,
 * and its public signals are `blockPublicInputs(...)`. Rejected cases use the witness a cheating prover would
 * build (test/l2/helpers.ts uncheckedInput), so each one fails on the rule under test, not on a sloppy input.
 * Compiles the circuit once (cached in build/circuits/T2_D8, about 20 s the first time); the payee/domain binding
 * tests also make real Groth16 proofs with the dev setup (build/setup/block_T2_D8, cached).
 */
import { expect } from "chai";
import {
  FIELD_MODULUS, PUBLIC_INPUT_INDEX, U64_MAX, blockPublicInputs, buildBlock, executeBlock, initL2, signTransfer,
  verifyTransfer, withPayee, type CircuitInput, type KeyPair, type L2State, type Transfer,
} from "../../src/l2/index.js";
import { buildCircuit } from "../../src/zk/build.js";
import { closeProver, proveBlock, verifyOffchain } from "../../src/zk/prover.js";
import { compileCircuit, r1csConstraints, type CompiledCircuit } from "../../src/zk/compile.js";
import { WitnessError, calculateWitness, parseWtns, publicSignalsOf } from "../../src/zk/witness.js";
import { loadSnarkjs, type MemFile } from "../../src/zk/libs.js";
import { DOMAIN, OTHER_DOMAIN, expectCode, makeKeys, makeState, uncheckedInput } from "./helpers.js";

const T = 2;
const D = 8;
const NPUB = 5 + T;
const PAYEE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const OTHER_PAYEE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("L2 block circuit vs TypeScript (T=2, D=8)", function () {
  this.timeout(300_000);
  let circuit: CompiledCircuit;
  let keys: KeyPair[];
  let state: L2State;
  const sign = (from: number, to: number, amount: bigint, fee: bigint, nonce: number, key?: KeyPair): Transfer =>
    signTransfer({ from, to, amount, fee, nonce }, (key ?? keys[from]).seed, DOMAIN);
  const witness = (input: CircuitInput) => calculateWitness(circuit.wasmPath, input);
  /** Witness generation must fail inside the template named `rule` (circuits/checks.circom names each rule). */
  const rejects = async (input: CircuitInput, rule: string) => {
    try {
      await witness(input);
    } catch (e) {
      const err = e as WitnessError;
      expect(err.code, err.message).to.equal("CONSTRAINT_FAILED");
      expect(err.trace.some((t) => t.startsWith(rule + "_")), `expected a failure in ${rule}: ${err.message}`).to.equal(true);
      return;
    }
    expect.fail(`the circuit accepted a block that breaks ${rule}`);
  };

  before(async () => {
    await initL2();
    keys = makeKeys(5);
    state = makeState(keys, [1000n, 500n, 0n, U64_MAX - 10n], D); // accounts 1..4; 5 has a key but no account
    circuit = await compileCircuit({ T, D, quiet: true });
    expect(circuit.constraints).to.be.greaterThan(0);
  });

  after(async () => {
    await closeProver(); // the real-proof test's prover and snarkjs's curve threads
  });

  it("accepts a valid block with a no-op pad; public signals = blockPublicInputs", async () => {
    const b = executeBlock(state, [sign(1, 2, 100n, 3n, 0)], T, DOMAIN);
    // the helper's honest case is exactly what src/l2 produces
    expect(uncheckedInput(state, [sign(1, 2, 100n, 3n, 0)], T, keys[5])).to.deep.equal(b.circuitInput);
    const w = await witness(b.circuitInput);
    const expected = blockPublicInputs(b.oldRoot, b.newRoot, b.pubdata, 0n, DOMAIN);
    expect(publicSignalsOf(w, NPUB)).to.deep.equal(expected);
    expect(expected).to.deep.equal(b.publicInputs);
  });

  it("accepts a full block with a self-transfer and chained nonces, and an all-no-op block", async () => {
    const b = executeBlock(state, [sign(1, 1, 10n, 2n, 0), sign(1, 2, 988n, 0n, 1)], T, DOMAIN);
    expect(publicSignalsOf(await witness(b.circuitInput), NPUB)).to.deep.equal(b.publicInputs);
    const e = executeBlock(state, [], T, DOMAIN);
    expect(publicSignalsOf(await witness(e.circuitInput), NPUB)).to.deep.equal([state.root, state.root, 0n, 0n, DOMAIN, 0n, 0n]);
  });

  it("public signals are [oldRoot, newRoot, totalFees, payee, domain, words] in this order", async () => {
    const b = executeBlock(state, [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 1n, 0)], T, DOMAIN);
    const { circuitInput, publicInputs } = withPayee(b.circuitInput, PAYEE);
    expect(b.circuitInput.payee, "withPayee copies").to.equal(0n);
    const got = publicSignalsOf(await witness(circuitInput), NPUB);
    expect(got).to.deep.equal(publicInputs);
    expect(got).to.deep.equal(blockPublicInputs(b.oldRoot, b.newRoot, b.pubdata, PAYEE, DOMAIN));
    const I = PUBLIC_INPUT_INDEX;
    expect([got[I.oldRoot], got[I.newRoot], got[I.totalFees]]).to.deep.equal([b.oldRoot, b.newRoot, 4n]);
    expect(got[I.payee]).to.equal(BigInt(PAYEE));
    expect(got[I.domain]).to.equal(DOMAIN);
    expect(got.slice(I.words)).to.deep.equal(b.circuitInput.words);
  });

  it("rejects a signature under another domain in both (BAD_SIGNATURE / EdDSAPoseidonVerifier)", async () => {
    // the sender's own key, right nonce and fields, but signed for another rollup sharing genesis and keys
    const replayed = signTransfer({ from: 1, to: 2, amount: 1n, fee: 0n, nonce: 0 }, keys[1].seed, OTHER_DOMAIN);
    expect(verifyTransfer(replayed, keys[1].publicKey, OTHER_DOMAIN)).to.equal(true);
    expect(verifyTransfer(replayed, keys[1].publicKey, DOMAIN)).to.equal(false);
    await expectCode(() => executeBlock(state, [replayed], T, DOMAIN), "BAD_SIGNATURE");
    await rejects(uncheckedInput(state, [replayed], T, keys[5], DOMAIN), "EdDSAPoseidonVerifier");
    // the same witness with the signer's domain as the public input is accepted: the domain is what differs
    const there = executeBlock(state, [replayed], T, OTHER_DOMAIN);
    expect(publicSignalsOf(await witness(uncheckedInput(state, [replayed], T, keys[5], OTHER_DOMAIN)), NPUB)).to.deep.equal(there.publicInputs);
  });

  it("a real proof binds the payee and the domain: another payee or domain does not verify", async () => {
    const built = await buildCircuit({ T, D });
    expect(built.setup.nPublic).to.equal(NPUB);
    const b = executeBlock(state, [sign(1, 2, 100n, 3n, 0)], T, DOMAIN);
    const paid = withPayee(b.circuitInput, PAYEE);
    const r = await proveBlock({ wasmPath: built.wasmPath, zkeyPath: built.setup.zkeyPath, input: paid.circuitInput as unknown as Record<string, unknown> });
    expect(r.publicSignals).to.deep.equal(paid.publicInputs);
    const vkey = built.setup.vkey;
    expect(await verifyOffchain(vkey, r.proof, paid.publicInputs)).to.equal(true);
    const swap = (i: number, v: bigint) => paid.publicInputs.map((x, k) => (k === i ? v : x));
    expect(await verifyOffchain(vkey, r.proof, swap(PUBLIC_INPUT_INDEX.payee, BigInt(OTHER_PAYEE))), "another payee").to.equal(false);
    expect(await verifyOffchain(vkey, r.proof, swap(PUBLIC_INPUT_INDEX.payee, 0n)), "no payee").to.equal(false);
    expect(await verifyOffchain(vkey, r.proof, swap(PUBLIC_INPUT_INDEX.domain, OTHER_DOMAIN)), "another domain").to.equal(false);
  });

  // [name, transfers, code src/l2 throws, circuit template that must fail]
  const invalid: [string, () => Transfer[], string, string][] = [
    ["bad signature", () => [sign(1, 2, 1n, 0n, 0, keys[2])], "BAD_SIGNATURE", "EdDSAPoseidonVerifier"],
    ["overspend", () => [sign(2, 1, 491n, 10n, 0)], "OVERSPEND", "SenderBalanceCheck"],
    ["overspend in the 2nd slot", () => [sign(2, 1, 400n, 0n, 0), sign(2, 1, 101n, 0n, 1)], "OVERSPEND", "SenderBalanceCheck"],
    ["wrong nonce", () => [sign(1, 2, 1n, 0n, 1)], "WRONG_NONCE", "EdDSAPoseidonVerifier"],
    ["replayed transfer", () => [sign(1, 2, 1n, 0n, 0), sign(1, 2, 1n, 0n, 0)], "WRONG_NONCE", "EdDSAPoseidonVerifier"],
    ["unknown receiver", () => [sign(1, 5, 1n, 0n, 0)], "UNKNOWN_ACCOUNT", "ReceiverLeafInRoot"],
    ["receiver 0", () => [sign(1, 0, 1n, 0n, 0)], "UNKNOWN_ACCOUNT", "ReceiverLeafInRoot"],
    ["unknown sender", () => [sign(5, 1, 0n, 0n, 0)], "UNKNOWN_ACCOUNT", "SenderLeafInRoot"],
    ["receiver balance overflow", () => [sign(1, 4, 11n, 0n, 0)], "BALANCE_OVERFLOW", "ReceiverBalanceCheck"],
    // amount = r - 1 is -1 in the field: the balances alone would not catch it, the 64-bit range check does
    ["amount wrapping the field", () => [{ ...sign(1, 2, 0n, 0n, 0), amount: FIELD_MODULUS - 1n }], "OUT_OF_RANGE", "TransferFieldRanges"],
  ];
  for (const [name, txs, code, rule] of invalid) {
    it(`rejects ${name} in both (${code} / ${rule})`, async () => {
      await expectCode(() => executeBlock(state, txs(), T, DOMAIN), code);
      await rejects(uncheckedInput(state, txs(), T, keys[5]), rule);
    });
  }

  it("rejects a witness that lies about the sender's nonce (the leaf then does not open)", async () => {
    const ci = uncheckedInput(state, [sign(1, 2, 1n, 0n, 1)], T, keys[5]);
    ci.sNonce[0] = 1n;
    await rejects(ci, "SenderLeafInRoot");
  });

  it("rejects a no-op slot that carries data", async () => {
    const ci = executeBlock(state, [], T, DOMAIN).circuitInput;
    ci.to[1] = 1n;
    ci.fee[1] = 5n;
    ci.words[1] = (1n << 96n) + 5n;
    ci.totalFees = 5n;
    await rejects(ci, "NoopIsEmpty");
  });

  it("rejects tampered public inputs: pubdata word, newRoot, totalFees, oldRoot", async () => {
    const b = executeBlock(state, [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 1n, 0)], T, DOMAIN);
    const tamper: [(ci: CircuitInput) => void, string][] = [
      [(ci) => (ci.words[0] += 1n << 32n), "PubdataWordMatches"], // amount + 1 in the word only
      [(ci) => (ci.words[1] = 0n), "PubdataWordMatches"],
      [(ci) => (ci.newRoot += 1n), "NewRootMatches"],
      [(ci) => (ci.totalFees -= 1n), "TotalFeesMatch"],
      [(ci) => (ci.oldRoot = b.newRoot), "SenderLeafInRoot"],
    ];
    for (const [t, rule] of tamper) {
      const ci = structuredClone(b.circuitInput);
      t(ci);
      await rejects(ci, rule);
    }
  });

  it("property: over random blocks the circuit accepts exactly what src/l2 accepts", async () => {
    // mulberry32: a small deterministic PRNG, so a failure is reproducible
    let seed = 0x5eed1234;
    const rnd = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = (n: number) => Math.floor(rnd() * n);
    let st = makeState(keys, [800n, 300n, 50n, 1000n], D);
    let accepted = 0;
    let rejected = 0;
    for (let round = 0; round < 8; round++) {
      const txs: Transfer[] = [];
      const nonces = new Map<number, number>();
      for (let k = 0; k < 1 + pick(T); k++) {
        const from = 1 + pick(rnd() < 0.1 ? 5 : 4);
        const to = pick(rnd() < 0.15 ? 6 : 5) || 1;
        const acc = st.getAccount(from);
        const next = nonces.get(from) ?? acc?.nonce ?? 0;
        const nonce = rnd() < 0.15 ? next + 1 : next;
        nonces.set(from, next + 1);
        const bal = acc?.balance ?? 10n;
        const amount = rnd() < 0.2 ? bal + BigInt(pick(5)) : BigInt(pick(Number(bal) + 1));
        const signer = rnd() < 0.1 ? keys[1 + ((from + 1) % 5)] : keys[from];
        txs.push(sign(from, to, amount, BigInt(pick(4)), nonce, signer));
      }
      let tsOk = true;
      let expected: bigint[] = [];
      try {
        const b = executeBlock(st, txs, T, DOMAIN);
        expected = b.publicInputs;
      } catch {
        tsOk = false;
      }
      let circuitOk = true;
      let got: bigint[] = [];
      try {
        got = publicSignalsOf(await witness(uncheckedInput(st, txs, T, keys[5])), NPUB);
      } catch (e) {
        if ((e as { code?: string }).code !== "CONSTRAINT_FAILED") throw e;
        circuitOk = false;
      }
      expect(circuitOk, `round ${round}: TS ${tsOk ? "accepts" : "rejects"}, circuit ${circuitOk ? "accepts" : "rejects"}`).to.equal(tsOk);
      if (tsOk) {
        expect(got).to.deep.equal(expected);
        accepted++;
      } else {
        rejected++;
      }
      // advance with what a sequencer would include
      st = buildBlock(st, txs, T, DOMAIN).block.state;
    }
    expect(accepted, "the random blocks should include valid ones").to.be.greaterThan(0);
    expect(rejected, "the random blocks should include invalid ones").to.be.greaterThan(0);
  });
});

describe("circuit compile cache and witness errors", function () {
  this.timeout(300_000);

  it("a second compile of the same configuration is a cache hit with the same constraint count", async () => {
    const first = await compileCircuit({ T, D, quiet: true });
    const t0 = Date.now();
    const again = await compileCircuit({ T, D, quiet: true });
    expect(again.cached).to.equal(true);
    expect(Date.now() - t0).to.be.lessThan(2000);
    expect(again.constraints).to.equal(first.constraints);
    expect(await r1csConstraints(again.r1csPath)).to.equal(first.constraints);
    // linear in T: two slots cost twice one slot's constraints, plus one block-level constraint (payee * payee)
    expect((first.constraints - 1) % T).to.equal(0);
  });

  it("the witness decoder matches snarkjs's wtns exportJson wire for wire", async () => {
    await initL2();
    const c = await compileCircuit({ T, D, quiet: true });
    const keys = makeKeys(2);
    const st = makeState(keys, [10n, 10n], D);
    const b = executeBlock(st, [signTransfer({ from: 1, to: 2, amount: 3n, fee: 1n, nonce: 0 }, keys[1].seed, DOMAIN)], T, DOMAIN);
    const snarkjs = (await loadSnarkjs()) as unknown as {
      wtns: { calculate(i: object, w: string, o: MemFile): Promise<void>; exportJson(o: MemFile): Promise<bigint[]> };
    };
    const mem: MemFile = { type: "mem" };
    await snarkjs.wtns.calculate(b.circuitInput, c.wasmPath, mem);
    const ours = parseWtns(mem.data!);
    expect(ours.length).to.be.greaterThan(c.constraints / 2);
    expect(ours).to.deep.equal(await snarkjs.wtns.exportJson(mem));
  });

  it("rejects unsupported parameters with a typed error", async () => {
    await expectCode(() => compileCircuit({ T, D: 7 }), "BAD_PARAMETER");
    await expectCode(() => compileCircuit({ T: 0, D }), "BAD_PARAMETER");
  });

  it("a witness input of the wrong shape is BAD_INPUT, not a constraint failure", async () => {
    await initL2();
    const c = await compileCircuit({ T, D, quiet: true });
    const keys = makeKeys(2);
    const st = makeState(keys, [10n, 10n], D);
    const ci = executeBlock(st, [], T, DOMAIN).circuitInput as unknown as Record<string, unknown>;
    delete ci.sigS;
    await expectCode(() => calculateWitness(c.wasmPath, ci), "BAD_INPUT"); // missing signal
    ci.sigS = [0n]; // one value short
    await expectCode(() => calculateWitness(c.wasmPath, ci), "BAD_INPUT");
    ci.sigS = [0n, 0n];
    ci.bogus = 1n;
    await expectCode(() => calculateWitness(c.wasmPath, ci), "BAD_INPUT");
  });
});
