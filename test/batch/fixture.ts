/**
 * Real Groth16 proofs for the batch-verifier tests, from a tiny test-only circuit with the CI block circuit's
 * public input count (T=2: 5 inputs): test/batch/fixtures/batch_fixture.circom. Compiled with circom2 and set up
 * with snarkjs at 2^8 (a few seconds), cached under build/batch-fixture/ and rebuilt when the circuit changes.
 * The setup is a test fixture (a fixed entropy string and a fixed beacon): not secure, never used for value.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { loadSnarkjs, type MemFile, type VerificationKey } from "../../src/zk/libs.js";
import { toContractProof } from "../../src/zk/proof.js";
import { BN254_SCALAR_MODULUS as FIELD_R } from "../../src/protocol.js";
import type { ProofWords } from "../../src/zk/batchVerify.js";

const require = createRequire(import.meta.url);
const CIRCUIT = "test/batch/fixtures/batch_fixture.circom";
const OUT = "build/batch-fixture";
const POWER = 8;

/** The fixture: key and a prover for the fixture statement. */
export interface BatchFixture {
  vkey: VerificationKey;
  zkeyPath: string;
  /** Proves x[4] = w^2 + x[0] + x[1] + x[2] + x[3] for the given x[0..3] and w; returns contract words. */
  prove(x: readonly bigint[], w: bigint): Promise<{ proof: ProofWords; inputs: bigint[] }>;
}

let cached: Promise<BatchFixture> | undefined;

/** Builds (or loads from build/batch-fixture/) the fixture once per process. */
export function loadBatchFixture(): Promise<BatchFixture> {
  cached ??= build();
  return cached;
}

async function build(): Promise<BatchFixture> {
  const snarkjs = await loadSnarkjs();
  const source = await readFile(CIRCUIT, "utf8");
  const stamp = createHash("sha256").update(source).update(`power ${POWER}`).digest("hex");
  const stampPath = join(OUT, "stamp");
  const r1cs = join(OUT, "batch_fixture.r1cs");
  const wasm = join(OUT, "batch_fixture_js", "batch_fixture.wasm");
  const zkey = join(OUT, "batch_fixture.zkey");
  const vkeyPath = join(OUT, "verification_key.json");
  const fresh = existsSync(stampPath) && (await readFile(stampPath, "utf8")) === stamp && [r1cs, wasm, zkey, vkeyPath].every(existsSync);
  if (!fresh) {
    await rm(OUT, { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
    // circom2 only sees the current folder and its parents: run from the project root with relative paths.
    const res = spawnSync(process.execPath, [require.resolve("circom2/cli.js"), CIRCUIT, "--r1cs", "--wasm", "-l", "node_modules", "-o", OUT], {
      encoding: "utf8",
    });
    if (res.status !== 0) throw new Error(`circom2 failed on ${CIRCUIT}: ${res.stderr || res.stdout}`);
    const curve = await snarkjs.curves.getCurveFromName("bn128");
    const p0 = join(OUT, "pot_0.ptau");
    const p1 = join(OUT, "pot_1.ptau");
    const pf = join(OUT, "pot_final.ptau");
    const z0 = join(OUT, "batch_fixture_0.zkey");
    await snarkjs.powersOfTau.newAccumulator(curve, POWER, p0);
    await snarkjs.powersOfTau.contribute(p0, p1, "batch fixture (insecure)", "fernet-rollup batch fixture entropy");
    await snarkjs.powersOfTau.preparePhase2(p1, pf);
    await snarkjs.zKey.newZKey(r1cs, pf, z0);
    await snarkjs.zKey.beacon(z0, zkey, "batch fixture beacon", "0102030405060708090a0b0c0d0e0f10", 10);
    await writeFile(vkeyPath, JSON.stringify(await snarkjs.zKey.exportVerificationKey(zkey), null, 1));
    await writeFile(stampPath, stamp);
  }
  const vkey = JSON.parse(await readFile(vkeyPath, "utf8")) as VerificationKey;
  return {
    vkey,
    zkeyPath: zkey,
    async prove(x, w) {
      if (x.length !== 4) throw new Error("the fixture takes x[0..3]");
      const x4 = (w * w + x[0] + x[1] + x[2] + x[3]) % FIELD_R;
      const input = { x: [...x, x4].map(String), w: String(w) };
      const wtns: MemFile = { type: "mem" };
      await snarkjs.wtns.calculate(input, wasm, wtns);
      const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns);
      return { proof: toContractProof(proof), inputs: publicSignals.map((s) => BigInt(s)) };
    },
  };
}
