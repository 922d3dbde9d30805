/**
 * Batched Groth16 verification: Groth16BatchLib (through Groth16BatchHarness) and its TypeScript twin
 * src/zk/batchVerify.ts, on real proofs of the test fixture circuit (5 public inputs, like the T=2 block circuit).
 */
import { expect } from "chai";
import { network } from "hardhat";
// Deterministic PRNG (mulberry32) so failures reproduce; the scenario runner seeds its transaction load with it too.
import { seededRandom } from "../../src/scenario/random.js";
import { bn254 } from "@noble/curves/bn254.js";
import {
  BatchVerifyError,
  FIELD_P,
  FIELD_R,
  batchCoefficients,
  batchSeed,
  findInvalid,
  flattenInputs,
  rerandomizeProof,
  selectBatch,
  verifyBatch,
  verifyBatchWithCoefficients,
  verifySingle,
  vkFlatWords,
  vkId,
  type PostedProof,
} from "../../src/zk/batchVerify.js";
import { releaseSnarkjsCurve } from "../../src/zk/libs.js";
import { loadBatchFixture, type BatchFixture } from "./fixture.js";
import { makeBatch, measureBatchGas, type ProofSample } from "./gas.js";

type Mutation = (p: bigint[], x: bigint[], other: ProofSample) => void;

/** A G2 point on the twist but outside the prime-order subgroup (the precompile must refuse it). */
function g2OutsideSubgroup(): bigint[] {
  const { Fp2 } = bn254.fields;
  const b = bn254.G2.Point.CURVE().b;
  for (let i = 1n; ; i++) {
    const x = Fp2.fromBigTuple([i, 1n]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let y;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue;
    }
    const pt = bn254.G2.Point.fromAffine({ x, y });
    if (pt.isTorsionFree()) continue;
    return [x.c1, x.c0, y.c1, y.c0];
  }
}

/** Ways to spoil one proof; each must make the proof (and any batch holding it) invalid. */
const MUTATIONS: Record<string, Mutation> = {
  "wrong public input": (_p, x) => {
    x[2] = (x[2] + 1n) % FIELD_R;
  },
  "public input >= r": (_p, x) => {
    x[0] += FIELD_R;
  },
  "proof for other inputs": (p, x, other) => {
    p.splice(0, 8, ...other.proof);
  },
  "A coordinate >= p (malformed)": (p) => {
    p[0] += FIELD_P;
  },
  "A not on the curve": (p) => {
    p[1] = (p[1] + 1n) % FIELD_P;
  },
  "A at infinity": (p) => {
    p[0] = 0n;
    p[1] = 0n;
  },
  "B coordinate >= p (malformed)": (p) => {
    p[3] += FIELD_P;
  },
  "B not on the twist": (p) => {
    p[2] = (p[2] + 1n) % FIELD_P;
  },
  "B outside the subgroup": (p) => {
    p.splice(2, 4, ...g2OutsideSubgroup());
  },
  "B at infinity": (p) => {
    p.splice(2, 4, 0n, 0n, 0n, 0n);
  },
  "C not on the curve": (p) => {
    p[7] = (p[7] + 3n) % FIELD_P;
  },
  "C replaced by another valid point": (p) => {
    const c = bn254.G1.Point.fromAffine({ x: p[6], y: p[7] }).double().toAffine();
    p[6] = c.x;
    p[7] = c.y;
  },
};

describe("batched Groth16 verification (Groth16BatchLib + TS twin)", function () {
  let fx: BatchFixture;
  let samples: ProofSample[];
  let ethers: Awaited<ReturnType<typeof network.connect>>["ethers"];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let harness: any;

  before(async function () {
    fx = await loadBatchFixture();
    samples = [];
    for (let i = 0; i < 6; i++) samples.push(await fx.prove([BigInt(i + 1), 1000n + BigInt(i), BigInt(i) << 150n, 7n * BigInt(i)], 31n + BigInt(i)));
    ({ ethers } = await network.connect());
    harness = await ethers.deployContract("Groth16BatchHarness", [vkFlatWords(fx.vkey)]);
  });

  after(async function () {
    await releaseSnarkjsCurve();
  });

  /** Both verifiers on one batch; they must agree, and the result is returned. */
  async function both(proofs: bigint[][], inputs: bigint[][]): Promise<boolean> {
    const ts = verifyBatch(fx.vkey, proofs, inputs);
    const sol = (await harness.verifyBatch(proofs, flattenInputs(inputs))) as boolean;
    expect(sol, "contract and TS twin disagree").to.equal(ts);
    return ts;
  }

  function copyBatch(n: number): { proofs: bigint[][]; inputs: bigint[][] } {
    return { proofs: samples.slice(0, n).map((s) => [...s.proof]), inputs: samples.slice(0, n).map((s) => [...s.inputs]) };
  }

  it("uses the same key id and Fiat-Shamir coefficients as the contract", async function () {
    expect(await harness.vkId()).to.equal(vkId(fx.vkey));
    const { proofs, inputs } = copyBatch(5);
    const [seed, coeffs] = await harness.coefficients(proofs, flattenInputs(inputs));
    expect(seed).to.equal(batchSeed(fx.vkey, proofs, inputs));
    expect(coeffs.map((c: bigint) => BigInt(c))).to.deep.equal(batchCoefficients(fx.vkey, proofs, inputs));
    const c = batchCoefficients(fx.vkey, proofs, inputs);
    expect(c[0]).to.equal(1n);
    for (const r of c.slice(1)) expect(r > 1n && r < 1n << 128n).to.equal(true);
    // Any change to a proof or an input changes every coefficient after r_0.
    inputs[4][4] += 1n;
    expect(batchCoefficients(fx.vkey, proofs, inputs)[1]).to.not.equal(c[1]);
  });

  for (const n of [1, 2, 5]) {
    it(`accepts an all-valid batch of ${n}`, async function () {
      const { proofs, inputs } = copyBatch(n);
      expect(await both(proofs, inputs)).to.equal(true);
      expect(findInvalid(fx.vkey, proofs, inputs)).to.deep.equal([]);
    });
  }

  it("accepts re-randomized proofs and a batch repeating one statement", async function () {
    const { proofs, inputs } = makeBatch(samples.slice(0, 2), 6);
    expect(await both(proofs, inputs)).to.equal(true);
  });

  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    it(`rejects a batch with one invalid proof: ${name}`, async function () {
      const { proofs, inputs } = copyBatch(3);
      const bad = name === "proof for other inputs" ? 2 : 1;
      mutate(proofs[bad], inputs[bad], samples[5]);
      expect(await both(proofs, inputs)).to.equal(false);
      // The single path locates it, in TS and on chain.
      expect(findInvalid(fx.vkey, proofs, inputs)).to.deep.equal([bad]);
      expect(verifySingle(fx.vkey, proofs[bad], inputs[bad])).to.equal(false);
      expect(await harness.verifySingle(proofs[bad], inputs[bad])).to.equal(false);
      expect(await harness.verifySingle(proofs[0], inputs[0])).to.equal(true);
      // Alone (n = 1, r_0 = 1) it is rejected too.
      expect(await both([proofs[bad]], [inputs[bad]])).to.equal(false);
    });
  }

  it("needs coefficients the aggregator cannot choose: two compensating bad proofs pass with r = (1, 1)", async function () {
    // C + E and C - E: each proof is invalid, their errors cancel in a plain sum.
    const s = samples[0];
    const C = bn254.G1.Point.fromAffine({ x: s.proof[6], y: s.proof[7] });
    const E = bn254.G1.Point.BASE.multiply(123456789n);
    const plus = C.add(E).toAffine();
    const minus = C.subtract(E).toAffine();
    const p1 = [...s.proof.slice(0, 6), plus.x, plus.y];
    const p2 = [...s.proof.slice(0, 6), minus.x, minus.y];
    const inputs = [[...s.inputs], [...s.inputs]];
    expect(verifySingle(fx.vkey, p1, inputs[0])).to.equal(false);
    expect(verifySingle(fx.vkey, p2, inputs[1])).to.equal(false);
    expect(verifyBatchWithCoefficients(fx.vkey, [p1, p2], inputs, [1n, 1n])).to.equal(true);
    expect(await both([p1, p2], inputs)).to.equal(false);
  });

  it("agrees with the contract on random valid and invalid batches (differential)", async function () {
    const rnd = seededRandom(20261122);
    const names = Object.keys(MUTATIONS);
    let valid = 0;
    let invalid = 0;
    for (let round = 0; round < 10; round++) {
      const n = 1 + Math.floor(rnd() * 4);
      const { proofs, inputs } = makeBatch(samples.slice(0, 5), n);
      let spoiled = false;
      for (let i = 0; i < n; i++) {
        if (rnd() < 0.2) {
          MUTATIONS[names[Math.floor(rnd() * names.length)]](proofs[i], inputs[i], samples[5]);
          spoiled = true;
        }
      }
      expect(await both(proofs, inputs), `round ${round}`).to.equal(!spoiled);
      if (spoiled) invalid++;
      else valid++;
    }
    expect(valid).to.be.greaterThan(0);
    expect(invalid).to.be.greaterThan(0);
  });

  it("reverts on shape errors (and the TS twin throws typed errors)", async function () {
    const { proofs, inputs } = copyBatch(2);
    await expect(harness.verifyBatch([], [])).to.be.revertedWithCustomError(harness, "Groth16BatchLib__EmptyBatch");
    await expect(harness.verifyBatch(proofs, flattenInputs(inputs).slice(1)))
      .to.be.revertedWithCustomError(harness, "Groth16BatchLib__PublicInputsLengthMismatch")
      .withArgs(10, 9);
    await expect(harness.verifySingle(proofs[0], inputs[0].slice(1)))
      .to.be.revertedWithCustomError(harness, "Groth16BatchLib__PublicInputsLengthMismatch")
      .withArgs(5, 4);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).to.be.instanceOf(BatchVerifyError);
        return (e as BatchVerifyError).code;
      }
      return "no error";
    };
    expect(code(() => verifyBatch(fx.vkey, [], []))).to.equal("EMPTY_BATCH");
    expect(code(() => verifyBatch(fx.vkey, proofs, [inputs[0], inputs[1].slice(1)]))).to.equal("INPUT_LENGTH");
    expect(code(() => verifyBatch(fx.vkey, [proofs[0].slice(1)], [inputs[0]]))).to.equal("BAD_PROOF_SHAPE");
    expect(code(() => verifyBatch({ ...fx.vkey, protocol: "plonk" }, proofs, inputs))).to.equal("BAD_VKEY");
  });

  it("never reports a valid batch invalid for lack of gas (InsufficientGas or out-of-gas instead)", async function () {
    const { proofs, inputs } = makeBatch(samples, 3);
    const flat = flattenInputs(inputs);
    const need = Number(await harness.verifyBatch.estimateGas(proofs, flat));
    let reverted = 0;
    let insufficient = 0;
    for (let g = Math.floor(need * 0.3); g < need; g += Math.floor(need / 40)) {
      try {
        expect(await harness.verifyBatch.staticCall(proofs, flat, { gasLimit: g }), `gas ${g}`).to.equal(true);
      } catch (e) {
        reverted++;
        if (String((e as { data?: string }).data ?? (e as Error).message).includes("9c306a78")) insufficient++;
      }
    }
    expect(reverted).to.be.greaterThan(0);
    expect(insufficient, "the InsufficientGas guard was never hit").to.be.greaterThan(0);
  });

  it("measures gas: batches beat single snarkjs verifications", async function () {
    const report = await measureBatchGas({ ethers, vkey: fx.vkey, samples, sizes: [1, 2, 4] });
    console.log("      batch gas:", report.batch.map((b) => `n=${b.n}: ${b.gas}`).join(", "));
    console.log(`      snarkjs single: ${report.snarkjsSingleGas}, library single: ${report.libSingleGas}, marginal/proof: ${report.marginalPerProof} (exec ${report.marginalExecPerProof})`);
    const g = (n: number) => report.batch.find((b) => b.n === n)!.gas;
    expect(g(4)).to.be.lessThan(2 * report.snarkjsSingleGas);
    expect(g(2)).to.be.lessThan(g(4));
    // The single path does the snarkjs verifier's precompile work plus a little bookkeeping.
    expect(report.libSingleGas).to.be.lessThan(report.snarkjsSingleGas * 1.05);
    // One pairing (34,000) + two scalar multiplications (6,000 each) + one addition per extra proof, plus its
    // calldata; everything else per proof must stay small.
    expect(report.marginalExecPerProof).to.be.lessThan(48_500);
    expect(report.marginalExecPerProof).to.be.greaterThan(46_150);
  });

  describe("selectBatch", function () {
    const posted = (h: number): PostedProof => ({ height: BigInt(h), proof: samples[0].proof, inputs: samples[0].inputs });

    it("takes the contiguous run from the next unverified height, capped", function () {
      const ps = [5, 3, 4, 6, 8, 9].map(posted);
      expect(selectBatch(ps, { nextHeight: 3n }).map((p) => p.height)).to.deep.equal([3n, 4n, 5n, 6n]);
      expect(selectBatch(ps, { nextHeight: 3n, maxBatch: 2 }).map((p) => p.height)).to.deep.equal([3n, 4n]);
      expect(selectBatch(ps, { nextHeight: 2n })).to.deep.equal([]);
      expect(selectBatch(ps, { nextHeight: 8n, minBatch: 3 })).to.deep.equal([]);
      expect(selectBatch(ps, { nextHeight: 3n, exclude: new Set([5n]) }).map((p) => p.height)).to.deep.equal([3n, 4n]);
    });

    it("refuses duplicate heights and bad options", function () {
      expect(() => selectBatch([posted(1), posted(1)], { nextHeight: 1n })).to.throw(BatchVerifyError);
      expect(() => selectBatch([posted(1)], { nextHeight: 1n, maxBatch: 0 })).to.throw(BatchVerifyError);
    });
  });

  it("re-randomization refuses k outside [1, r)", function () {
    expect(() => rerandomizeProof(samples[0].proof, 0n)).to.throw(BatchVerifyError);
    expect(() => rerandomizeProof(samples[0].proof, FIELD_R)).to.throw(BatchVerifyError);
  });
});
