/**
 * The devnet summary's gas accounting (gasOfSettledHeights, src/agents/devnet.ts): only the transactions of heights
 * up to the last finalized one (and those that serve no height) count toward the gas of a finalized height.
 */
import { expect } from "chai";
import { gasOfSettledHeights } from "../../src/agents/devnet.js";
import type { L1TxRecord } from "../../src/agents/common.js";

const tx = (method: string, gasUsed: bigint, height?: bigint): L1TxRecord => ({ actor: "a", address: "0x01", method, height, gasUsed, l1Block: 1, ok: true });

describe("agents/devnet: gas per finalized height", function () {
  const records = [
    tx("propose", 160_000n, 1n), tx("propose", 166_000n, 1n), tx("reveal", 104_000n, 1n), tx("commitProver", 337_000n, 1n), tx("submitProof", 473_000n, 1n),
    tx("propose", 163_000n, 2n), tx("reveal", 104_000n, 2n), tx("commitProver", 337_000n, 2n), tx("submitProof", 473_000n, 2n), tx("release", 64_000n, 2n),
    // Height 3 is still in flight when the run ends: proposed and revealed, not finalized.
    tx("propose", 163_000n, 3n), tx("reveal", 104_000n, 3n),
    // Serves no height (a claim): always counted.
    tx("claim", 40_000n),
  ];

  it("leaves out the heights after the last finalized one, keeps the transactions of no height", function () {
    const r = gasOfSettledHeights(records, 2n, 2);
    const counted = 160_000 + 166_000 + 104_000 + 337_000 + 473_000 + 163_000 + 104_000 + 337_000 + 473_000 + 64_000 + 40_000;
    expect(r.perHeight).to.equal(Math.round(counted / 2));
    expect(r.byMethod.propose).to.deep.equal({ perHeight: 1.5, avgGas: 163_000 });
    expect(r.byMethod.reveal).to.deep.equal({ perHeight: 1, avgGas: 104_000 });
    expect(r.byMethod.release).to.deep.equal({ perHeight: 0.5, avgGas: 64_000 });
    expect(r.byMethod.claim).to.deep.equal({ perHeight: 0.5, avgGas: 40_000 });
    // All the gas over the finalized heights (l1GasPerBlock) overstates it by height 3's work.
    const all = records.reduce((s, t) => s + Number(t.gasUsed), 0);
    expect(Math.round(all / 2)).to.be.greaterThan(r.perHeight);
  });

  it("divides by the finalized heights, not by the last finalized height (empty heights cost what they cost)", function () {
    // Heights 1 and 2 decided, only height 2 finalized (height 1 was empty, say): the gas of both goes to height 2.
    expect(gasOfSettledHeights(records, 2n, 1).perHeight).to.equal(2 * gasOfSettledHeights(records, 2n, 2).perHeight);
  });

  it("is zero with nothing finalized", function () {
    expect(gasOfSettledHeights(records, 0n, 0)).to.deep.equal({ perHeight: 0, byMethod: {} });
  });

  it("from a height on (the steady state once the storage rings turned): only the heights in range, no height-less transactions", function () {
    const r = gasOfSettledHeights(records, 2n, 1, 2n);
    const counted = 163_000 + 104_000 + 337_000 + 473_000 + 64_000; // height 2's; not height 1's, 3's or the claim
    expect(r.perHeight).to.equal(counted);
    expect(r.byMethod.propose).to.deep.equal({ perHeight: 1, avgGas: 163_000 });
    expect(r.byMethod.claim).to.equal(undefined);
  });
});
