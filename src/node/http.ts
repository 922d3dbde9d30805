/** The HTTP plumbing shared by the agents' servers (L2 JSON-RPC, quote server, the sequencer's front). */
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Starts `server` on host:port (port 0 = ephemeral) and resolves to its URL (IPv6 hosts in brackets). */
export function listenHttp(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      resolve(`http://${host.includes(":") ? `[${host}]` : host}:${a.port}`);
    });
  });
}

/** Stops listening and drops open (keep-alive) connections, so close() does not wait for idle clients. */
export function closeHttp(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/** Reads a request body as UTF-8; undefined as soon as it exceeds `maxBytes` (the caller answers 413). */
export async function readBody(req: IncomingMessage, maxBytes = Infinity): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
