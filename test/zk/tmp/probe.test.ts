import { network } from "hardhat";
import { loadSnarkjs, releaseSnarkjsCurve } from "../../../src/zk/libs.js";
describe("probe", function () {
  it("connects", async function () {
    const { ethers } = await network.connect();
    await ethers.getSigners();
    if (process.env.PROBE_CURVE) {
      const s = await loadSnarkjs();
      await s.curves.getCurveFromName("bn128");
      await releaseSnarkjsCurve();
    }
    setTimeout(() => console.log("still alive", process.getActiveResourcesInfo()), 5000).unref();
  });
});
