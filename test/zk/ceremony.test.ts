/**
 * Security finding 1: the "real ceremony" (--ptau) path used to finish phase 2 with a fixed public beacon only, so
 * delta was computable by anyone and proofs could be forged. With snarkjs keys gamma is the G2 generator, so
 *   A = alpha, B = beta, C = -vk_x / delta   (vk_x = IC_0 + sum_i x_i IC_i)
 * satisfies e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta) for ANY public inputs x, given delta's scalar.
 *
 * On the fixture circuit (test/zk/fixtures/fixture.circom, 2^8) with a snarkjs-made ceremony ptau (cached):
 * the forgery succeeds against the dev key (public secret) and against a beacon-only ptau key (delta derived from the
 * public beacon), and fails against the key the fixed setup makes (secret OS-entropy contribution). Beacon-only and
 * contribution-free keys are refused (ZkError INSECURE_SETUP) by the setup, every export and the CLI; imported keys
 * are checked against the r1cs and the ptau; every generated file is labelled with its setup.
 */
import { expect } from "chai";
import { bn254 } from "@noble/curves/bn254.js";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { BN254_SCALAR_MODULUS as FR } from "../../src/protocol.js";
import { beaconDelta } from "../../src/zk/devZkey.js";
import {
  BEACON_ITERATIONS_EXP,
  DEV_INSECURE_LABEL,
  beaconHash,
  readZkeyContributions,
  setupCircuit,
  setupLabel,
  type SetupResult,
} from "../../src/zk/setup.js";
import { exportVerifier, renderAdapter, renderVerifier } from "../../src/zk/export.js";
import { exportBatchVerifier } from "../../src/zk/exportBatch.js";
import { closeProver, proveBlock, verifyOffchain } from "../../src/zk/prover.js";
import { toContractProof } from "../../src/zk/proof.js";
import { verifySingle } from "../../src/zk/batchVerify.js";
import { ZkError } from "../../src/zk/errors.js";
import { loadSnarkjs, type SnarkjsProof, type VerificationKey } from "../../src/zk/libs.js";
import { compileFixture, fixtureInput, TEST_DIR, type FixtureCircuit } from "./helpers.js";

const RUN_DIR = join(TEST_DIR, `ceremony-${process.pid}`);
/** The ceremony ptau of the fixture (2^8), made once with snarkjs and kept between runs. */
const PTAU_DIR = join(TEST_DIR, "ceremony-ptau");
const PTAU_POWER = 8;

const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const { Fp2 } = bn254.fields;

/** Public inputs chosen by the attacker: nothing ties them to a witness. */
const CHOSEN = [123n, 456n, 10n ** 18n, FR - 1n, 7n];

async function expectZkError(p: Promise<unknown> | (() => unknown), code: string): Promise<ZkError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect(e).to.be.instanceOf(ZkError);
    expect((e as ZkError).code, (e as Error).message).to.equal(code);
    return e as ZkError;
  }
  return expect.fail(`expected ZkError ${code}`);
}

function powMod(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = b % FR;
  for (; e > 0n; e >>= 1n, x = (x * x) % FR) if (e & 1n) r = (r * x) % FR;
  return r;
}

const g1 = (p: string[]) => G1.fromAffine({ x: BigInt(p[0]), y: BigInt(p[1]) });
const g2 = (p: string[][]) =>
  G2.fromAffine({ x: Fp2.fromBigTuple([BigInt(p[0][0]), BigInt(p[0][1])]), y: Fp2.fromBigTuple([BigInt(p[1][0]), BigInt(p[1][1])]) });

/** The forged proof for `inputs`, given (what the attacker believes is) delta's scalar `d`. */
function forge(vkey: VerificationKey, d: bigint, inputs: bigint[]): SnarkjsProof {
  let vkx = g1(vkey.IC[0]);
  inputs.forEach((x, i) => {
    if (x % FR !== 0n) vkx = vkx.add(g1(vkey.IC[i + 1]).multiply(x % FR));
  });
  const c = vkx.multiply(powMod(d, FR - 2n)).negate().toAffine();
  return { pi_a: vkey.vk_alpha_1, pi_b: vkey.vk_beta_2, pi_c: [c.x.toString(), c.y.toString(), "1"], protocol: "groth16", curve: "bn128" };
}

/** Whether snarkjs and the project's TS verifier (batchVerify.ts, the twin of Groth16BatchLib) accept a proof. */
async function accepted(vkey: VerificationKey, proof: SnarkjsProof, inputs: bigint[]): Promise<{ snarkjs: boolean; batchVerify: boolean }> {
  const snarkjs = await loadSnarkjs();
  return { snarkjs: await snarkjs.groth16.verify(vkey, inputs, proof), batchVerify: verifySingle(vkey, toContractProof(proof), inputs) };
}

async function sha256(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

/** snarkjs powersoftau new + contribute + prepare phase2 at 2^power (seconds), cached under build/test-zk/. */
async function ceremonyPtau(power: number): Promise<string> {
  const final = join(PTAU_DIR, `pot${power}_final.ptau`);
  if (existsSync(final)) return final;
  await mkdir(PTAU_DIR, { recursive: true });
  const snarkjs = await loadSnarkjs();
  const curve = await snarkjs.curves.getCurveFromName("bn128");
  const p0 = join(PTAU_DIR, `pot${power}_0.ptau.tmp-${process.pid}`);
  const p1 = join(PTAU_DIR, `pot${power}_1.ptau.tmp-${process.pid}`);
  const pf = `${final}.tmp-${process.pid}`;
  await snarkjs.powersOfTau.newAccumulator(curve, power, p0);
  await snarkjs.powersOfTau.contribute(p0, p1, "test ceremony", "test entropy (snarkjs adds its own)");
  await snarkjs.powersOfTau.preparePhase2(p1, pf);
  await rename(pf, final);
  await rm(p0, { force: true });
  await rm(p1, { force: true });
  return final;
}

describe("phase-2 ceremony (security finding 1: forgeable --ptau key)", function () {
  this.timeout(300_000);
  let circuit: FixtureCircuit;
  let ptau: string;
  let dev: SetupResult;
  let fixed: SetupResult;
  /** The old --ptau path (zkey new + the fixed public beacon), replicated with snarkjs. */
  let beaconOnly: string;
  let beaconOnlyVkey: VerificationKey;
  /** `zkey new` output: no phase-2 contribution at all. */
  let fresh: string;

  before(async function () {
    circuit = await compileFixture();
    ptau = await ceremonyPtau(PTAU_POWER);
    await mkdir(RUN_DIR, { recursive: true });
    dev = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", setupDir: join(RUN_DIR, "dev") });
    fixed = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau, setupDir: join(RUN_DIR, "fixed") });
    const snarkjs = await loadSnarkjs();
    fresh = join(RUN_DIR, "fixture_0000.zkey");
    beaconOnly = join(RUN_DIR, "fixture_beacon_only.zkey");
    expect(await snarkjs.zKey.newZKey(circuit.r1csPath, ptau, fresh)).to.be.instanceOf(Uint8Array);
    const ok = await snarkjs.zKey.beacon(fresh, beaconOnly, "fernet-rollup beacon", beaconHash("ptau"), BEACON_ITERATIONS_EXP);
    expect(ok).to.be.instanceOf(Uint8Array);
    beaconOnlyVkey = await snarkjs.zKey.exportVerificationKey(beaconOnly);
  });

  after(async function () {
    await closeProver();
    await rm(RUN_DIR, { recursive: true, force: true });
  });

  it("forges a proof for arbitrary public inputs against the dev key, whose delta is public", async function () {
    const d = await beaconDelta(beaconHash("dev-insecure"), BEACON_ITERATIONS_EXP);
    expect(g2(dev.vkey.vk_gamma_2).equals(G2.BASE)).to.equal(true); // snarkjs: gamma = generator
    expect(g2(dev.vkey.vk_delta_2).equals(G2.BASE.multiply(d))).to.equal(true);
    expect(await accepted(dev.vkey, forge(dev.vkey, d, CHOSEN), CHOSEN)).to.deep.equal({ snarkjs: true, batchVerify: true });
    expect(dev.provenance).to.deep.include({ mode: "dev-insecure", secretContributions: 0 });
  });

  it("forges against a beacon-only ptau key (the old --ptau path): delta follows from the public beacon", async function () {
    const d = await beaconDelta(beaconHash("ptau"), BEACON_ITERATIONS_EXP);
    expect(g2(beaconOnlyVkey.vk_delta_2).equals(G2.BASE.multiply(d))).to.equal(true);
    expect(await accepted(beaconOnlyVkey, forge(beaconOnlyVkey, d, CHOSEN), CHOSEN)).to.deep.equal({ snarkjs: true, batchVerify: true });
    expect(await readZkeyContributions(beaconOnly)).to.deep.include({ secret: 0, beacons: 1 });
  });

  it("the fixed --ptau setup adds a secret OS-entropy contribution: the beacon-derived delta is off and the forgery fails", async function () {
    expect(fixed.mode).to.equal("ptau");
    expect(fixed.provenance).to.deep.include({ mode: "ptau", secretContributions: 1, beacons: 1, ptauSha256: await sha256(ptau) });
    expect(fixed.provenance.phase2).to.deep.equal({ source: "os-entropy" });
    const c = await readZkeyContributions(fixed.zkeyPath);
    expect(c.contributions.map((x) => x.type)).to.deep.equal([0, 1]); // secret contribution, then the beacon
    const d = await beaconDelta(beaconHash("ptau"), BEACON_ITERATIONS_EXP);
    expect(g2(fixed.vkey.vk_delta_2).equals(G2.BASE.multiply(d))).to.equal(false);
    expect(await accepted(fixed.vkey, forge(fixed.vkey, d, CHOSEN), CHOSEN)).to.deep.equal({ snarkjs: false, batchVerify: false });
    // The key itself works: an honest proof verifies.
    const r = await proveBlock({ wasmPath: circuit.wasmPath, zkeyPath: fixed.zkeyPath, input: await fixtureInput(5n, 6n, 7n, 8n, 9n) });
    expect(await verifyOffchain(fixed.vkey, r.proof, r.publicSignals)).to.equal(true);
    // Nothing but the public contribution record went to disk: the setup folder holds the key, vkey and metadata.
    expect(readdirSync(join(RUN_DIR, "fixed", "fixture")).sort()).to.deep.equal(["circuit.zkey", "setup.json", "vkey.json"]);
  });

  it("each OS-entropy setup draws a new secret (two runs, two deltas); the cache keeps the first", async function () {
    const again = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau, setupDir: join(RUN_DIR, "fixed") });
    expect(again.cached).to.equal(true);
    expect(again.vkey).to.deep.equal(fixed.vkey);
    expect(again.provenance).to.deep.equal(fixed.provenance);
    const other = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau, setupDir: join(RUN_DIR, "other"), force: true });
    expect(other.vkey.vk_delta_2).to.not.deep.equal(fixed.vkey.vk_delta_2);
    expect(other.vkey.vk_alpha_1).to.deep.equal(fixed.vkey.vk_alpha_1); // same ptau: phase 1 is shared
  });

  it("refuses beacon-only and contribution-free keys (INSECURE_SETUP): import, verifier, adapter and batch exports", async function () {
    const outRoot = join(RUN_DIR, "refused");
    for (const zkeyPath of [beaconOnly, fresh]) {
      await expectZkError(setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau, zkey: zkeyPath, setupDir: join(RUN_DIR, "imp") }), "INSECURE_SETUP");
      await expectZkError(exportVerifier({ T: 2, D: 8, zkeyPath, mode: "ptau", root: outRoot, vkeyPath: join(outRoot, "vkey.json") }), "INSECURE_SETUP");
      // A provenance record claiming a contribution does not help: the export reads the zkey itself.
      await expectZkError(
        exportVerifier({ T: 2, D: 8, zkeyPath, mode: "ptau", provenance: fixed.provenance, root: outRoot, vkeyPath: join(outRoot, "vkey.json") }),
        "INSECURE_SETUP",
      );
      await expectZkError(renderVerifier(zkeyPath, "V", "ptau"), "INSECURE_SETUP");
    }
    await expectZkError(() => renderAdapter({ adapterContract: "A", verifierContract: "V", nPublic: 5, mode: "ptau", description: "x" }), "INSECURE_SETUP");
    const noSecret = { ...fixed.provenance, secretContributions: 0 };
    await expectZkError(() => setupLabel(noSecret), "INSECURE_SETUP");
    await expectZkError(exportBatchVerifier({ T: 2, D: 8, vkey: beaconOnlyVkey, outDir: outRoot, mode: "ptau" }), "INSECURE_SETUP");
    await expectZkError(exportBatchVerifier({ T: 2, D: 8, vkey: beaconOnlyVkey, outDir: outRoot, mode: "ptau", setup: noSecret, provenance: "x" }), "INSECURE_SETUP");
    expect(existsSync(outRoot)).to.equal(false); // refused before anything was written
  });

  it("imports a contributed --zkey after checking it against the r1cs and the ptau (BAD_ZKEY for a foreign key)", async function () {
    const snarkjs = await loadSnarkjs();
    // An outside contributor's key: zkey new from the same files + one contribution.
    const theirs = join(RUN_DIR, "fixture_0001.zkey");
    expect(await snarkjs.zKey.contribute(fresh, theirs, "alice", "alice's entropy")).to.be.instanceOf(Uint8Array);
    const s = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau, zkey: theirs, setupDir: join(RUN_DIR, "imp") });
    expect(s.provenance).to.deep.include({ mode: "ptau", secretContributions: 1, beacons: 1 });
    expect(s.provenance.phase2).to.deep.equal({ source: "imported-zkey", zkeySha256: await sha256(theirs) });
    const d = await beaconDelta(beaconHash("ptau"), BEACON_ITERATIONS_EXP);
    expect(await accepted(s.vkey, forge(s.vkey, d, CHOSEN), CHOSEN)).to.deep.equal({ snarkjs: false, batchVerify: false });
    const r = await proveBlock({ wasmPath: circuit.wasmPath, zkeyPath: s.zkeyPath, input: await fixtureInput(1n, 2n, 3n, 4n, 5n) });
    expect(await verifyOffchain(s.vkey, r.proof, r.publicSignals)).to.equal(true);
    // A contributed key from another ptau (the dev one) is not this ceremony's key.
    const foreign = join(RUN_DIR, "foreign.zkey");
    expect(await snarkjs.zKey.contribute(dev.zkeyPath, foreign, "mallory", "entropy")).to.be.instanceOf(Uint8Array);
    await expectZkError(setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", ptau, zkey: foreign, setupDir: join(RUN_DIR, "imp2") }), "BAD_ZKEY");
    await expectZkError(setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", zkey: theirs, setupDir: join(RUN_DIR, "imp3") }), "BAD_ARGUMENT");
  });

  it("labels every generated file and setup.json with the setup it came from", async function () {
    const hash = await sha256(ptau);
    const label = `ptau sha256:${hash} + 1 secret contribution(s) (OS entropy) + beacon`;
    expect(setupLabel(fixed.provenance)).to.equal(label);
    const root = join(RUN_DIR, "labels");
    const e = await exportVerifier({ T: 2, D: 8, zkeyPath: fixed.zkeyPath, mode: fixed.mode, provenance: fixed.provenance, root, vkeyPath: join(root, "vkey.json") });
    const verifier = await readFile(e.verifierPath, "utf8");
    const adapter = await readFile(e.adapterPath, "utf8");
    expect(verifier).to.contain(`// Setup: ${label}.`);
    expect(adapter).to.contain(`Setup: ${label}.`);
    expect(adapter).to.contain("bool public constant INSECURE_DEV_SETUP = false;");
    for (const text of [verifier, adapter]) expect(text).to.not.match(/INSECURE deterministic/);
    // The fixture circuit has 5 public inputs and the block layout for T = 2 has 7 ([oldRoot, newRoot, totalFees,
    // payee, domain, word_0, word_1]); this test is about the labels, so the fixture key's IC list is padded to 7.
    const asBlockKey = <K extends { IC: unknown[]; nPublic: number }>(k: K): K => ({ ...k, nPublic: 7, IC: [...k.IC, k.IC[1], k.IC[2]] });
    const b = await exportBatchVerifier({ T: 2, D: 8, vkey: asBlockKey(fixed.vkey), outDir: join(root, "batch"), mode: fixed.mode, setup: fixed.provenance });
    for (const f of [b.vkPath, b.verifierPath]) expect(await readFile(f, "utf8")).to.contain(`// Key: ${label}\n`);
    const meta = JSON.parse(await readFile(join(RUN_DIR, "fixed", "fixture", "setup.json"), "utf8"));
    expect(meta.result.provenance).to.deep.equal(fixed.provenance);
    // Dev: the INSECURE label, unchanged (the committed contracts/verifiers/*.sol carry it).
    expect(DEV_INSECURE_LABEL).to.match(/^INSECURE .*known secret/);
    expect(await renderVerifier(dev.zkeyPath, "V", dev.provenance)).to.contain(`// Setup: ${DEV_INSECURE_LABEL}.`);
    const db = await exportBatchVerifier({ T: 2, D: 8, vkey: asBlockKey(dev.vkey), outDir: join(root, "devbatch"), mode: dev.mode, setup: dev.provenance });
    expect(await readFile(db.verifierPath, "utf8")).to.contain(`// Key: ${DEV_INSECURE_LABEL}\n`);
  });

  it("build-circuits exits non-zero with the typed error code for a beacon-only --zkey and for --zkey without --ptau", function () {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "scripts/build-circuits.ts", "--T", "2", "--D", "8", ...args], {
        encoding: "utf8",
        env: { ...process.env, FERNET_PROVER: "snarkjs" },
        timeout: 240_000,
      });
    const noPtau = cli(["--zkey", beaconOnly]);
    expect(noPtau.status).to.equal(1);
    expect(noPtau.stderr).to.contain("error [BAD_ARGUMENT]");
    // The CI circuit (compiled by `npm test` before mocha, cached) with a beacon-only key: refused before any work.
    if (!existsSync("build/circuits/T2_D8/main.r1cs")) this.skip();
    const r = cli(["--ptau", ptau, "--zkey", beaconOnly]);
    expect(r.status, r.stdout + r.stderr).to.equal(1);
    expect(r.stderr).to.contain("error [INSECURE_SETUP]");
  });
});
