/**
 * The native Groth16 prover (native/groth16/, src/zk/native.ts) on the CI circuit (T=2, D=8): proofs of several
 * consecutive real blocks verify with snarkjs and with the generated verifier contract on Hardhat's chain, in the
 * CLI's snarkjs file formats and through the Prover (serve mode); a tampered public input is rejected; bad inputs
 * (truncated zkey, zkey of another curve, witness of another circuit, truncated witness) give typed errors and
 * non-zero exit codes.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { spawnSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { initL2 } from "../../src/l2/crypto.js";
import { DEV_DOMAIN, devGenesis, sampleTransfers } from "../../src/l2/sample.js";
import { stateFromGenesis } from "../../src/l2/state.js";
import { executeBlock, type BlockResult } from "../../src/l2/block.js";
import { Prover, closeProver, verifyOffchain, type ProveResult } from "../../src/zk/prover.js";
import { NativeProverProcess, ensureNativeProver, proveNative } from "../../src/zk/native.js";
import { ZkError } from "../../src/zk/errors.js";
import { loadSnarkjs, type VerificationKey } from "../../src/zk/libs.js";
import { compileFixture, fixtureInput, TEST_DIR } from "./helpers.js";

const T = 2;
const D = 8;
const WASM = `build/circuits/T${T}_D${D}/main_js/main.wasm`;
const ZKEY = `build/setup/block_T${T}_D${D}/circuit.zkey`;
const VKEY = `build/setup/block_T${T}_D${D}/vkey.json`;
const RUN_DIR = join(TEST_DIR, `native-${process.pid}`);

async function expectZkError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(ZkError);
    expect((e as ZkError).code).to.equal(code);
    if (message) expect((e as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected ZkError ${code}`);
}

describe("native Groth16 prover (T=2 D=8)", function () {
  this.timeout(120_000);
  let bin: string;
  let vkey: VerificationKey;
  let blocks: BlockResult[];
  let wtns: string[];
  let prover: Prover;
  const proved: ProveResult[] = [];

  before(async function () {
    bin = await ensureNativeProver();
    vkey = JSON.parse(await readFile(VKEY, "utf8")) as VerificationKey;
    await mkdir(RUN_DIR, { recursive: true });
    await initL2();
    // 4 consecutive blocks with transfers (block k+1 starts from block k's state).
    const accounts = 5;
    let state = stateFromGenesis(devGenesis(accounts, 1_000_000_000n), D);
    blocks = [];
    for (let k = 0; k < 4; k++) {
      const b = executeBlock(state, sampleTransfers(state, accounts, T), T, DEV_DOMAIN);
      blocks.push(b);
      state = b.state;
    }
    const snarkjs = await loadSnarkjs();
    wtns = [];
    for (const [k, b] of blocks.slice(0, 2).entries()) {
      const p = join(RUN_DIR, `block${k}.wtns`);
      await snarkjs.wtns.calculate(b.circuitInput as unknown as Record<string, unknown>, WASM, p);
      wtns.push(p);
    }
    prover = new Prover("process", { engine: "native" });
  });

  after(async function () {
    await prover?.close();
    await closeProver(); // also releases snarkjs's curve threads (they would keep mocha alive)
    await rm(RUN_DIR, { recursive: true, force: true });
  });

  it("proves consecutive real blocks through the Prover; snarkjs accepts every proof", async function () {
    for (const b of blocks) {
      const r = await prover.prove({ wasmPath: WASM, zkeyPath: ZKEY, input: b.circuitInput as unknown as Record<string, unknown> });
      expect(r.engine).to.equal("native");
      expect(r.publicSignals).to.deep.equal(b.publicInputs);
      expect(r.snarkjsProof.protocol).to.equal("groth16");
      expect(r.snarkjsProof.curve).to.equal("bn128");
      expect(r.nativeTimings!.msmB2).to.be.greaterThan(0);
      expect(await verifyOffchain(vkey, r.snarkjsProof, r.publicSignals)).to.equal(true);
      proved.push(r);
    }
  });

  it("is randomized: proofs of one witness differ and all verify (serve mode, 1 and 2 threads)", async function () {
    const seen = new Set<string>();
    for (const threads of [1, 2]) {
      const p = new NativeProverProcess(ZKEY, threads);
      try {
        for (let i = 0; i < 3; i++) {
          const r = await p.prove(wtns[i % 2]!);
          expect(r.publicSignals.map(BigInt)).to.deep.equal(blocks[i % 2]!.publicInputs);
          expect(await verifyOffchain(vkey, r.proof, r.publicSignals)).to.equal(true);
          seen.add(JSON.stringify(r.proof.pi_a));
        }
      } finally {
        await p.close();
      }
    }
    expect(seen.size).to.equal(6);
  });

  it("writes snarkjs's proof.json and public.json formats (CLI)", async function () {
    const proofPath = join(RUN_DIR, "proof.json");
    const publicPath = join(RUN_DIR, "public.json");
    const r = await proveNative({ zkeyPath: ZKEY, wtnsPath: wtns[0]!, proofPath, publicPath, threads: 2 });
    const proof = JSON.parse(await readFile(proofPath, "utf8"));
    const pub = JSON.parse(await readFile(publicPath, "utf8"));
    expect(Object.keys(proof)).to.deep.equal(["pi_a", "pi_b", "pi_c", "protocol", "curve"]);
    expect(proof.pi_a).to.have.length(3);
    expect(proof.pi_a[2]).to.equal("1");
    expect(proof.pi_b[2]).to.deep.equal(["1", "0"]);
    for (const v of [...proof.pi_a, ...proof.pi_b.flat(), ...proof.pi_c]) expect(v).to.match(/^\d+$/);
    expect(pub).to.deep.equal(blocks[0]!.publicInputs.map(String));
    expect(r.proof).to.deep.equal(proof);
    expect(r.timings.readZkey).to.be.greaterThan(0);
    const snarkjs = await loadSnarkjs();
    expect(await snarkjs.groth16.verify(vkey, pub, proof)).to.equal(true);
  });

  it("the generated verifier contract accepts the native proofs and rejects a tampered public input", async function () {
    const { ethers } = await network.connect();
    const v = (await ethers.deployContract("BlockVerifier_T2_D8")) as unknown as { verifyBlockProof(p: bigint[], x: bigint[]): Promise<boolean> };
    expect(proved.length).to.equal(blocks.length);
    for (const r of proved) {
      expect(await v.verifyBlockProof(r.proof, r.publicSignals)).to.equal(true);
      const bad = [...r.publicSignals];
      bad[2] = bad[2]! + 1n;
      expect(await v.verifyBlockProof(r.proof, bad)).to.equal(false);
      expect(await verifyOffchain(vkey, r.proof, bad)).to.equal(false);
    }
    // A proof of block 0 does not verify block 1's statement.
    expect(await v.verifyBlockProof(proved[0]!.proof, proved[1]!.publicSignals)).to.equal(false);
  });

  describe("bad inputs: typed errors, non-zero exit", function () {
    const cli = (zkey: string, w: string) =>
      spawnSync(bin, ["--threads", "1", zkey, w, join(RUN_DIR, "x.proof.json"), join(RUN_DIR, "x.public.json")], { encoding: "utf8" });

    it("a truncated zkey", async function () {
      const z = await readFile(ZKEY);
      const cut = join(RUN_DIR, "truncated.zkey");
      await writeFile(cut, z.subarray(0, Math.floor(z.length * 0.7)));
      await expectZkError(proveNative({ zkeyPath: cut, wtnsPath: wtns[0]! }), "BAD_ZKEY", /truncated/);
      const res = cli(cut, wtns[0]!);
      expect(res.status).to.equal(3);
      expect(res.stderr).to.match(/truncated/);
      // A serve process refuses to start on it (the Prover reports it the same way).
      const p = new NativeProverProcess(cut, 1);
      await expectZkError(p.prove(wtns[0]!), "BAD_ZKEY", /truncated/);
      await p.close();
      const tiny = join(RUN_DIR, "tiny.zkey");
      await writeFile(tiny, z.subarray(0, 7));
      expect(cli(tiny, wtns[0]!).status).to.equal(3);
    });

    it("a zkey of another curve and a file that is not a zkey", async function () {
      const z = Buffer.from(await readFile(ZKEY));
      // Section 2's data starts after magic, version, nSections (12), section 1 (12 + 4) and its own header (12): at
      // 40, n8q (4 bytes) then q; change a byte of q.
      expect(z.readUInt32LE(40)).to.equal(32);
      z[44 + 5] = z[44 + 5]! ^ 0x01;
      const other = join(RUN_DIR, "othercurve.zkey");
      await writeFile(other, z);
      await expectZkError(proveNative({ zkeyPath: other, wtnsPath: wtns[0]! }), "BAD_ZKEY", /curve/);
      const res = cli(wtns[0]!, wtns[0]!);
      expect(res.status).to.equal(3);
      expect(res.stderr).to.match(/bad magic/);
    });

    it("a witness of another circuit and a truncated witness", async function () {
      const fixture = await compileFixture();
      const snarkjs = await loadSnarkjs();
      const foreign = join(RUN_DIR, "fixture.wtns");
      await snarkjs.wtns.calculate(await fixtureInput(11n, 7n, 3n, 4n, 5n), fixture.wasmPath, foreign);
      await expectZkError(proveNative({ zkeyPath: ZKEY, wtnsPath: foreign }), "BAD_WITNESS", /witness length/);
      expect(cli(ZKEY, foreign).status).to.equal(4);
      const w = await readFile(wtns[0]!);
      const cut = join(RUN_DIR, "truncated.wtns");
      await writeFile(cut, w.subarray(0, w.length - 32));
      await expectZkError(proveNative({ zkeyPath: ZKEY, wtnsPath: cut }), "BAD_WITNESS", /truncated/);
      expect(cli(ZKEY, cut).status).to.equal(4);
      // In serve mode a bad job fails alone: the next one is proved.
      const p = new NativeProverProcess(ZKEY, 2);
      try {
        await expectZkError(p.prove(foreign), "BAD_WITNESS");
        const ok = await p.prove(wtns[1]!);
        expect(await verifyOffchain(vkey, ok.proof, ok.publicSignals)).to.equal(true);
      } finally {
        await p.close();
      }
    });
  });
});
