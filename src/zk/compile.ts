/**
 * Compiles the block circuit `Block(T, D)` with circom2 (circom compiled to WebAssembly, from npm), cached.
 *
 * Output: build/circuits/T{T}_D{D}/{main.circom, main.r1cs, main_js/main.wasm, meta.json}. The cache key hashes the
 * circuit sources, T, D, the compiler and circomlib versions and the flags; a matching meta.json makes a call
 * instant. circom2 only sees the working folder and its parents, so it runs from the project root with relative
 * paths. A compile goes to a temporary folder that is renamed into place, so an interrupted or concurrent build
 * never leaves a half-written circuit behind.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FernetError } from "../errors.js";

const require = createRequire(import.meta.url);

/** Project root (src/zk/ -> ../..). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CIRCUITS_DIR = path.join(PROJECT_ROOT, "circuits");
const FLAGS = ["--O2", "--r1cs", "--wasm", "-l", "node_modules"];

export type CompileErrorCode = "BAD_PARAMETER" | "COMPILE_FAILED" | "BAD_R1CS";

/** Typed error of circuit compilation. */
export class CompileError extends FernetError<CompileErrorCode> {
  constructor(code: CompileErrorCode, message: string) {
    super(code, message);
  }
}

export interface CompileOptions {
  T: number;
  D: number;
  /** No progress lines (default false). */
  quiet?: boolean;
  /** Receives the progress lines instead of the console. */
  onProgress?: (msg: string) => void;
  /** Recompile even if cached (default false). */
  force?: boolean;
}

export interface CompiledCircuit {
  /** Absolute path of build/circuits/T{T}_D{D}. */
  dir: string;
  r1csPath: string;
  wasmPath: string;
  /** Number of constraints (from the r1cs header). */
  constraints: number;
  /** True if nothing was compiled (cache hit). */
  cached: boolean;
  /** Cache key of this build. */
  hash: string;
}

interface Meta {
  hash: string;
  T: number;
  D: number;
  constraints: number;
  compileSeconds: number;
}

/** Folder of a configuration, relative to the project root. */
export function circuitDirName(T: number, D: number): string {
  return path.join("build", "circuits", `T${T}_D${D}`);
}

async function listCircom(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listCircom(p)));
    else if (e.name.endsWith(".circom")) out.push(p);
  }
  return out.sort();
}

/** Cache key: circuit sources + T + D + compiler, circomlib versions + flags. */
export async function circuitHash(T: number, D: number): Promise<string> {
  const h = createHash("sha256");
  h.update(JSON.stringify({
    T, D, FLAGS,
    circom2: require("circom2/package.json").version,
    circomlib: require("circomlib/package.json").version,
  }));
  for (const f of await listCircom(CIRCUITS_DIR)) {
    h.update(path.relative(CIRCUITS_DIR, f));
    h.update(await readFile(f));
  }
  return h.digest("hex");
}

/**
 * Reads the constraint count from an r1cs header. Hand-rolled (20 lines) because snarkjs's `r1cs info` only logs
 * it and loads the whole file; the header layout is fixed by the r1cs format (iden3/r1csfile).
 */
export async function r1csConstraints(r1csPath: string): Promise<number> {
  const fh = await open(r1csPath, "r");
  try {
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    if (head.toString("latin1", 0, 4) !== "r1cs") throw new CompileError("BAD_R1CS", `${r1csPath} is not an r1cs file`);
    const nSections = head.readUInt32LE(8);
    let pos = 12;
    for (let s = 0; s < nSections; s++) {
      const sh = Buffer.alloc(12);
      await fh.read(sh, 0, 12, pos);
      const type = sh.readUInt32LE(0);
      const size = Number(sh.readBigUInt64LE(4));
      pos += 12;
      if (type === 1) {
        const body = Buffer.alloc(size);
        await fh.read(body, 0, size, pos);
        const n8 = body.readUInt32LE(0);
        // n8, prime[n8], nWires, nPubOut, nPubIn, nPrvIn (u32), nLabels (u64), nConstraints (u32)
        return body.readUInt32LE(4 + n8 + 16 + 8);
      }
      pos += size;
    }
    throw new CompileError("BAD_R1CS", `${r1csPath} has no header section`);
  } finally {
    await fh.close();
  }
}

function runCircom(args: string[], quiet: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    // The package's CLI under the current (Node 22) binary; cwd = project root so that relative paths resolve.
    const child = spawn(process.execPath, [require.resolve("circom2/cli.js"), ...args], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!quiet) process.stdout.write(chunk);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && !/error\[/i.test(out)) resolve(out);
      else reject(new CompileError("COMPILE_FAILED", `circom2 failed (exit ${code}):\n${out.slice(-4000)}`));
    });
  });
}

/** Compiles Block(T, D) (or returns the cached build). Prints progress unless `quiet`. */
export async function compileCircuit(opts: CompileOptions): Promise<CompiledCircuit> {
  const { T, D, quiet = false, force = false, onProgress } = opts;
  if (!Number.isInteger(T) || T < 1 || T > 1024) throw new CompileError("BAD_PARAMETER", `T must be an integer in 1..1024, got ${T}`);
  if (!Number.isInteger(D) || D < 2 || D > 32 || D % 2 !== 0) {
    throw new CompileError("BAD_PARAMETER", `D must be an even integer in 2..32 (arity-4 tree), got ${D}`);
  }
  const log = (m: string) => {
    if (quiet) return;
    if (onProgress) onProgress(`[circuit T=${T} D=${D}] ${m}`);
    else console.log(`[circuit T=${T} D=${D}] ${m}`);
  };
  const rel = circuitDirName(T, D);
  const dir = path.join(PROJECT_ROOT, rel);
  const r1csPath = path.join(dir, "main.r1cs");
  const wasmPath = path.join(dir, "main_js", "main.wasm");
  const hash = await circuitHash(T, D);

  const metaPath = path.join(dir, "meta.json");
  if (!force && existsSync(metaPath) && existsSync(r1csPath) && existsSync(wasmPath)) {
    const meta = JSON.parse(await readFile(metaPath, "utf8")) as Meta;
    if (meta.hash === hash) {
      log(`cached (${meta.constraints} constraints)`);
      return { dir, r1csPath, wasmPath, constraints: meta.constraints, cached: true, hash };
    }
  }

  const tmpRel = `${rel}.tmp-${process.pid}-${Date.now()}`;
  const tmp = path.join(PROJECT_ROOT, tmpRel);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  // The temporary folder sits at the same depth as the final one, so the include path is valid in both.
  const main = [
    "pragma circom 2.1.0;",
    "// Generated by src/zk/compile.ts: do not edit.",
    'include "../../../circuits/block.circom";',
    `component main {public [oldRoot, newRoot, totalFees, payee, domain, words]} = Block(${T}, ${D});`,
    "",
  ].join("\n");
  await writeFile(path.join(tmp, "main.circom"), main);
  log(`compiling with circom2 ${FLAGS.join(" ")} (tens of seconds to minutes)...`);
  const t0 = Date.now();
  try {
    await runCircom([path.join(tmpRel, "main.circom"), ...FLAGS, "-o", tmpRel], true);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const compileSeconds = (Date.now() - t0) / 1000;
  const constraints = await r1csConstraints(path.join(tmp, "main.r1cs"));
  const meta: Meta = { hash, T, D, constraints, compileSeconds };
  await writeFile(path.join(tmp, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
  await rm(dir, { recursive: true, force: true });
  try {
    await rename(tmp, dir);
  } catch (e) {
    // Another process finished the same build between our rm and rename: keep theirs if it is this build.
    await rm(tmp, { recursive: true, force: true });
    const theirs = existsSync(metaPath) ? (JSON.parse(await readFile(metaPath, "utf8")) as Meta) : undefined;
    if (theirs?.hash !== hash) throw e;
  }
  log(`done in ${compileSeconds.toFixed(1)} s: ${constraints} constraints (${Math.round(constraints / T)} per slot)`);
  return { dir, r1csPath, wasmPath, constraints, cached: false, hash };
}
