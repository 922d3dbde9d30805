/**
 * exportBatchVerifier: deterministic output written only when changed, and the checked-in generated files match
 * the cached CI key (build/setup/block_T2_D8/vkey.json).
 */
import { expect } from "chai";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportBatchVerifier, batchVerifierName } from "../../src/zk/exportBatch.js";
import { VkSolidityError } from "../../src/zk/vkSolidity.js";
import type { VerificationKey } from "../../src/zk/libs.js";

const VKEY = "build/setup/block_T2_D8/vkey.json";

describe("exportBatchVerifier", function () {
  it("writes BlockVk and BatchVerifier once, then leaves them untouched; matches the checked-in files", async function () {
    if (!existsSync(VKEY)) this.skip();
    const vkey = JSON.parse(await readFile(VKEY, "utf8")) as VerificationKey;
    const dir = await mkdtemp(join(tmpdir(), "export-batch-"));
    try {
      const first = await exportBatchVerifier({ T: 2, D: 8, vkey, outDir: dir, mode: "dev-insecure" });
      expect(first.verifierContract).to.equal("BatchVerifier_T2_D8");
      expect(first.vkLibrary).to.equal("BlockVk_T2_D8");
      expect(first.nPublic).to.equal(7); // [oldRoot, newRoot, totalFees, payee, domain] + T words
      expect(first.written).to.have.length(2);
      const mtime = (await stat(first.verifierPath)).mtimeMs;
      const again = await exportBatchVerifier({ T: 2, D: 8, vkey, outDir: dir, mode: "dev-insecure" });
      expect(again.written).to.deep.equal([]);
      expect((await stat(first.verifierPath)).mtimeMs).to.equal(mtime);
      for (const f of ["BatchVerifier_T2_D8.sol", "BlockVk_T2_D8.sol"]) {
        expect(await readFile(join(dir, f), "utf8"), f).to.equal(await readFile(join("contracts/verifiers", f), "utf8"));
      }
      // A key whose input count is not 5 + T is not this circuit's key.
      await exportBatchVerifier({ T: 3, D: 8, vkey, outDir: dir }).then(
        () => expect.fail("accepted a key with the wrong input count"),
        (err: unknown) => expect((err as VkSolidityError).code).to.equal("BAD_VKEY"),
      );
      expect(batchVerifierName(4, 16)).to.equal("BatchVerifier_T4_D16");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
