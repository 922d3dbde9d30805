/**
 * A JSON-RPC proxy that refuses every node-control method (evm_*, hardhat_*, anvil_* by default) and forwards the
 * rest: in front of a node that mines on its own (anvil --block-time, Hardhat with interval mining) it stands for a
 * public testnet's gateway, which allows no such call. Used by the integration tests of src/l1/node.ts's fallbacks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeHttp, listenHttp, readBody } from "../node/http.js";

export interface RefusingProxy {
  url: string;
  /** Methods refused so far (what the network tried). */
  readonly refused: string[];
  stop(): Promise<void>;
}

interface Req {
  jsonrpc?: string;
  id?: unknown;
  method?: string;
}

export const CONTROL_METHODS = /^(evm|hardhat|anvil)_/;

export async function startRefusingProxy(upstreamUrl: string, refuse: RegExp = CONTROL_METHODS, port = 0): Promise<RefusingProxy> {
  const refused: string[] = [];
  const refusal = (q: Req) => ({ jsonrpc: "2.0", id: q.id ?? null, error: { code: -32601, message: `the method ${q.method} does not exist/is not available` } });
  const forward = async (q: Req | Req[]): Promise<unknown> => {
    const r = await fetch(upstreamUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(q) });
    return (await r.json()) as unknown;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const body = (await readBody(req)) ?? "";
    let out: unknown;
    try {
      const parsed = JSON.parse(body) as Req | Req[];
      if (Array.isArray(parsed)) {
        const allowed = parsed.filter((q) => !refuse.test(q.method ?? ""));
        for (const q of parsed) if (refuse.test(q.method ?? "")) refused.push(q.method!);
        const answers = allowed.length ? ((await forward(allowed)) as { id?: unknown }[]) : [];
        const byId = new Map(answers.map((a) => [JSON.stringify(a.id ?? null), a]));
        out = parsed.map((q) => (refuse.test(q.method ?? "") ? refusal(q) : byId.get(JSON.stringify(q.id ?? null))));
      } else if (refuse.test(parsed.method ?? "")) {
        refused.push(parsed.method!);
        out = refusal(parsed);
      } else out = await forward(parsed);
    } catch (e) {
      out = { jsonrpc: "2.0", id: null, error: { code: -32603, message: `proxy: ${(e as Error).message}` } };
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
  };
  const server = createServer((req, res) => void handle(req, res));
  const url = await listenHttp(server, port, "127.0.0.1");
  return { url, refused, stop: () => closeHttp(server) };
}
