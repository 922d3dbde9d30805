/**
 * In-process Solidity compilation with solc-js (the `solc` npm package, no download), for contracts that are
 * generated per verification key in a test (the snarkjs single verifier, a generated BlockVk library) and so
 * cannot live in contracts/ as fixed sources.
 */
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);

/** ABI and deployable bytecode of one compiled contract. */
export interface Compiled {
  abi: unknown[];
  bytecode: string;
}

const cache = new Map<string, Compiled>();

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

/**
 * Resolves an import the sources do not carry: the project's contracts (a library's `../errors/Errors.sol` from a
 * source given at the root resolves to `errors/Errors.sol`), then node_modules (OpenZeppelin).
 */
function findImport(path: string): { contents: string } | { error: string } {
  for (const base of ["contracts", "node_modules"]) {
    const full = join(process.cwd(), base, path);
    if (existsSync(full)) return { contents: readFileSync(full, "utf8") };
  }
  return { error: `not found: ${path}` };
}

/**
 * Compiles `sources` (file name -> text) with the optimizer on (200 runs, as hardhat.config.ts) and returns the
 * named contract.
 * @throws Error with solc's messages if compilation fails.
 */
export function compileSolidity(sources: Record<string, string>, file: string, contract: string): Compiled {
  // solc-js takes seconds per compile: memoise per process (tests compile the same key's sources repeatedly).
  const key = JSON.stringify([sources, file, contract]);
  const hit = cache.get(key);
  if (hit) return hit;
  const solc = require("solc") as { compile(input: string, callbacks?: { import(path: string): { contents: string } | { error: string } }): string };
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, { content: v }])),
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  const c = out.contracts[file]?.[contract];
  if (!c) throw new Error(`solc output has no ${file}:${contract}`);
  const result = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
  cache.set(key, result);
  return result;
}
