/**
 * The devnet at scale (issue 12): phase lengths and proving window derived from a measured proof, the throughput
 * meter's rates, and the startup check that the deployed block verifier holds the zkey's key (on an in-process
 * Hardhat chain with the CI circuit's generated verifier).
 */
import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchProvingTime, countTransfers, deriveTiming, laterHalf, pendingHeightsFor, proverThreads, rates, type ProvingMeasure } from "../../src/network/index.js";
import { VerifierMismatchError, checkDeployedVerifier, missingVkCoordinates } from "../../src/zk/verifierCheck.js";
import { buildCircuit } from "../../src/zk/build.js";
import { CI_CIRCUIT, DEVNET_SIZING } from "../../src/defaults.js";
import type { VerificationKey } from "../../src/zk/libs.js";

const proof = (seconds: number, cpuSeconds: number): ProvingMeasure => ({ T: 8, D: 16, seconds, cpuSeconds, engine: "native", source: "startup proof" });

describe("network: sizing from a measured proof", function () {
  it("maxPendingHeights for proofs in batches: the Rollup's default up to batches of 16, batch + 16 above (a batch's heights wait pending together), never above ConfigLib's 64", function () {
    expect([1, 4, 16, 17, 32, 48, 64].map(pendingHeightsFor)).to.deep.equal([32, 32, 32, 33, 48, 64, 64]);
  });

  it("a T=8 D=16 proof of 9 s on 2 cores with 2 provers: shortest phases (the commit phase holds the quote round), a window of 3 loaded proofs and a batch", function () {
    const t = deriveTiming({ proof: proof(9, 9), blockTimeMs: 2000, provers: 2, cores: 2 });
    // Under load: max(9, 2 x 9 / 2) x 1.5 = 13.5 s; ceil(3 x 13.5 / 2) = 21 blocks, plus 3 periods of 9 blocks for
    // the other heights of a batch of 4 (AGENT_DEFAULTS.proofBatchSize).
    expect(t.loadedProofSeconds).to.equal(13.5);
    expect(t.provingWindow).to.equal(21 + 3 * 9);
    expect(deriveTiming({ proof: proof(9, 9), blockTimeMs: 2000, provers: 2, cores: 2, proofBatchSize: 1 }).provingWindow).to.equal(21);
    // The provers sustain a height every max(9 / 2, 9 / 2) x 1.5 = 6.75 s: less than the shortest period, 4 + 2 +
    // (ceil(3 s quote round / 2 s) + 1) = 9 blocks: 8 transfers per 18 s.
    expect([t.proposalBlocks, t.revealBlocks, t.commitBlocks]).to.deep.equal([DEVNET_SIZING.MIN_PROPOSAL_BLOCKS, 2, 3]);
    expect(t.clockCapacityTps).to.equal(0.44);
    expect(t.derived).to.deep.equal({ phases: true, provingWindow: true });
  });

  it("a slow prover lengthens the commit phase (the period) and the window; fast blocks too", function () {
    const t = deriveTiming({ proof: proof(30, 40), blockTimeMs: 1000, provers: 1, cores: 2, proofBatchSize: 2 });
    // One prover: a height per max(30 / 1, 40 / 2) x 1.5 = 45 s = 45 blocks; proposal and reveal keep 4 and 2.
    expect([t.proposalBlocks, t.revealBlocks, t.commitBlocks]).to.deep.equal([4, 2, 39]);
    expect(t.provingWindow).to.equal(Math.ceil((DEVNET_SIZING.WINDOW_MARGIN * 45) / 1) + 45);
  });

  it("the commit phase holds the quote round: 1 s blocks and a 1.5 s round give 4/2/3 when proving keeps up", function () {
    // T=8 D=16 on this machine: about 8 s per proof, 2 provers on 2 cores: a height per 6 s of proving.
    const t = deriveTiming({ proof: proof(8, 8), blockTimeMs: 1000, provers: 2, cores: 2, quoteTimeoutMs: 1500 });
    expect([t.proposalBlocks, t.revealBlocks, t.commitBlocks]).to.deep.equal([4, 2, 3]);
    expect(t.clockCapacityTps).to.equal(0.89);
    // The agents' default round (3 s) needs a 4-block commit phase at 1 s blocks.
    expect(deriveTiming({ proof: proof(8, 8), blockTimeMs: 1000, provers: 2, cores: 2 }).commitBlocks).to.equal(4);
  });

  it("given values are kept; a tiny proof still gets the minimum window", function () {
    const t = deriveTiming({ proof: proof(0.5, 0.5), blockTimeMs: 2000, provers: 2, cores: 2, phaseBlocks: 3, proofBatchSize: 1 });
    expect([t.proposalBlocks, t.revealBlocks, t.commitBlocks]).to.deep.equal([3, 3, 3]);
    expect(t.provingWindow).to.equal(DEVNET_SIZING.MIN_PROVING_WINDOW);
    // A batch of 4 adds three of the given 9-block periods.
    expect(deriveTiming({ proof: proof(0.5, 0.5), blockTimeMs: 2000, provers: 2, cores: 2, phaseBlocks: 3 }).provingWindow).to.equal(DEVNET_SIZING.MIN_PROVING_WINDOW + 27);
    expect(t.derived).to.deep.equal({ phases: false, provingWindow: true });
    expect(deriveTiming({ proof: proof(9, 9), blockTimeMs: 2000, provers: 2, cores: 2, provingWindow: 40 }).provingWindow).to.equal(40);
  });

  it("provers share the cores: cores / M threads each, at least one", function () {
    expect([proverThreads(2, 2), proverThreads(1, 2), proverThreads(3, 2), proverThreads(0, 4)]).to.deep.equal([1, 2, 1, 4]);
  });

  it("reads the benchmark's native proving time for a size, and nothing for a size it lacks", function () {
    const dir = mkdtempSync(join(tmpdir(), "fernet-sizing-"));
    const path = join(dir, "report.json");
    writeFileSync(path, JSON.stringify({ circuits: [{ T: 8, D: 16, witnessSeconds: 0.7, proveSeconds: 17.9, nativeProveSeconds: 5.3, nativeCpuSeconds: 9.3 }] }));
    expect(benchProvingTime(8, 16, path)).to.deep.equal({ T: 8, D: 16, seconds: 6, cpuSeconds: 10, engine: "native", source: "bench/report.json" });
    expect(benchProvingTime(2, 8, path)).to.equal(undefined);
    expect(benchProvingTime(2, 8, join(dir, "missing.json"))).to.equal(undefined);
  });
});

describe("network: throughput meter", function () {
  it("counts transfers in pubdata: 20-byte slots, empty slots are zeros", function () {
    const full = "ab".repeat(20);
    expect(countTransfers("0x" + full + "00".repeat(20) + full)).to.equal(2);
    expect(countTransfers("0x")).to.equal(0);
  });

  it("rates count the heights finalized after the first finalizing L1 block, over its time and blocks", function () {
    const r = rates([
      { height: 1, transfers: 1, l1Block: 50, atSeconds: 20 },
      { height: 2, transfers: 8, l1Block: 50, atSeconds: 20 }, // finalized by the same proof: part of the baseline
      { height: 3, transfers: 8, l1Block: 56, atSeconds: 32 },
      { height: 4, transfers: 8, l1Block: 62, atSeconds: 44 },
    ]);
    expect(r).to.deep.equal({ perSecond: Math.round((16 / 24) * 1000) / 1000, perBlock: Math.round((16 / 12) * 1000) / 1000, transfers: 16, seconds: 24, blocks: 12 });
    expect(rates([{ height: 1, transfers: 8, l1Block: 50, atSeconds: 20 }]).perSecond).to.equal(0);
    // The later half starts at the middle finalization: heights 2 (baseline), 3 and 4.
    const pts = [1, 2, 3, 4].map((h) => ({ height: h, transfers: 8, l1Block: 50 + 6 * h, atSeconds: 10 * h }));
    expect(laterHalf(pts)).to.deep.equal({ perSecond: 0.8, perBlock: Math.round((16 / 12) * 1000) / 1000, transfers: 16, seconds: 20, blocks: 12 });
    expect(rates([]).transfers).to.equal(0);
  });
});

describe("zk: the deployed verifier holds the zkey's key", function () {
  this.timeout(300_000);
  let vkey: VerificationKey;
  let adapter: string;
  let provider: import("ethers").Provider;

  before(async function () {
    const b = await buildCircuit({ T: CI_CIRCUIT.T, D: CI_CIRCUIT.D });
    vkey = b.setup.vkey;
    const { ethers } = await hre.network.create();
    const f = await ethers.getContractFactory(`BlockVerifier_T${CI_CIRCUIT.T}_D${CI_CIRCUIT.D}`);
    const c = await f.deploy();
    await c.waitForDeployment();
    adapter = await c.getAddress();
    provider = ethers.provider;
  });

  it("accepts the generated verifier of the same zkey", async function () {
    await checkDeployedVerifier(provider, adapter, vkey);
  });

  it("refuses another key (another setup or depth) with the coordinates that differ", async function () {
    const other: VerificationKey = { ...vkey, vk_delta_2: [[String(BigInt(vkey.vk_delta_2[0]![0]!) + 1n), vkey.vk_delta_2[0]![1]!], vkey.vk_delta_2[1]!] };
    const err = await checkDeployedVerifier(provider, adapter, other, "other.zkey").then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(VerifierMismatchError);
    expect((err as VerifierMismatchError).code).to.equal("VERIFIER_MISMATCH");
    expect((err as VerifierMismatchError).details).to.deep.include({ missing: ["delta.x.c0"], expectedNPublic: vkey.nPublic });
    expect((err as Error).message).to.match(/does not match the zkey other\.zkey/);
  });

  it("refuses a key of another block size by its number of public inputs", async function () {
    const err = await checkDeployedVerifier(provider, adapter, { ...vkey, nPublic: vkey.nPublic + 6 }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(VerifierMismatchError);
    expect((err as Error).message).to.match(/takes \d+ public inputs, the zkey \d+ \(another block size T\)/);
  });

  it("refuses an address that is no verifier adapter", async function () {
    const err = await checkDeployedVerifier(provider, "0x" + "12".repeat(20), vkey).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(VerifierMismatchError);
  });

  it("finds every coordinate in the code by its PUSH, and none in unrelated code", function () {
    expect(missingVkCoordinates("0x6001600055", vkey).length).to.equal(2 + 3 * 4 + 2 * vkey.IC.length);
  });
});
