/**
 * Which sequencer the `l2` command line talks to: `--rpc URL`, or the sequencers of a devnet's config.json
 * (`--config FILE`, or `--devnet DIR`: DIR/config.json, else the newest DIR/<run>/config.json; `.devnet` by
 * default, where `npm start` writes it).
 *
 * Routing over a config's sequencers: each sequencer only puts its own mempool's transfers in its blocks and
 * counts only its own pooled transfers in an account's next nonce, so one account's transfers should all go to
 * one sequencer. Without `--sequencer N` account i goes to sequencer (i - 1) mod N, the devnet's transfer
 * generator's rule, so that the command line and the generator agree on the nonces.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { EndpointArgs } from "./args.js";
import { L2CliError } from "./errors.js";

/** The sequencer URLs to choose from, and the one fixed by --rpc / --sequencer (if any). */
export interface Endpoints {
  urls: string[];
  /** Index into `urls` given by the user (--rpc: 0; --sequencer N: N - 1). */
  fixed?: number;
  /** Where they came from, for messages. */
  source: string;
}

/** The config.json of a devnet folder: DIR/config.json, else the most recently written DIR/<sub>/config.json. */
export function findDevnetConfig(dir: string): string {
  const direct = join(dir, "config.json");
  if (existsSync(direct)) return direct;
  let runs: { file: string; mtime: number }[] = [];
  try {
    runs = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(dir, d.name, "config.json"))
      .filter((f) => existsSync(f))
      .map((file) => ({ file, mtime: statSync(file).mtimeMs }));
  } catch {
    runs = [];
  }
  if (runs.length === 0) {
    throw new L2CliError("DEVNET_NOT_FOUND", `no devnet config under ${dir} (start one with \`npm start\`, or pass --rpc URL or --config FILE)`);
  }
  runs.sort((a, b) => b.mtime - a.mtime);
  return runs[0]!.file;
}

/** The L2 JSON-RPC URLs of the sequencers of a devnet config file. */
export function sequencerUrlsOf(file: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new L2CliError("DEVNET_NOT_FOUND", `no config file at ${file}`);
    throw new L2CliError("BAD_CONFIG", `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  // Only the sequencers' L2 RPC addresses are read (src/agents/config.ts has the full format); reading no more keeps
  // this command free of the contract typings the agents' config module pulls in.
  const seqs = (parsed as { sequencers?: unknown } | null)?.sequencers;
  if (!Array.isArray(seqs)) throw new L2CliError("BAD_CONFIG", `${file}: sequencers must be a list (is it a devnet config.json?)`);
  if (seqs.length === 0) throw new L2CliError("BAD_CONFIG", `${file} lists no sequencer`);
  return seqs.map((s: { rpcPort?: unknown; rpcHost?: unknown } | null, i) => {
    const port = s?.rpcPort;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      throw new L2CliError("BAD_CONFIG", `${file}: sequencers[${i}].rpcPort must be a port number 1..65535 (0, ephemeral, leaves the URL unknown)`);
    }
    const host = s?.rpcHost ?? "127.0.0.1";
    if (typeof host !== "string" || host === "") throw new L2CliError("BAD_CONFIG", `${file}: sequencers[${i}].rpcHost must be a host name`);
    return `http://${host}:${port}`;
  });
}

export function resolveEndpoints(a: EndpointArgs): Endpoints {
  if (a.kind === "rpc") return { urls: [a.url], fixed: 0, source: a.url };
  const file = a.kind === "config" ? a.file : findDevnetConfig(a.dir);
  const urls = sequencerUrlsOf(file);
  if (a.sequencer !== undefined && a.sequencer > urls.length) {
    throw new L2CliError("BAD_CONFIG", `--sequencer ${a.sequencer}: ${file} has ${urls.length} sequencer(s)`);
  }
  return a.sequencer === undefined ? { urls, source: file } : { urls, fixed: a.sequencer - 1, source: file };
}

/** The sequencer for L2 account `index` (see the file comment). */
export function urlForAccount(e: Endpoints, index: number): string {
  return e.urls[e.fixed ?? (index - 1) % e.urls.length]!;
}
