/** PublicInputsLib (Solidity) against its TypeScript twin src/l2/publicInputs.ts. */
import { expect } from "chai";
import { randomBytes } from "ethers";
import { ethers, networkHelpers } from "./helpers.js";
import { blockPublicInputs } from "../../src/l2/publicInputs.js";
import { l2Domain } from "../../src/l2/transaction.js";

async function harnessFixture() {
  return ethers.deployContract("PublicInputsHarness");
}

describe("PublicInputsLib", function () {
  it("matches src/l2 on random and extreme pubdata, payees and domains for several T", async function () {
    const h = await networkHelpers.loadFixture(harnessFixture);
    const payees = [0n, 1n, 2n ** 160n - 1n, BigInt("0x" + Buffer.from(randomBytes(20)).toString("hex"))];
    const domains = [0n, l2Domain(31337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3"), l2Domain(2n ** 90n - 1n, "0x" + "ff".repeat(20))];
    let k = 0;
    for (const T of [1, 2, 4, 8]) {
      for (const fill of ["random", "ones", "zeros"] as const) {
        const pubdata = fill === "random" ? randomBytes(20 * T) : new Uint8Array(20 * T).fill(fill === "ones" ? 0xff : 0);
        const oldRoot = 5n;
        const newRoot = 7n;
        const payee = payees[k % payees.length]!;
        const domain = domains[k % domains.length]!;
        k++;
        const sol = await h.compute(oldRoot, newRoot, payee, domain, pubdata, T);
        const ts = blockPublicInputs(oldRoot, newRoot, pubdata, payee, domain);
        expect([...sol]).to.deep.equal(ts);
        expect(sol.length).to.equal(5 + T);
        expect([sol[3], sol[4]]).to.deep.equal([payee, domain]);
        expect(await h.totalFees(pubdata, T)).to.equal(ts[2]);
      }
    }
  });

  it("rejects pubdata whose length is not 20 * T", async function () {
    const h = await networkHelpers.loadFixture(harnessFixture);
    await expect(h.compute(0n, 0n, 0n, 0n, new Uint8Array(39), 2)).to.be.revertedWithCustomError(h, "Rollup__BadPubdataLength").withArgs(39n, 40n);
  });
});
