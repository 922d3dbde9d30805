/** PublicInputsLib (Solidity) against its TypeScript twin src/l2/publicInputs.ts. */
import { expect } from "chai";
import { randomBytes } from "ethers";
import { ethers, networkHelpers } from "./helpers.js";
import { blockPublicInputs } from "../../src/l2/publicInputs.js";

async function harnessFixture() {
  return ethers.deployContract("PublicInputsHarness");
}

describe("PublicInputsLib", function () {
  it("matches src/l2 on random and extreme pubdata for several T", async function () {
    const h = await networkHelpers.loadFixture(harnessFixture);
    for (const T of [1, 2, 4, 8]) {
      for (const fill of ["random", "ones", "zeros"] as const) {
        const pubdata = fill === "random" ? randomBytes(20 * T) : new Uint8Array(20 * T).fill(fill === "ones" ? 0xff : 0);
        const oldRoot = 5n;
        const newRoot = 7n;
        const sol = await h.compute(oldRoot, newRoot, pubdata, T);
        expect([...sol]).to.deep.equal(blockPublicInputs(oldRoot, newRoot, pubdata));
        expect(sol.length).to.equal(3 + T);
      }
    }
  });

  it("rejects pubdata whose length is not 20 * T", async function () {
    const h = await networkHelpers.loadFixture(harnessFixture);
    await expect(h.compute(0n, 0n, new Uint8Array(39), 2)).to.be.revertedWithCustomError(h, "BadPubdataLength").withArgs(39n, 40n);
  });
});
