/**
 * Units of a block (Cooperative design): the TypeScript rules of src/l2/units.ts, and the unit circuit
 * `Unit(S, D)` (circuits/unit.circom) against them at S = 1, D = 8 (a block of T = 2 split into K = 2 units).
 * Compiles the unit circuit once (cached in build/circuits/U1_D8, about 7 s the first time); the last part makes
 * real Groth16 proofs with the INSECURE dev setup (build/setup/unit_U1_D8, about 6 s the first time, cached) and
 * checks them with the committed generated verifiers (UnitVerifier_U1_D8, BatchVerifier_U1_D8) on Hardhat's chain.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FEE_BURN_MAX_BPS, SLOT_BYTES, UNIT_PUBLIC_INPUT_INDEX, executeBlock, executeBlockUnits, initL2, pubdataWords, signTransfer, splitBlock,
  unitPubdata, unitPublicInputs, unitWithPayee, type BlockResult, type KeyPair, type L2State, type Transfer, type UnitCircuitInput,
} from "../../src/l2/index.js";
import { BPS } from "../../src/protocol.js";
import { compileCircuit, type CompiledCircuit } from "../../src/zk/compile.js";
import { buildCircuit } from "../../src/zk/build.js";
import { renderVerifier } from "../../src/zk/export.js";
import { exportBatchVerifier } from "../../src/zk/exportBatch.js";
import { closeProver, proveBlock, verifyOffchain, type ProveResult } from "../../src/zk/prover.js";
import { calculateWitness, publicSignalsOf, type WitnessError } from "../../src/zk/witness.js";
import { DOMAIN, OTHER_DOMAIN, expectCode, makeKeys, makeState } from "./helpers.js";

const D = 8;
const PAYEE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const OTHER_PAYEE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("block units: TypeScript rules (src/l2/units.ts)", function () {
  let keys: KeyPair[];
  let state: L2State;
  const sign = (from: number, to: number, amount: bigint, fee: bigint, nonce: number): Transfer =>
    signTransfer({ from, to, amount, fee, nonce }, keys[from].seed, DOMAIN);

  before(async () => {
    await initL2();
    keys = makeKeys(4);
    state = makeState(keys, [1000n, 500n, 0n, 70n], D);
  });

  /** Checks a split against the block: chaining roots, fees, words, pubdata slices and witness slices. */
  function checkSplit(block: BlockResult, K: number, txs: Transfer[]) {
    const T = block.circuitInput.words.length;
    const s = splitBlock(block, K);
    const S = T / K;
    expect([s.T, s.K, s.S]).to.deep.equal([T, K, S]);
    expect(s.units).to.have.length(K);
    expect(s.intermediateRoots).to.have.length(K - 1);
    // roots chain from the parent root to the block's new root, through the intermediate roots
    expect(s.units[0].rootIn).to.equal(state.root);
    expect(s.units[K - 1].rootOut).to.equal(block.newRoot);
    for (let k = 0; k < K; k++) {
      const u = s.units[k];
      expect(u.index).to.equal(k);
      if (k > 0) expect(u.rootIn).to.equal(s.intermediateRoots[k - 1]);
      if (k < K - 1) expect(u.rootOut).to.equal(s.intermediateRoots[k]);
      // each root is the state after the block's first (k + 1) * S slots, by independent re-execution
      expect(u.rootOut).to.equal(executeBlock(state, txs.slice(0, (k + 1) * S), T, DOMAIN).newRoot, `unit ${k} rootOut`);
      // the words and the pubdata slice are the block's
      expect(u.words).to.deep.equal(block.circuitInput.words.slice(k * S, (k + 1) * S));
      const slice = unitPubdata(block.pubdata, K, k);
      expect(slice).to.have.length(S * SLOT_BYTES);
      expect(pubdataWords(slice)).to.deep.equal(u.words);
      // the circuit input is the block's witness sliced, payee 0, FEE_BURN 0
      const ci = u.circuitInput;
      expect([ci.rootIn, ci.rootOut, ci.unitFees, ci.payee, ci.domain, ci.feeBurnBps]).to.deep.equal([u.rootIn, u.rootOut, u.unitFees, 0n, DOMAIN, 0n]);
      expect(ci.sSiblings).to.deep.equal(block.circuitInput.sSiblings.slice(k * S, (k + 1) * S));
      expect(ci.sigS).to.deep.equal(block.circuitInput.sigS.slice(k * S, (k + 1) * S));
      expect(ci.rBalance).to.deep.equal(block.circuitInput.rBalance.slice(k * S, (k + 1) * S));
    }
    expect(s.units.reduce((a, u) => a + u.unitFees, 0n)).to.equal(block.totalFees);
    expect(s.units.flatMap((u) => u.words)).to.deep.equal(block.circuitInput.words);
    expect(Buffer.concat(s.units.map((u) => unitPubdata(block.pubdata, K, u.index)))).to.deep.equal(Buffer.from(block.pubdata));
    return s;
  }

  it("T = 2 at K = 2 and K = 1: roots chain, fees sum to totalFees, words are the block's", () => {
    const txs = [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 2n, 0)];
    const block = executeBlock(state, txs, 2, DOMAIN);
    const two = checkSplit(block, 2, txs);
    expect(two.units.map((u) => u.unitFees)).to.deep.equal([3n, 2n]);
    expect(two.intermediateRoots[0]).to.not.equal(state.root);
    expect(two.intermediateRoots[0]).to.not.equal(block.newRoot);
    const one = checkSplit(block, 1, txs);
    expect(one.intermediateRoots).to.deep.equal([]);
    expect([one.units[0].rootIn, one.units[0].rootOut, one.units[0].unitFees]).to.deep.equal([block.oldRoot, block.newRoot, 5n]);
    // K = 1: the unit's witness is the block's, under the unit's names
    const { rootIn, rootOut, unitFees, feeBurnBps, ...rest } = one.units[0].circuitInput;
    const { oldRoot, newRoot, totalFees, ...blockRest } = block.circuitInput;
    expect([rootIn, rootOut, unitFees, feeBurnBps]).to.deep.equal([oldRoot, newRoot, totalFees, 0n]);
    expect(rest).to.deep.equal(blockRest);
    // splitting the circuit input alone gives the same units
    expect(splitBlock(block.circuitInput, 2)).to.deep.equal(two);
  });

  it("T = 4 with a self-transfer, chained nonces and a no-op pad, at K = 1, 2, 4", () => {
    const txs = [sign(1, 1, 10n, 1n, 0), sign(1, 2, 5n, 0n, 1), sign(4, 1, 60n, 4n, 0)];
    const block = executeBlock(state, txs, 4, DOMAIN);
    for (const K of [1, 2, 4]) checkSplit(block, K, txs);
    const four = splitBlock(block, 4);
    expect(four.units[3].rootIn).to.equal(four.units[3].rootOut); // the no-op slot changes nothing
    expect(four.units[3].words).to.deep.equal([0n]);
    expect(four.units.map((u) => u.unitFees)).to.deep.equal([1n, 0n, 4n, 0n]);
    const viaState = executeBlockUnits(state, txs, 4, 2, DOMAIN);
    expect(viaState.units).to.deep.equal(splitBlock(block, 2));
  });

  it("K not dividing T (or not a positive integer) is BAD_UNIT_COUNT, from every entry point", async () => {
    const block = executeBlock(state, [sign(1, 2, 1n, 0n, 0)], 2, DOMAIN);
    for (const K of [3, 0, -2, 1.5, 4]) await expectCode(() => splitBlock(block, K), "BAD_UNIT_COUNT");
    await expectCode(() => executeBlockUnits(state, [], 4, 3, DOMAIN), "BAD_UNIT_COUNT");
    await expectCode(() => unitPubdata(block.pubdata, 3, 0), "BAD_UNIT_COUNT");
    await expectCode(() => unitPubdata(block.pubdata, 2, 2), "BAD_UNIT_COUNT");
    await expectCode(() => unitPubdata(block.pubdata, 2, -1), "BAD_UNIT_COUNT");
    await expectCode(() => unitPubdata(block.pubdata.slice(1), 1, 0), "BAD_PUBDATA");
  });

  it("a block witness whose roots do not chain is BAD_WITNESS", async () => {
    const block = executeBlock(state, [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 2n, 0)], 2, DOMAIN);
    const bad: ((ci: BlockResult["circuitInput"]) => void)[] = [
      (ci) => (ci.newRoot += 1n),
      (ci) => (ci.oldRoot += 1n),
      (ci) => (ci.amount[1] += 1n),
      (ci) => (ci.rBalance[0] += 1n),
    ];
    for (const t of bad) {
      const ci = structuredClone(block.circuitInput);
      t(ci);
      await expectCode(() => splitBlock(ci, 2), "BAD_WITNESS");
    }
  });

  it("unitPublicInputs: [rootIn, rootOut, unitFees, payee, domain, words, feeBurnBps]; FEE_BURN in 0..10000", async () => {
    const { units } = executeBlockUnits(state, [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 2n, 0)], 2, 2, DOMAIN);
    const u = units.units[1];
    const pi = unitPublicInputs(u, PAYEE, DOMAIN, 2500);
    expect(pi).to.deep.equal([u.rootIn, u.rootOut, 2n, BigInt(PAYEE), DOMAIN, ...u.words, 2500n]);
    expect(pi[UNIT_PUBLIC_INPUT_INDEX.payee]).to.equal(BigInt(PAYEE));
    expect(unitPublicInputs(u, 0n, DOMAIN, 0n)[pi.length - 1]).to.equal(0n);
    expect(unitPublicInputs(u, 0n, DOMAIN, 10_000n)[pi.length - 1]).to.equal(10_000n);
    expect(FEE_BURN_MAX_BPS).to.equal(BPS);
    for (const f of [10_001n, -1n, 2.5, 1n << 200n]) await expectCode(() => unitPublicInputs(u, PAYEE, DOMAIN, f), "BAD_FEE_BURN");
    await expectCode(() => unitPublicInputs(u, "0x1234", DOMAIN, 0n), "BAD_PAYEE");
    await expectCode(() => unitPublicInputs(u, PAYEE, -1n, 0n), "BAD_DOMAIN");
    // unitWithPayee: a copy with payee and FEE_BURN set, and the same public inputs
    const before = structuredClone(u);
    const p = unitWithPayee(u, PAYEE, 2500);
    expect(p.publicInputs).to.deep.equal(pi);
    expect([p.circuitInput.payee, p.circuitInput.feeBurnBps]).to.deep.equal([BigInt(PAYEE), 2500n]);
    expect(u).to.deep.equal(before);
    await expectCode(() => unitWithPayee(u, PAYEE, 10_001), "BAD_FEE_BURN");
  });
});

describe("unit circuit Unit(1, 8) vs TypeScript", function () {
  this.timeout(300_000);
  const S = 1;
  const NPUB = 6 + S;
  let circuit: CompiledCircuit;
  let keys: KeyPair[];
  let state: L2State;
  const sign = (from: number, to: number, amount: bigint, fee: bigint, nonce: number): Transfer =>
    signTransfer({ from, to, amount, fee, nonce }, keys[from].seed, DOMAIN);
  const witness = (input: UnitCircuitInput) => calculateWitness(circuit.wasmPath, input);
  const rejects = async (input: UnitCircuitInput, rule: string) => {
    try {
      await witness(input);
    } catch (e) {
      const err = e as WitnessError;
      expect(err.code, err.message).to.equal("CONSTRAINT_FAILED");
      expect(err.trace.some((t) => t.startsWith(rule + "_")), `expected a failure in ${rule}: ${err.message}`).to.equal(true);
      return;
    }
    expect.fail(`the unit circuit accepted an input that breaks ${rule}`);
  };

  before(async () => {
    await initL2();
    keys = makeKeys(4);
    state = makeState(keys, [1000n, 500n, 0n, 70n], D);
    circuit = await compileCircuit({ kind: "unit", T: S, D, quiet: true });
  });

  after(async () => {
    await closeProver();
  });

  it("compiles to its own folder with 6 + S public inputs and costs Block(S, D) + 1 constraint", async () => {
    expect(circuit.dir).to.match(/build\/circuits\/U1_D8$/);
    expect(await readFile(join(circuit.dir, "main.circom"), "utf8")).to.contain(
      "component main {public [rootIn, rootOut, unitFees, payee, domain, words, feeBurnBps]} = Unit(1, 8);",
    );
    // Block(T, D) = per-slot x T + 1 (payee square); Unit(S, D) = per-slot x S + 2 (and feeBurnBps's square)
    const block = await compileCircuit({ T: 2, D, quiet: true });
    const perSlot = (block.constraints - 1) / 2;
    expect(circuit.constraints).to.equal(perSlot * S + 2);
    await expectCode(() => compileCircuit({ kind: "bogus" as "unit", T: S, D, quiet: true }), "BAD_PARAMETER");
  });

  it("every unit's witness satisfies the circuit and its public signals are unitPublicInputs (K = 2, T = 2)", async () => {
    const { block, units } = executeBlockUnits(state, [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 2n, 0)], 2, 2, DOMAIN);
    for (const u of units.units) {
      expect(publicSignalsOf(await witness(u.circuitInput), NPUB)).to.deep.equal(unitPublicInputs(u, 0n, DOMAIN, 0n));
      const p = unitWithPayee(u, PAYEE, 2500n);
      const got = publicSignalsOf(await witness(p.circuitInput), NPUB);
      expect(got).to.deep.equal(p.publicInputs);
      expect(got).to.deep.equal(unitPublicInputs(u, PAYEE, DOMAIN, 2500n));
    }
    expect(units.units[0].rootIn).to.equal(block.oldRoot);
    expect(units.units[1].rootOut).to.equal(block.newRoot);
  });

  it("accepts a no-op unit (rootIn = rootOut, word 0, fees 0)", async () => {
    const { units } = executeBlockUnits(state, [sign(1, 2, 100n, 3n, 0)], 2, 2, DOMAIN);
    const noop = units.units[1];
    expect([noop.rootIn === noop.rootOut, noop.words, noop.unitFees]).to.deep.equal([true, [0n], 0n]);
    const p = unitWithPayee(noop, OTHER_PAYEE, 10_000n);
    expect(publicSignalsOf(await witness(p.circuitInput), NPUB)).to.deep.equal(p.publicInputs);
  });

  it("rejects a wrong rootOut, word, unitFees or rootIn, another unit's roots and another domain", async () => {
    const { units } = executeBlockUnits(state, [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 2n, 0)], 2, 2, DOMAIN);
    const [u0, u1] = units.units;
    const tamper: [UnitCircuitInput, (ci: UnitCircuitInput) => void, string][] = [
      [u0.circuitInput, (ci) => (ci.rootOut += 1n), "NewRootMatches"],
      [u0.circuitInput, (ci) => (ci.rootOut = units.newRoot), "NewRootMatches"], // the block's root, not the unit's
      [u1.circuitInput, (ci) => (ci.words[0] += 1n << 32n), "PubdataWordMatches"], // amount + 1 in the word only
      [u1.circuitInput, (ci) => (ci.words[0] = 0n), "PubdataWordMatches"],
      [u0.circuitInput, (ci) => (ci.unitFees += 1n), "TotalFeesMatch"],
      [u1.circuitInput, (ci) => (ci.unitFees = 5n), "TotalFeesMatch"], // the block's total fees
      [u1.circuitInput, (ci) => (ci.rootIn = units.oldRoot), "SenderLeafInRoot"], // unit 1 proven from the parent root
      [u1.circuitInput, (ci) => (ci.domain = OTHER_DOMAIN), "EdDSAPoseidonVerifier"],
    ];
    for (const [base, t, rule] of tamper) {
      const ci = structuredClone(base);
      t(ci);
      await rejects(ci, rule);
    }
  });

  describe("real Groth16 proofs (INSECURE dev setup) and the generated verifiers", function () {
    const GENERATED = ["Groth16Verifier_U1_D8.sol", "UnitVerifier_U1_D8.sol", "UnitVk_U1_D8.sol", "BatchVerifier_U1_D8.sol"];
    let built: Awaited<ReturnType<typeof buildCircuit>>;
    let proofs: { proved: ProveResult; publicInputs: bigint[] }[];
    /** The checked-in generated verifiers as they were before this run (buildCircuit rewrites them if they differ). */
    const checkedIn = new Map<string, string>();

    before(async () => {
      for (const f of GENERATED) checkedIn.set(f, await readFile(join("contracts/verifiers", f), "utf8"));
      built = await buildCircuit({ kind: "unit", T: S, D });
      const { units } = executeBlockUnits(state, [sign(1, 2, 100n, 3n, 0), sign(2, 3, 7n, 2n, 0)], 2, 2, DOMAIN);
      proofs = [];
      for (const [u, burn] of [[units.units[0], 2500n], [units.units[1], 0n]] as const) {
        const p = unitWithPayee(u, PAYEE, burn);
        const proved = await proveBlock({ wasmPath: built.wasmPath, zkeyPath: built.setup.zkeyPath, input: p.circuitInput as unknown as Record<string, unknown> });
        proofs.push({ proved, publicInputs: p.publicInputs });
      }
    });

    it("the build is unit_U1_D8 and the checked-in verifiers are the ones this key generates", async () => {
      expect(built.artifacts.name).to.equal("unit_U1_D8");
      expect(built.setup.nPublic).to.equal(NPUB);
      expect([built.exported.verifierContract, built.exported.adapterContract]).to.deep.equal(["Groth16Verifier_U1_D8", "UnitVerifier_U1_D8"]);
      // Against the files as they were when the run started (the contracts the chain below was compiled from).
      const committed = async (f: string) => checkedIn.get(f)!;
      expect(await renderVerifier(built.setup.zkeyPath, "Groth16Verifier_U1_D8", built.setup.mode)).to.equal(await committed("Groth16Verifier_U1_D8.sol"));
      expect(await readFile(built.exported.adapterPath, "utf8")).to.equal(await committed("UnitVerifier_U1_D8.sol"));
      const dir = await mkdtemp(join(tmpdir(), "unit-batch-"));
      try {
        const b = await exportBatchVerifier({ kind: "unit", T: S, D, vkey: built.setup.vkey, outDir: dir, mode: built.setup.mode, setup: built.setup.provenance });
        expect([b.verifierContract, b.vkLibrary, b.nPublic]).to.deep.equal(["BatchVerifier_U1_D8", "UnitVk_U1_D8", NPUB]);
        for (const f of ["BatchVerifier_U1_D8.sol", "UnitVk_U1_D8.sol"]) expect(await readFile(join(dir, f), "utf8"), f).to.equal(await committed(f));
        // a block key (5 + T inputs) is not a unit key
        await expectCode(() => exportBatchVerifier({ kind: "unit", T: 2, D, vkey: built.setup.vkey, outDir: dir, mode: "dev-insecure" }), "BAD_VKEY");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("a proof binds its payee and FEE_BURN: another payee or FEE_BURN does not verify", async () => {
      const vkey = built.setup.vkey;
      const { proved, publicInputs } = proofs[0];
      expect(proved.publicSignals).to.deep.equal(publicInputs);
      expect(await verifyOffchain(vkey, proved.proof, publicInputs)).to.equal(true);
      const swap = (i: number, v: bigint) => publicInputs.map((x, k) => (k === i ? v : x));
      const burn = publicInputs.length - 1;
      expect(await verifyOffchain(vkey, proved.proof, swap(UNIT_PUBLIC_INPUT_INDEX.payee, BigInt(OTHER_PAYEE))), "another payee").to.equal(false);
      expect(await verifyOffchain(vkey, proved.proof, swap(burn, 0n)), "FEE_BURN 0").to.equal(false);
      expect(await verifyOffchain(vkey, proved.proof, swap(burn, 2501n)), "FEE_BURN + 1").to.equal(false);
      expect(await verifyOffchain(vkey, proved.proof, swap(UNIT_PUBLIC_INPUT_INDEX.rootOut, proofs[1].publicInputs[1])), "another rootOut").to.equal(false);
    });

    it("UnitVerifier_U1_D8 (IBlockVerifier) and BatchVerifier_U1_D8 accept the K = 2 unit proofs on chain and reject tampering", async () => {
      const { ethers } = await network.connect();
      const single = (await ethers.deployContract("UnitVerifier_U1_D8")) as unknown as {
        verifyBlockProof(p: bigint[], x: bigint[]): Promise<boolean>;
        N_PUBLIC(): Promise<bigint>;
      };
      expect(await single.N_PUBLIC()).to.equal(BigInt(NPUB));
      for (const { proved, publicInputs } of proofs) expect(await single.verifyBlockProof(proved.proof, publicInputs)).to.equal(true);
      const [p0] = proofs;
      const burnt = [...p0.publicInputs.slice(0, -1), 0n];
      expect(await single.verifyBlockProof(p0.proved.proof, burnt), "FEE_BURN changed").to.equal(false);
      expect(await single.verifyBlockProof(p0.proved.proof, p0.publicInputs.slice(0, -1)), "one input short").to.equal(false);

      const batch = (await ethers.deployContract("BatchVerifier_U1_D8")) as unknown as {
        verifyBatch(p: bigint[][], x: bigint[]): Promise<boolean>;
      };
      const all = proofs.map((p) => p.proved.proof);
      expect(await batch.verifyBatch(all, proofs.flatMap((p) => p.publicInputs))).to.equal(true);
      expect(await batch.verifyBatch(all, [...burnt, ...proofs[1].publicInputs]), "one unit's FEE_BURN changed").to.equal(false);
      expect(await batch.verifyBatch(all.slice().reverse(), proofs.flatMap((p) => p.publicInputs)), "proofs swapped").to.equal(false);
    });
  });
});
