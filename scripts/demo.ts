/**
 * `npm run demo`: the foundation's vertical slice, end to end (one block, one proof, one on-chain check).
 *
 *   1. build the block circuit (compile + deterministic INSECURE dev setup + Solidity verifier; cached)
 *   2. execute a sample L2 block of real EdDSA-signed transfers in TypeScript
 *   3. prove it with snarkjs (off the main thread)
 *   4. deploy the generated verifier to Hardhat's in-process chain and verify the proof there
 *   5. show that the same proof is rejected with a tampered public input (fees, and another payee)
 *
 *   npm run demo -- [--T 2] [--D 8] [--ptau FILE [--zkey FILE]]   (see scripts/build-circuits.ts)
 */
import { parseArgs } from "node:util";
import hre from "hardhat";
import { buildCircuit } from "../src/zk/build.js";
import { setupLabel } from "../src/zk/setup.js";
import { closeProver, proveBlock, verifyOffchain } from "../src/zk/prover.js";
import { sampleBlock } from "../src/l2/sample.js";
import { withPayee } from "../src/l2/block.js";

/** The address the demo's proof pays (Hardhat's first dev account); any prover binds its own. */
const PAYEE = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { T: { type: "string", default: "2" }, D: { type: "string", default: "8" }, ptau: { type: "string" }, zkey: { type: "string" } },
    strict: true,
  });
  const T = Number(values.T);
  const D = Number(values.D);
  if (!Number.isInteger(T) || T < 1) fail(`--T must be a positive integer, got "${values.T}"`);
  if (!Number.isInteger(D) || D < 2) fail(`--D must be an integer >= 2, got "${values.D}"`);
  const started = performance.now();
  const log = (m: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);

  log(`1/5 building the block circuit T=${T} D=${D}`);
  const build = await buildCircuit({ T, D, ptau: values.ptau, zkey: values.zkey, onProgress: (m) => log(`    ${m}`) });
  log(`    ${build.setup.nConstraints} constraints, setup: ${setupLabel(build.setup.provenance)}`);

  log("2/5 executing a sample block of signed transfers");
  const { block, accounts } = await sampleBlock(T, D);
  log(`    ${block.txs.length} transfers between ${accounts} genesis accounts, fees ${block.totalFees}`);
  log(`    old root ${hex(block.oldRoot)}`);
  log(`    new root ${hex(block.newRoot)}`);

  log(`3/5 proving (witness + Groth16, snarkjs in a worker), paying ${PAYEE}`);
  const paid = withPayee(block.circuitInput, PAYEE);
  const proved = await proveBlock({
    wasmPath: build.wasmPath,
    zkeyPath: build.setup.zkeyPath,
    input: paid.circuitInput as unknown as Record<string, unknown>,
    onProgress: (phase) => log(`    ${phase}`),
  });
  log(`    witness ${proved.witnessSeconds.toFixed(2)} s, prove ${proved.proveSeconds.toFixed(2)} s`);
  const same = proved.publicSignals.length === paid.publicInputs.length && proved.publicSignals.every((s, i) => s === paid.publicInputs[i]);
  if (!same) fail("the circuit's public signals differ from the TypeScript public inputs");
  if (!(await verifyOffchain(build.setup.vkey, proved.proof, proved.publicSignals))) fail("snarkjs rejected the proof off chain");
  log("    snarkjs accepts the proof off chain; public signals equal the TypeScript public inputs");

  log("4/5 verifying on Hardhat's in-process chain with the generated verifier");
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const { ethers } = await hre.network.create();
  // The adapter deploys the generated snarkjs verifier itself, so the pair cannot be miswired.
  const adapter = await ethers.deployContract(build.artifacts.adapterContract);
  const ok: boolean = await adapter.verifyBlockProof(proved.proof, paid.publicInputs);
  const gas = await adapter.verifyBlockProof.estimateGas(proved.proof, paid.publicInputs);
  if (!ok) fail("the generated verifier rejected a valid proof");
  log(`    ${build.artifacts.adapterContract}.verifyBlockProof -> true (estimated gas of the call ${gas})`);

  log("5/5 the same proof with a tampered public input (totalFees + 1)");
  const tampered = [...paid.publicInputs];
  tampered[2] += 1n;
  const bad: boolean = await adapter.verifyBlockProof(proved.proof, tampered);
  if (bad) fail("the verifier accepted a tampered public input");
  log("    verifyBlockProof -> false, as it must");
  const otherPayee = [...paid.publicInputs];
  otherPayee[3] = BigInt("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  if (await adapter.verifyBlockProof(proved.proof, otherPayee)) fail("the verifier accepted the proof for another payee");
  log("    the same proof for another payee -> false (a copied proof pays its author or nobody)");
  log("done: a real Groth16 proof of a real L2 block, accepted on chain by the generated verifier");
  await closeProver();
}

function hex(v: bigint): string {
  return "0x" + v.toString(16).padStart(64, "0");
}

main().catch(async (err) => {
  console.error(err instanceof Error ? `error: ${err.message}` : err);
  await closeProver().catch(() => {});
  process.exit(1);
});
