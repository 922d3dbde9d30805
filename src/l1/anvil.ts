/**
 * Spawns anvil (the devDependency @foundry-rs/anvil: its launcher finds the platform binary) on 127.0.0.1: the
 * L1 node of the tests that run the devnet on "any node" and of the L1-reorg scenario (anvil_reorg). Same
 * mnemonic and chain id (31337) as the Hardhat node, so the dev accounts are the same.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Logger } from "../agents/common.js";
import { awaitNodeUp, freePort, PROJECT_ROOT } from "../agents/devnet.js";

export interface AnvilNode {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The platform binary itself when its package is installed (a kill reaches anvil, not a launcher in between),
 * else the package's Node launcher.
 */
function anvilCommand(): [string, string[]] {
  const require = createRequire(import.meta.url);
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  try {
    const dir = dirname(require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`));
    return [join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil"), []];
  } catch {
    return [process.execPath, [join(dirname(require.resolve("@foundry-rs/anvil/package.json")), "bin.mjs")]];
  }
}

export async function startAnvil(opts: {
  port?: number;
  /** Mines a block every `blockTime` seconds by itself (`--block-time`); default: automine. */
  blockTime?: number;
  log?: Logger;
  timeoutMs?: number;
} = {}): Promise<AnvilNode> {
  const port = opts.port || (await freePort());
  const args = ["--host", "127.0.0.1", "--port", String(port), "--silent"];
  if (opts.blockTime !== undefined) args.push("--block-time", String(opts.blockTime));
  const [cmd, pre] = anvilCommand();
  const child = spawn(cmd, [...pre, ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const node = await awaitNodeUp(child, `http://127.0.0.1:${port}`, "anvil", opts.timeoutMs ?? 60_000, 200);
  opts.log?.info("anvil up", { url: node.url, pid: child.pid, blockTime: opts.blockTime ?? "automine" });
  return node;
}
