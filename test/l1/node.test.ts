/**
 * src/l1 without a node: what counts as "no such method" in a probe answer, the devnet's stall watchdog, and the
 * keys of a non-local node (keystore with its password from the environment, FERNET_DEPLOYER_KEY, derived agent keys).
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { isMissingMethod, L1StallError } from "../../src/l1/node.js";
import { ProgressWatch } from "../../src/l1/stall.js";
import { DEPLOYER_KEY_ENV, KEYSTORE_PASSWORD_ENV, derivedWallet, loadDeployerKey } from "../../src/l1/keys.js";

describe("l1: node capabilities, stall watchdog, keys", () => {
  it("tells a missing method from one refused for its (deliberately bad) parameters", () => {
    expect(isMissingMethod({ error: { code: -32601, message: "Method not found" } })).to.equal(true);
    expect(isMissingMethod({ error: { code: -32004, message: "Method anvil_mine is not supported" } })).to.equal(true);
    expect(isMissingMethod({ error: { code: -32000, message: "the method evm_mine does not exist/is not available" } })).to.equal(true);
    expect(isMissingMethod({ error: { code: -32602, message: "invalid length 0, expected struct ReorgOptions with 2 elements" } })).to.equal(false);
    expect(isMissingMethod({ error: { code: -32602, message: "not supported" } })).to.equal(false);
    expect(isMissingMethod({ result: null })).to.equal(false);
  });

  it("the watchdog fails on N L1 blocks without progress, and on no block for too long, saying which", () => {
    let now = 0;
    const w = new ProgressWatch({ stallBlocks: 5, noBlockMs: 10_000, now: () => now });
    w.observe(100, "tip 1", "s");
    for (let b = 101; b < 105; b++) w.observe(b, "tip 1", "s");
    w.observe(105, "tip 2", "s"); // progress resets the count
    for (let b = 106; b < 110; b++) w.observe(b, "tip 2", "s");
    expect(() => w.observe(110, "tip 2", "state here")).to.throw(L1StallError, /no progress in 5 L1 blocks \(blocks 105..110\).*state here/);

    const quiet = new ProgressWatch({ stallBlocks: 50, noBlockMs: 10_000, now: () => now });
    quiet.observe(7, "a", "s");
    now = 9_000;
    quiet.observe(7, "a", "s");
    now = 10_001;
    expect(() => quiet.observe(7, "a", "s")).to.throw(L1StallError, /no new L1 block in 10 s \(head 7\)/);
  });

  it("loads the deployer key from a keystore (password from the environment) or FERNET_DEPLOYER_KEY", async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), "fernet-keys-"));
    try {
      const w = Wallet.createRandom();
      const file = join(dir, "deployer.json");
      writeFileSync(file, w.encryptSync("pw"));
      expect(await loadDeployerKey({ keystore: file, env: { [KEYSTORE_PASSWORD_ENV]: "pw" } })).to.equal(w.privateKey);
      await loadDeployerKey({ keystore: file, env: {} }).then(() => expect.fail("no password"), (e: Error) => expect(e.message).to.include(KEYSTORE_PASSWORD_ENV));
      await loadDeployerKey({ keystore: file, env: { [KEYSTORE_PASSWORD_ENV]: "wrong" } }).then(() => expect.fail("wrong password"), (e: Error) => expect(e.message).to.include("cannot decrypt"));
      expect(await loadDeployerKey({ env: { [DEPLOYER_KEY_ENV]: w.privateKey.slice(2) } })).to.equal(w.privateKey);
      expect(await loadDeployerKey({ env: {} })).to.equal(undefined);
      await loadDeployerKey({ env: { [DEPLOYER_KEY_ENV]: "0x1234" } }).then(() => expect.fail("bad key"), (e: Error) => expect(e.message).to.include("64 hex digits"));
      // Agent keys derive from the deployer key: the same on every run, different per agent.
      expect(derivedWallet(w.privateKey, 1).address).to.equal(derivedWallet(w.privateKey, 1).address);
      expect(derivedWallet(w.privateKey, 1).address).to.not.equal(derivedWallet(w.privateKey, 2).address);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
