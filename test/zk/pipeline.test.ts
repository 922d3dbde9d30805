/**
 * The zk pipeline end to end on the fixture circuit (5 public inputs like the T=2 block circuit):
 * INSECURE dev setup -> proofs that snarkjs and the generated Solidity verifier accept; tampering is rejected;
 * the setup is deterministic and cached; the ceremony-ptau path works; the dev ptau equals snarkjs's own
 * phase-2 preparation byte for byte.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { BN254_SCALAR_MODULUS as FR } from "../../src/protocol.js";
import { DEV_SETUP_LABEL, devSecrets, lagrangeAt, rootOfUnity, writeDevPtau } from "../../src/zk/devPtau.js";
import { setupCircuit, type SetupResult } from "../../src/zk/setup.js";
import { exportVerifier, renderAdapter, renderVerifier } from "../../src/zk/export.js";
import { Prover, closeProver, proveBlock, verifyOffchain, type ProveResult } from "../../src/zk/prover.js";
import { fromContractProof, toContractProof } from "../../src/zk/proof.js";
import { ZkError } from "../../src/zk/errors.js";
import { loadSnarkjs } from "../../src/zk/libs.js";
import { compileFixture, compileSolidity, fixtureInput, TEST_DIR, type FixtureCircuit } from "./helpers.js";

const RUN_DIR = join(TEST_DIR, `run-${process.pid}`);

async function expectZkError(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(ZkError);
    expect((e as ZkError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ZkError ${code}`);
}

describe("zk pipeline (dev setup, prover, verifier export)", function () {
  let circuit: FixtureCircuit;
  let dev: SetupResult;
  let proved: ProveResult;

  before(async function () {
    circuit = await compileFixture();
    dev = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", setupDir: join(RUN_DIR, "a") });
    proved = await proveBlock({ wasmPath: circuit.wasmPath, zkeyPath: dev.zkeyPath, input: await fixtureInput(11n, 7n, 3n, 4n, 5n) });
  });

  after(async function () {
    await closeProver();
    await rm(RUN_DIR, { recursive: true, force: true });
  });

  describe("dev setup", function () {
    it("derives its secrets from the public label and sizes the domain to the circuit", function () {
      const s = devSecrets();
      expect(DEV_SETUP_LABEL).to.match(/INSECURE/);
      for (const v of [s.tau, s.alpha, s.beta]) expect(v > 1n && v < FR).to.equal(true);
      expect(new Set([s.tau, s.alpha, s.beta]).size).to.equal(3);
      expect(dev.mode).to.equal("dev-insecure");
      expect(dev.power).to.equal(8); // 240 constraints + 5 public inputs
      expect(dev.nPublic).to.equal(5);
      expect(dev.cached).to.equal(false);
      expect(dev.zkeyBytes).to.be.greaterThan(0);
      // The dev key is computed from the secrets (devZkey.ts): no ptau file. zkeyDirect.test.ts checks its bytes.
      expect(dev.ptauPath).to.equal("");
      expect(dev.ptauBytes).to.equal(0);
    });

    it("computes Lagrange values that interpolate 1 and x at tau", function () {
      const { tau } = devSecrets();
      for (const p of [1, 2, 5]) {
        const l = lagrangeAt(tau, p, false);
        const w = rootOfUnity(p);
        let sum = 0n;
        let sumX = 0n;
        let x = 1n;
        for (const li of l) {
          sum = (sum + li) % FR;
          sumX = (sumX + li * x) % FR;
          x = (x * w) % FR;
        }
        expect(sum).to.equal(1n);
        expect(sumX).to.equal(tau);
      }
    });

    it("writes the same bytes as snarkjs's powersoftau prepare phase2 (2^5)", async function () {
      const snarkjs = await loadSnarkjs();
      const mine = join(RUN_DIR, "dev5.ptau");
      const theirs = join(RUN_DIR, "dev5_snarkjs.ptau");
      await writeDevPtau({ power: 5, path: mine });
      // snarkjs recomputes sections 12-15 from our sections 2-5 with its group FFT.
      await snarkjs.powersOfTau.preparePhase2(mine, theirs);
      const a = await readFile(mine);
      const b = await readFile(theirs);
      expect(a.length).to.equal(b.length);
      expect(Buffer.compare(a, b)).to.equal(0);
    });

    it("is cached: a second run computes nothing and returns the same key", async function () {
      const t = performance.now();
      const again = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", setupDir: join(RUN_DIR, "a") });
      expect(again.cached).to.equal(true);
      expect(performance.now() - t).to.be.lessThan(2000);
      expect(again.vkey).to.deep.equal(dev.vkey);
      expect(again.seconds).to.deep.equal(dev.seconds);
    });

    it("is deterministic: a setup from scratch elsewhere gives the same vkey and verifier contract", async function () {
      const other = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", setupDir: join(RUN_DIR, "b"), force: true });
      expect(other.cached).to.equal(false);
      expect(other.vkey).to.deep.equal(dev.vkey);
      expect(await renderVerifier(other.zkeyPath, "V", "dev-insecure")).to.equal(await renderVerifier(dev.zkeyPath, "V", "dev-insecure"));
    });

    it("rejects bad arguments with typed errors", async function () {
      await expectZkError(setupCircuit({ r1csPath: join(RUN_DIR, "missing.r1cs"), name: "x", setupDir: RUN_DIR }), "FILE_NOT_FOUND");
      await expectZkError(setupCircuit({ r1csPath: circuit.r1csPath, name: "../evil", setupDir: RUN_DIR }), "BAD_ARGUMENT");
      await expectZkError(writeDevPtau({ power: 0, path: join(RUN_DIR, "p0.ptau") }), "BAD_ARGUMENT");
    });
  });

  describe("prover and off-chain verification", function () {
    it("proves in a separate process and snarkjs accepts the proof", async function () {
      expect(proved.proof).to.have.length(8);
      expect(proved.publicSignals).to.deep.equal([11n, proved.publicSignals[1], 3n, 4n, 5n]);
      expect(proved.proveSeconds).to.be.greaterThan(0);
      expect(await verifyOffchain(dev.vkey, proved.proof, proved.publicSignals)).to.equal(true);
      expect(await verifyOffchain(dev.vkey, proved.snarkjsProof, proved.publicSignals)).to.equal(true);
    });

    it("rejects a tampered public input, a tampered proof and a wrong input count", async function () {
      const inputs = [...proved.publicSignals];
      inputs[2] += 1n;
      expect(await verifyOffchain(dev.vkey, proved.proof, inputs)).to.equal(false);
      const proof = [...proved.proof];
      [proof[0], proof[6]] = [proof[6], proof[0]];
      expect(await verifyOffchain(dev.vkey, proof, proved.publicSignals)).to.equal(false);
      expect(await verifyOffchain(dev.vkey, proved.proof, proved.publicSignals.slice(1))).to.equal(false);
    });

    it("reports progress and also proves in a worker thread", async function () {
      const prover = new Prover("thread");
      const phases: string[] = [];
      try {
        const r = await prover.prove({
          wasmPath: circuit.wasmPath,
          zkeyPath: dev.zkeyPath,
          input: await fixtureInput(1n, 2n, 3n, 4n, 5n),
          onProgress: (p) => phases.push(p),
        });
        expect(phases).to.deep.equal(["witness", "prove", "done"]);
        expect(await verifyOffchain(dev.vkey, r.proof, r.publicSignals)).to.equal(true);
      } finally {
        await prover.close();
      }
    });

    it("fails with PROVE_FAILED on an unsatisfiable input, and the prover keeps working", async function () {
      const bad = { ...(await fixtureInput(1n, 2n, 3n, 4n, 5n)), newRoot: 12345n };
      await expectZkError(proveBlock({ wasmPath: circuit.wasmPath, zkeyPath: dev.zkeyPath, input: bad }), "PROVE_FAILED");
      await expectZkError(proveBlock({ wasmPath: join(RUN_DIR, "nope.wasm"), zkeyPath: dev.zkeyPath, input: {} }), "FILE_NOT_FOUND");
      const ok = await proveBlock({ wasmPath: circuit.wasmPath, zkeyPath: dev.zkeyPath, input: await fixtureInput(2n, 2n, 3n, 4n, 5n) });
      expect(await verifyOffchain(dev.vkey, ok.proof, ok.publicSignals)).to.equal(true);
    });

    it("a closed prover refuses proofs queued behind close() instead of starting a new process", async function () {
      const prover = new Prover();
      const input = await fixtureInput(3n, 2n, 3n, 4n, 5n);
      const first = prover.prove({ wasmPath: circuit.wasmPath, zkeyPath: dev.zkeyPath, input });
      const queued = prover.prove({ wasmPath: circuit.wasmPath, zkeyPath: dev.zkeyPath, input });
      await prover.close();
      await expectZkError(first, "WORKER_FAILED");
      await expectZkError(queued, "WORKER_FAILED");
      await expectZkError(prover.prove({ wasmPath: circuit.wasmPath, zkeyPath: dev.zkeyPath, input }), "WORKER_FAILED");
    });

    it("converts proofs to the contract layout and back", function () {
      const back = fromContractProof(proved.proof);
      expect(toContractProof(back)).to.deep.equal(proved.proof);
      expect(proved.proof[2]).to.equal(BigInt(proved.snarkjsProof.pi_b[0][1])); // B.x imaginary part first
      expect(() => fromContractProof(proved.proof.slice(1))).to.throw(ZkError);
      expect(() => fromContractProof([...proved.proof.slice(0, 7), -1n])).to.throw(ZkError);
    });
  });

  describe("export", function () {
    it("writes vkey, verifier and adapter for a (T, D) once, then only when content changes", async function () {
      const root = join(RUN_DIR, "export");
      const opts = { T: 2, D: 8, zkeyPath: dev.zkeyPath, mode: dev.mode, root, vkeyPath: join(root, "vkey.json") };
      const first = await exportVerifier(opts);
      expect(first.written).to.have.length(3);
      expect(first.verifierContract).to.equal("Groth16Verifier_T2_D8");
      expect(first.adapterContract).to.equal("BlockVerifier_T2_D8");
      const sol = await readFile(first.verifierPath, "utf8");
      expect(sol).to.match(/contract Groth16Verifier_T2_D8 \{/);
      expect(sol).to.match(/INSECURE/);
      expect(await readFile(first.adapterPath, "utf8")).to.match(/uint256 public constant N_PUBLIC = 5;/);
      expect(JSON.parse(await readFile(first.vkeyPath, "utf8"))).to.deep.equal(dev.vkey);
      const second = await exportVerifier(opts);
      expect(second.written).to.deep.equal([]);
      await expectZkError(exportVerifier({ ...opts, zkeyPath: join(RUN_DIR, "none.zkey") }), "FILE_NOT_FOUND");
      await expectZkError(exportVerifier({ ...opts, T: 0 }), "BAD_ARGUMENT");
    });
  });

  describe("generated verifier on chain", function () {
    it("accepts the proof through the IBlockVerifier adapter and rejects tampering", async function () {
      const { ethers } = await network.connect();
      const sources = {
        "contracts/interfaces/IBlockVerifier.sol": await readFile("contracts/interfaces/IBlockVerifier.sol", "utf8"),
        "contracts/verifiers/Groth16Verifier_Fixture.sol": await renderVerifier(dev.zkeyPath, "Groth16Verifier_Fixture", dev.mode),
        "contracts/verifiers/BlockVerifier_Fixture.sol": renderAdapter({
          adapterContract: "BlockVerifier_Fixture",
          verifierContract: "Groth16Verifier_Fixture",
          nPublic: dev.vkey.nPublic,
          mode: dev.mode,
          description: "the zk test fixture circuit",
        }),
      };
      const c = compileSolidity(sources, "contracts/verifiers/BlockVerifier_Fixture.sol", "BlockVerifier_Fixture");
      const [signer] = await ethers.getSigners();
      const factory = new ethers.ContractFactory(c.abi as never, c.bytecode, signer);
      const v = (await (await factory.deploy()).waitForDeployment()) as unknown as {
        verifyBlockProof(p: bigint[], x: bigint[]): Promise<boolean>;
        INSECURE_DEV_SETUP(): Promise<boolean>;
        N_PUBLIC(): Promise<bigint>;
      };
      expect(await v.INSECURE_DEV_SETUP()).to.equal(true);
      expect(await v.N_PUBLIC()).to.equal(5n);
      expect(await v.verifyBlockProof(proved.proof, proved.publicSignals)).to.equal(true);
      const inputs = [...proved.publicSignals];
      inputs[4] += 1n;
      expect(await v.verifyBlockProof(proved.proof, inputs)).to.equal(false);
      expect(await v.verifyBlockProof(proved.proof, proved.publicSignals.slice(0, 4))).to.equal(false);
      expect(await v.verifyBlockProof(proved.proof, [...proved.publicSignals, 0n])).to.equal(false);
      const proof = [...proved.proof];
      proof[7] = (proof[7] + 1n) % 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
      expect(await v.verifyBlockProof(proof, proved.publicSignals)).to.equal(false);
      inputs[4] = FR + proved.publicSignals[4]; // same value mod r, but not a canonical field element
      expect(await v.verifyBlockProof(proved.proof, inputs)).to.equal(false);
    });
  });

  describe("setup from a ceremony ptau", function () {
    it("builds a working key from a snarkjs-made ptau, and refuses one that is too small", async function () {
      const snarkjs = await loadSnarkjs();
      const curve = await snarkjs.curves.getCurveFromName("bn128");
      const dir = join(RUN_DIR, "ceremony");
      const { mkdir } = await import("node:fs/promises");
      await mkdir(dir, { recursive: true });
      const ptau = async (power: number) => {
        const p0 = join(dir, `pot${power}_0.ptau`);
        const p1 = join(dir, `pot${power}_1.ptau`);
        const pf = join(dir, `pot${power}_final.ptau`);
        await snarkjs.powersOfTau.newAccumulator(curve, power, p0);
        await snarkjs.powersOfTau.contribute(p0, p1, "test contribution", "fixed test entropy (not secret)");
        await snarkjs.powersOfTau.preparePhase2(p1, pf);
        return { unprepared: p1, prepared: pf };
      };
      const small = await ptau(4);
      await expectZkError(setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau: small.prepared, setupDir: join(RUN_DIR, "c") }), "CIRCUIT_TOO_BIG");
      await expectZkError(setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau: small.unprepared, setupDir: join(RUN_DIR, "c") }), "BAD_ARGUMENT");

      const real = await ptau(8);
      const s = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau: real.prepared, setupDir: join(RUN_DIR, "c") });
      expect(s.mode).to.equal("ptau");
      expect(s.vkey.vk_alpha_1).to.not.deep.equal(dev.vkey.vk_alpha_1);
      const r = await proveBlock({ wasmPath: circuit.wasmPath, zkeyPath: s.zkeyPath, input: await fixtureInput(5n, 6n, 7n, 8n, 9n) });
      expect(await verifyOffchain(s.vkey, r.proof, r.publicSignals)).to.equal(true);
      expect(await verifyOffchain(dev.vkey, r.proof, r.publicSignals)).to.equal(false);
      const again = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau: real.prepared, setupDir: join(RUN_DIR, "c") });
      expect(again.cached).to.equal(true);
    });
  });
});
