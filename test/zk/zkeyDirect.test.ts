/**
 * The INSECURE dev zkey written directly from the known secrets (devZkey.ts) against snarkjs's own steps on the
 * fixture circuit: `zkey new` from the dev ptau, then the fixed `zkey beacon`, byte for byte; and the key
 * setupCircuit makes proves and verifies. (The generated Solidity verifier is checked on chain with this same key
 * in pipeline.test.ts.)
 */
import { expect } from "chai";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeDevPtau } from "../../src/zk/devPtau.js";
import { writeDevZkey } from "../../src/zk/devZkey.js";
import { beaconHash, setupCircuit } from "../../src/zk/setup.js";
import { closeProver, proveBlock, verifyOffchain } from "../../src/zk/prover.js";
import { loadSnarkjs } from "../../src/zk/libs.js";
import { compileFixture, fixtureInput, TEST_DIR, type FixtureCircuit } from "./helpers.js";

const RUN_DIR = join(TEST_DIR, `zkey-direct-${process.pid}`);
const BEACON = { name: "fernet-rollup INSECURE dev beacon", hashHex: beaconHash("dev-insecure"), iterationsExp: 10 };

async function sameBytes(a: string, b: string): Promise<void> {
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  expect(x.length).to.equal(y.length);
  expect(Buffer.compare(x, y)).to.equal(0, `${a} and ${b} differ`);
}

describe("dev zkey written from the known secrets", function () {
  let circuit: FixtureCircuit;
  const snarkjsNew = join(RUN_DIR, "snarkjs_0000.zkey");
  const snarkjsBeacon = join(RUN_DIR, "snarkjs_final.zkey");

  before(async function () {
    circuit = await compileFixture();
    // snarkjs's path: dev ptau of the circuit's power (2^8), zkey new, beacon.
    const ptau = join(RUN_DIR, "dev8.ptau");
    await writeDevPtau({ power: 8, path: ptau });
    const snarkjs = await loadSnarkjs();
    expect(await snarkjs.zKey.newZKey(circuit.r1csPath, ptau, snarkjsNew)).to.be.instanceOf(Uint8Array);
    expect(await snarkjs.zKey.beacon(snarkjsNew, snarkjsBeacon, BEACON.name, BEACON.hashHex, BEACON.iterationsExp)).to.be.instanceOf(Uint8Array);
  });

  after(async function () {
    await closeProver();
    await rm(RUN_DIR, { recursive: true, force: true });
  });

  it("equals snarkjs zkey new from the dev ptau, byte for byte", async function () {
    const path = join(RUN_DIR, "direct_0000.zkey");
    const r = await writeDevZkey({ r1csPath: circuit.r1csPath, path });
    expect(r.power).to.equal(8);
    expect(r.beaconSeconds).to.equal(0);
    await sameBytes(path, snarkjsNew);
  });

  it("setupCircuit's dev key equals zkey new + the dev beacon, and its proofs verify", async function () {
    const s = await setupCircuit({ r1csPath: circuit.r1csPath, name: "fixture", setupDir: join(RUN_DIR, "setup") });
    expect(s.mode).to.equal("dev-insecure");
    expect(s.seconds.zkeyNew).to.be.greaterThan(0);
    await sameBytes(s.zkeyPath, snarkjsBeacon);
    const snarkjs = await loadSnarkjs();
    expect(s.vkey).to.deep.equal(JSON.parse(JSON.stringify(await snarkjs.zKey.exportVerificationKey(snarkjsBeacon))));
    const p = await proveBlock({ wasmPath: circuit.wasmPath, zkeyPath: s.zkeyPath, input: await fixtureInput(2n, 3n, 4n, 5n, 6n) });
    expect(await verifyOffchain(s.vkey, p.proof, p.publicSignals)).to.equal(true);
    expect(await snarkjs.groth16.verify(s.vkey, p.publicSignals.map(String), p.snarkjsProof)).to.equal(true);
  });
});
