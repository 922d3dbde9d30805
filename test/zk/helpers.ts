/**
 * Test helpers for the zk pipeline: the fixture circuit (test/zk/fixtures/fixture.circom, compiled with circom2 and
 * cached under build/test-zk/), its inputs, and in-process Solidity compilation of generated verifiers (they depend
 * on the key, so they are compiled per test run rather than kept in contracts/).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { circomInvocation } from "../../src/zk/compile.js";

const require = createRequire(import.meta.url);
export const FIXTURE_CIRCUIT = "test/zk/fixtures/fixture.circom";
export const TEST_DIR = "build/test-zk";

export interface FixtureCircuit {
  r1csPath: string;
  wasmPath: string;
}

/** Compiles the fixture circuit once (cached by the hash of its source). */
export async function compileFixture(): Promise<FixtureCircuit> {
  const out = join(TEST_DIR, "fixture");
  const r1csPath = join(out, "fixture.r1cs");
  const wasmPath = join(out, "fixture_js", "fixture.wasm");
  const stampPath = join(out, "stamp");
  const stamp = createHash("sha256").update(await readFile(FIXTURE_CIRCUIT)).digest("hex");
  if (existsSync(stampPath) && (await readFile(stampPath, "utf8")) === stamp && existsSync(r1csPath) && existsSync(wasmPath)) {
    return { r1csPath, wasmPath };
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  // circom2 only sees the current folder and its parents: relative paths, from the folder compile.ts picks (the
  // project root, or above it when node_modules links to another checkout).
  const inv = circomInvocation([FIXTURE_CIRCUIT, "--r1cs", "--wasm", "--O2", "-l", "node_modules", "-o", out]);
  const res = spawnSync(process.execPath, inv.argv, { cwd: inv.cwd, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`circom2 failed on ${FIXTURE_CIRCUIT}: ${res.stderr || res.stdout}`);
  await writeFile(stampPath, stamp);
  return { r1csPath, wasmPath };
}

type Poseidon = ((x: bigint[]) => unknown) & { F: { toObject(x: unknown): bigint } };
let poseidonP: Promise<Poseidon> | undefined;

/** Inputs of the fixture circuit: newRoot = Poseidon(oldRoot, secret + totalFees + word_0 + word_1). */
export async function fixtureInput(oldRoot: bigint, secret: bigint, totalFees: bigint, w0: bigint, w1: bigint) {
  const spec: string = "circomlibjs"; // untyped package: a variable specifier avoids an ambient declaration
  poseidonP ??= import(spec).then((m: { buildPoseidon(): Promise<Poseidon> }) => m.buildPoseidon());
  const p = await poseidonP;
  const newRoot = p.F.toObject(p([oldRoot, secret + totalFees + w0 + w1]));
  return { oldRoot, newRoot, totalFees, word_0: w0, word_1: w1, secret };
}

export interface Compiled {
  abi: unknown[];
  bytecode: string;
}

/** Compiles sources (unit name -> text) with solc-js, optimizer as hardhat.config.ts; returns one contract. */
export function compileSolidity(sources: Record<string, string>, file: string, contract: string): Compiled {
  const solc = require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, { content: v }])),
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  const c = out.contracts[file]?.[contract];
  if (!c) throw new Error(`solc output has no ${file}:${contract}`);
  return { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
}
