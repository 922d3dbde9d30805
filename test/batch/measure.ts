/**
 * Prints the batch-verification gas table (n = 1 .. 64) for the test fixture key as JSON:
 * `npx hardhat run test/batch/measure.ts`. The benchmark calls `measureBatchGas` itself with the real block key.
 */
import { network } from "hardhat";
import { releaseSnarkjsCurve } from "../../src/zk/libs.js";
import { loadBatchFixture } from "./fixture.js";
import { measureBatchGas, type ProofSample } from "./gas.js";

const fx = await loadBatchFixture();
const samples: ProofSample[] = [];
// Inputs of full size (like state roots), so that their calldata cost is realistic.
for (let i = 0; i < 4; i++) samples.push(await fx.prove([1n + BigInt(i) << 250n, 3n << 200n, 5n << 180n, BigInt(i) << 159n], 77n + BigInt(i)));
const { ethers } = await network.connect();
const report = await measureBatchGas({ ethers, vkey: fx.vkey, samples });
await releaseSnarkjsCurve();
const rows = report.batch.map((b) => ({
  ...b,
  perProof: Math.round(b.gas / b.n),
  vsSnarkjs: +((b.n * report.snarkjsSingleGas) / b.gas).toFixed(2),
}));
console.log(JSON.stringify({ ...report, batch: rows }, null, 1));
