/**
 * Builds a block circuit: compile (circom2), Groth16 setup, export of vkey + Solidity verifier + IBlockVerifier adapter.
 *
 *   npx tsx scripts/build-circuits.ts --T 2 --D 8 [--ptau FILE [--zkey FILE]] [--force]
 *   npx tsx scripts/build-circuits.ts --unit --S 1 --D 8 [...]     the Cooperative design's unit circuit Unit(S, D)
 *
 * Without --ptau the setup is the deterministic INSECURE development setup (known secret; see src/zk/devPtau.ts).
 * With --ptau FILE (a ceremony file prepared for phase 2) the setup makes a secret phase-2 contribution from OS
 * entropy (never written anywhere), or with --zkey FILE imports a contributed key made from that ptau (verified;
 * it must hold at least one non-beacon contribution), then applies the public beacon. A key without a secret
 * contribution is refused: error [INSECURE_SETUP], exit status 1 (src/zk/setup.ts).
 */
import { parseArgs } from "node:util";
import { buildCircuit } from "../src/zk/build.js";
import { closeProver } from "../src/zk/prover.js";
import { ZkError } from "../src/zk/errors.js";
import { setupLabel } from "../src/zk/setup.js";
import { engineFromEnv, ensureNativeProver } from "../src/zk/native.js";

const USAGE = [
  "usage: npx tsx scripts/build-circuits.ts --T <slots> --D <depth> [--ptau FILE [--zkey FILE]] [--force]",
  "       npx tsx scripts/build-circuits.ts --unit --S <slots per unit> --D <depth> [--ptau FILE [--zkey FILE]] [--force]",
  "  (default)     the block circuit Block(T, D): build/circuits/T{T}_D{D}, BlockVerifier_T{T}_D{D} + BatchVerifier_T{T}_D{D}",
  "  --unit        the Cooperative design's unit circuit Unit(S, D) (S = T / K slots; public inputs",
  "                [rootIn, rootOut, unitFees, payee, domain, words[S], feeBurnBps]): build/circuits/U{S}_D{D},",
  "                UnitVerifier_U{S}_D{D} (IBlockVerifier) + BatchVerifier_U{S}_D{D}",
  "  (no --ptau)   INSECURE dev setup: known secret, anyone can forge proofs; development only",
  "  --ptau FILE   ceremony ptau (prepared for phase 2); a secret phase-2 contribution from OS entropy is made",
  "  --zkey FILE   with --ptau: import a contributed phase-2 key (verified against the r1cs and the ptau) instead",
].join("\n");

function int(name: string, v: string | undefined): number {
  if (v === undefined) throw new ZkError("BAD_ARGUMENT", `missing --${name}\n${USAGE}`);
  if (!/^\d+$/.test(v)) throw new ZkError("BAD_ARGUMENT", `--${name} must be a positive integer, got "${v}"\n${USAGE}`);
  return Number(v);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      T: { type: "string" },
      S: { type: "string" },
      unit: { type: "boolean", default: false },
      D: { type: "string" },
      ptau: { type: "string" },
      zkey: { type: "string" },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.zkey && !values.ptau) throw new ZkError("BAD_ARGUMENT", `--zkey needs --ptau (the ceremony file the key was made from)\n${USAGE}`);
  if (values.unit && values.T !== undefined) throw new ZkError("BAD_ARGUMENT", `--unit takes --S (slots per unit), not --T\n${USAGE}`);
  if (!values.unit && values.S !== undefined) throw new ZkError("BAD_ARGUMENT", `--S needs --unit\n${USAGE}`);
  const kind = values.unit ? "unit" : "block";
  const T = values.unit ? int("S", values.S) : int("T", values.T);
  const D = int("D", values.D);
  const started = performance.now();
  const stamp = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s]`;
  const r = await buildCircuit({ T, D, kind, ptau: values.ptau, zkey: values.zkey, force: values.force, onProgress: (m) => console.log(`${stamp()} ${m}`) });
  const s = r.setup;
  console.log("");
  console.log(`circuit   ${r.artifacts.name}: ${s.nConstraints} constraints, ${s.nPublic} public inputs, domain 2^${s.power}`);
  console.log(`r1cs      ${r.r1csPath}`);
  console.log(`wasm      ${r.wasmPath}`);
  console.log(`setup     ${setupLabel(s.provenance)}${s.cached ? " [cached]" : ""}`);
  // The dev setup writes the zkey straight from its known secret (src/zk/devZkey.ts): no ptau file is involved.
  if (s.ptauPath) console.log(`ptau      ${s.ptauPath} (${(s.ptauBytes / 2 ** 20).toFixed(1)} MiB)`);
  console.log(`zkey      ${s.zkeyPath} (${(s.zkeyBytes / 2 ** 20).toFixed(1)} MiB)`);
  console.log(`vkey      ${s.vkeyPath}`);
  console.log(`verifier  ${r.exported.verifierPath} (contract ${r.exported.verifierContract})`);
  console.log(`adapter   ${r.exported.adapterPath} (contract ${r.exported.adapterContract})`);
  console.log(`timings   setup ${s.ptauPath ? `ptau ${s.seconds.ptau.toFixed(1)} s, ` : ""}zkey ${s.seconds.zkeyNew.toFixed(1)} s, ${s.seconds.contribute !== undefined ? `contribution ${s.seconds.contribute.toFixed(1)} s, ` : ""}${s.seconds.verifyImport !== undefined ? `import check ${s.seconds.verifyImport.toFixed(1)} s, ` : ""}beacon ${s.seconds.beacon.toFixed(1)} s${s.cached ? " (when it was built)" : ""}; total run ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (r.exported.written.length > 0) console.log("contracts changed: run `npx hardhat compile`");
  // The native Groth16 prover (src/zk/native.ts), built here so that the first proof does not pay for it.
  if (engineFromEnv() !== "snarkjs") {
    try {
      console.log(`native    ${await ensureNativeProver((m) => console.log(`${stamp()} ${m}`))}`);
    } catch (e) {
      console.warn(`native    unavailable, proofs will use snarkjs: ${(e as Error).message.split("\n")[0]}`);
    }
  }
}

main()
  .then(async () => {
    await closeProver();
    process.exit(0);
  })
  .catch(async (e: unknown) => {
    // ZkError (setup/export) and CompileError (compile.ts) both carry a code; anything else is unexpected.
    const code = e instanceof Error && typeof (e as { code?: unknown }).code === "string" ? (e as unknown as { code: string }).code : "UNEXPECTED";
    console.error(`build-circuits: error [${code}]: ${e instanceof Error ? e.message : String(e)}`);
    if (code === "UNEXPECTED" && e instanceof Error && e.stack) console.error(e.stack);
    process.exit(1);
  });
