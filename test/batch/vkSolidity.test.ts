/**
 * src/zk/vkSolidity.ts: the generated constant-key library is deterministic, written only when changed, refuses
 * bad keys, and (compiled with Groth16BatchLib) verifies the fixture's proofs with the same key id as the TS twin.
 */
import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { flattenInputs, vkId } from "../../src/zk/batchVerify.js";
import { releaseSnarkjsCurve, type VerificationKey } from "../../src/zk/libs.js";
import { VkSolidityError, blockVkName, renderVkSolidity, vkeyToWords, writeVkSolidity } from "../../src/zk/vkSolidity.js";
import { loadBatchFixture, type BatchFixture } from "./fixture.js";
import { deployConstantKeyVerifier } from "./gas.js";

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(VkSolidityError);
    return (e as VkSolidityError).code;
  }
  return "no error";
}

describe("vkSolidity (generated constant-key library)", function () {
  let fx: BatchFixture;

  before(async function () {
    fx = await loadBatchFixture();
  });

  after(async function () {
    await releaseSnarkjsCurve();
  });

  it("renders deterministically, with the key id and the T/D name", function () {
    const a = renderVkSolidity(fx.vkey, { T: 2, D: 8 });
    const b = renderVkSolidity(JSON.parse(JSON.stringify(fx.vkey)) as VerificationKey, { T: 2, D: 8 });
    expect(a).to.equal(b);
    expect(a).to.contain("library BlockVk_T2_D8 {");
    expect(a).to.contain(`bytes32 internal constant VK_ID = ${vkId(fx.vkey)};`);
    expect(a).to.contain("uint256 internal constant N_PUBLIC = 5;");
    expect(a).to.contain('import {Groth16BatchLib} from "../libraries/Groth16BatchLib.sol";');
    expect(blockVkName(4, 16)).to.equal("BlockVk_T4_D16");
    // G2 words in precompile order: x.c1 first.
    expect(vkeyToWords(fx.vkey).beta[0]).to.equal(BigInt(fx.vkey.vk_beta_2[0][1]));
  });

  it("writes only when the content changed", async function () {
    const dir = await mkdtemp(join(tmpdir(), "vksol-"));
    try {
      const first = await writeVkSolidity(fx.vkey, { T: 2, D: 8, outDir: dir });
      expect(first).to.deep.equal({ path: join(dir, "BlockVk_T2_D8.sol"), name: "BlockVk_T2_D8", changed: true });
      expect((await writeVkSolidity(fx.vkey, { T: 2, D: 8, outDir: dir })).changed).to.equal(false);
      await writeFile(first.path, "// stale\n");
      expect((await writeVkSolidity(fx.vkey, { T: 2, D: 8, outDir: dir })).changed).to.equal(true);
      expect(await readFile(first.path, "utf8")).to.equal(renderVkSolidity(fx.vkey, { T: 2, D: 8 }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses malformed keys and names with typed errors", function () {
    const bad = (patch: Partial<VerificationKey>) => ({ ...fx.vkey, ...patch }) as VerificationKey;
    expect(codeOf(() => renderVkSolidity(bad({ protocol: "plonk" }), { T: 2, D: 8 }))).to.equal("BAD_VKEY");
    expect(codeOf(() => renderVkSolidity(bad({ nPublic: 4 }), { T: 2, D: 8 }))).to.equal("BAD_VKEY");
    const tooBig = (21888242871839275222246405745257275088696311157297823662689037894645226208583n).toString();
    expect(codeOf(() => renderVkSolidity(bad({ vk_alpha_1: [tooBig, "1", "1"] }), { T: 2, D: 8 }))).to.equal("BAD_VKEY");
    expect(codeOf(() => renderVkSolidity(fx.vkey, {}))).to.equal("BAD_NAME");
    expect(codeOf(() => renderVkSolidity(fx.vkey, { name: "1bad" }))).to.equal("BAD_NAME");
    expect(codeOf(() => blockVkName(0, 8))).to.equal("BAD_NAME");
  });

  it("compiles with Groth16BatchLib and verifies real proofs under the same key id", async function () {
    const { ethers } = await network.connect();
    const verifier = await deployConstantKeyVerifier(ethers, fx.vkey);
    const [constantId, computedId] = await verifier.getFunction("vkIds").staticCall();
    expect(constantId).to.equal(vkId(fx.vkey));
    expect(computedId).to.equal(vkId(fx.vkey));
    const ps = [await fx.prove([1n, 2n, 3n, 4n], 9n), await fx.prove([5n, 6n, 7n, 8n], 10n), await fx.prove([0n, 0n, 0n, 0n], 11n)];
    const proofs = ps.map((p) => [...p.proof]);
    const inputs = ps.map((p) => p.inputs);
    expect(await verifier.getFunction("verifyBatch").staticCall(proofs, flattenInputs(inputs))).to.equal(true);
    expect(await verifier.getFunction("verifySingle").staticCall(proofs[2], inputs[2])).to.equal(true);
    inputs[2] = [...inputs[2]];
    inputs[2][3] += 1n;
    expect(await verifier.getFunction("verifyBatch").staticCall(proofs, flattenInputs(inputs))).to.equal(false);
    expect(await verifier.getFunction("verifySingle").staticCall(proofs[2], inputs[2])).to.equal(false);
  });
});
