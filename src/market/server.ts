/**
 * Quote server (run by a prover) and quote client (used by a sequencer), over HTTP with JSON bodies.
 *
 *   POST /quote  {height, maxPrice, maxProvingTime, minDeposit, chainId?, rollup?, sequencer?, block?}
 *     (block: the opening of a proposal not revealed yet, {parent, newRoot, salt, pubdata, signatures}, for a sequencer
 *     that reveals and commits in one transaction: the prover checks it against the proposal's commitment)
 *     200 {ok: true, quote: SignedQuoteJSON, commitment?: string}
 *     200 {ok: false, reason, message}      the prover declines (reason codes: DeclineReason)
 *     400 {ok: false, reason: "BAD_REQUEST", message}
 *   GET /health  200 {ok: true, prover, chainId, rollup}
 *
 * The prover's `policy` decides an offer (price, proving time, deposit) or declines; the server then declines
 * itself if the offer cannot meet the request (so that it never signs a quote the sequencer would discard), sets
 * the expiry to `currentL1Block() + validityL1Blocks`, numbers the quote and signs it. With `sequencer` in the
 * request and `signCommitments` on, it also returns the Rollup contract's ProverCommitment consent for that
 * sequencer, height and deposit, so the sequencer may commit this prover with the deposit pulled from it.
 *
 * `requestQuotes` asks many provers in parallel, each with a timeout, and never throws: every URL gets an answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeHttp, listenHttp, readBody } from "../node/http.js";
import { dataLength, getAddress, isAddress, isHexString } from "ethers";
import {
  quoteFromJSON, quoteToJSON, signProverCommitment, signQuote, type SignedQuote, type SignedQuoteJSON, type TypedDataSigner,
} from "./quote.js";
import { FernetError } from "../errors.js";
import { MARKET_DEFAULTS } from "../defaults.js";

/** A quote request as a sequencer sends it (JSON). */
export interface QuoteRequestJSON {
  height: string | number;
  maxPrice: string;
  maxProvingTime: number;
  minDeposit: string;
  chainId?: string;
  rollup?: string;
  /** The sequencer's L1 address, to get a ProverCommitment consent back. */
  sequencer?: string;
  /** The block, for a proposal not revealed yet (revealed and committed in one call): hex and decimal strings. */
  block?: { parent: string; newRoot: string; salt: string; pubdata: string; signatures: string };
}

/**
 * The opening of a proposal's commitment, sent with a quote request when the sequencer reveals and commits in one
 * transaction (Rollup.revealAndCommitProver): the prover checks it against the commitment on L1 before it backs it.
 */
export interface QuoteRequestBlock {
  parent: bigint;
  newRoot: bigint;
  /** 0x-hex, 32 bytes */
  salt: string;
  /** 0x-hex */
  pubdata: string;
  /** 0x-hex, 64 bytes per non-empty slot */
  signatures: string;
}

export interface QuoteRequest {
  height: bigint;
  maxPrice: bigint;
  maxProvingTime: number;
  minDeposit: bigint;
  chainId?: bigint;
  rollup?: string;
  sequencer?: string;
  block?: QuoteRequestBlock;
}

export interface QuoteOffer {
  price: bigint;
  provingTimeL1Blocks: number;
  deposit: bigint;
}

export type DeclineReason =
  | "BAD_REQUEST"
  | "WRONG_CHAIN"
  | "WRONG_ROLLUP"
  | "POLICY" // the prover's policy declined (busy, height too far, ...), message says why
  | "PRICE_ABOVE_MAX"
  | "TOO_SLOW"
  | "DEPOSIT_BELOW_MIN"
  | "ERROR";

export type QuoteResponse =
  | { ok: true; quote: SignedQuoteJSON; commitment?: string }
  | { ok: false; reason: DeclineReason; message: string };

export type QuotePolicy = (req: QuoteRequest, l1Block: number) => QuoteOffer | { decline: string } | Promise<QuoteOffer | { decline: string }>;

export interface QuoteServerOptions {
  signer: TypedDataSigner;
  chainId: bigint;
  rollup: string;
  policy: QuotePolicy;
  currentL1Block: () => number | Promise<number>;
  /** Quote lifetime in L1 blocks (default 5, about the prover commitment phase). */
  validityL1Blocks?: number;
  /** Quote numbering (default: a counter from 0 in memory; persist it to keep nonces unique across restarts). */
  nextNonce?: () => bigint;
  /** Return the ProverCommitment consent when the request names a sequencer (default false). */
  signCommitments?: boolean;
  /**
   * More POST endpoints on the same server (path -> handler), e.g. the prover's `/proofs` hand-over of finished
   * proofs for a batch (src/agents/proving.ts). The body is parsed JSON, at most `maxBody` bytes.
   */
  routes?: Record<string, { maxBody: number; handle: (body: unknown) => Promise<{ status: number; body: unknown }> }>;
}

const MAX_BODY = 64 * 1024; // a request may carry a block (QuoteRequestBlock): 168 hex characters per slot, T = 256 in 43 KiB

export class QuoteRequestError extends FernetError<"BAD_REQUEST"> {
  constructor(message: string) {
    super("BAD_REQUEST", message);
  }
}

/** Parses and checks a request; throws QuoteRequestError. */
export function quoteRequestFromJSON(j: unknown): QuoteRequest {
  if (typeof j !== "object" || j === null || Array.isArray(j)) throw new QuoteRequestError("a quote request must be a JSON object");
  const o = j as Record<string, unknown>;
  const big = (k: string, v: unknown): bigint => {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v !== "string" || !/^[0-9]{1,78}$/.test(v)) throw new QuoteRequestError(`${k} must be a non-negative decimal string`);
    return BigInt(v);
  };
  if (!Number.isSafeInteger(o.maxProvingTime) || (o.maxProvingTime as number) < 0) throw new QuoteRequestError("maxProvingTime must be a non-negative integer (L1 blocks)");
  const req: QuoteRequest = {
    height: big("height", o.height),
    maxPrice: big("maxPrice", o.maxPrice),
    maxProvingTime: o.maxProvingTime as number,
    minDeposit: big("minDeposit", o.minDeposit),
  };
  if (o.chainId !== undefined) req.chainId = big("chainId", o.chainId);
  for (const k of ["rollup", "sequencer"] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== "string" || !isAddress(o[k])) throw new QuoteRequestError(`${k} must be an address`);
    req[k] = getAddress(o[k]);
  }
  if (o.block !== undefined) {
    const b = o.block as Record<string, unknown>;
    if (typeof b !== "object" || b === null || Array.isArray(b)) throw new QuoteRequestError("block must be an object");
    const hex = (k: string, bytes?: number): string => {
      const v = b[k];
      if (typeof v !== "string" || !isHexString(v) || (bytes !== undefined && dataLength(v) !== bytes)) {
        throw new QuoteRequestError(`block.${k} must be 0x-hex${bytes === undefined ? "" : ` of ${bytes} bytes`}`);
      }
      return v.toLowerCase();
    };
    req.block = { parent: big("block.parent", b.parent), newRoot: big("block.newRoot", b.newRoot), salt: hex("salt", 32), pubdata: hex("pubdata"), signatures: hex("signatures") };
  }
  return req;
}

export function quoteRequestToJSON(r: QuoteRequest): QuoteRequestJSON {
  const j: QuoteRequestJSON = { height: r.height.toString(), maxPrice: r.maxPrice.toString(), maxProvingTime: r.maxProvingTime, minDeposit: r.minDeposit.toString() };
  if (r.chainId !== undefined) j.chainId = r.chainId.toString();
  if (r.rollup !== undefined) j.rollup = r.rollup;
  if (r.sequencer !== undefined) j.sequencer = r.sequencer;
  if (r.block !== undefined) {
    const b = r.block;
    j.block = { parent: b.parent.toString(), newRoot: b.newRoot.toString(), salt: b.salt, pubdata: b.pubdata, signatures: b.signatures };
  }
  return j;
}

export class QuoteServer {
  private readonly opts: QuoteServerOptions;
  private readonly rollup: string;
  private counter = 0n;
  private server: Server | undefined;

  constructor(opts: QuoteServerOptions) {
    this.opts = opts;
    this.rollup = getAddress(opts.rollup);
  }

  /** Answers one request body (transport-free). */
  async quote(body: unknown): Promise<QuoteResponse> {
    let req: QuoteRequest;
    try {
      req = quoteRequestFromJSON(body);
    } catch (e) {
      return { ok: false, reason: "BAD_REQUEST", message: (e as Error).message };
    }
    const decline = (reason: DeclineReason, message: string): QuoteResponse => ({ ok: false, reason, message });
    if (req.chainId !== undefined && req.chainId !== this.opts.chainId) return decline("WRONG_CHAIN", `this prover quotes for chain ${this.opts.chainId}`);
    if (req.rollup !== undefined && req.rollup !== this.rollup) return decline("WRONG_ROLLUP", `this prover quotes for rollup ${this.rollup}`);
    const l1Block = await this.opts.currentL1Block();
    const offer = await this.opts.policy(req, l1Block);
    if ("decline" in offer) return decline("POLICY", offer.decline);
    if (offer.price > req.maxPrice) return decline("PRICE_ABOVE_MAX", `price ${offer.price} > maxPrice ${req.maxPrice}`);
    if (offer.provingTimeL1Blocks > req.maxProvingTime) return decline("TOO_SLOW", `needs ${offer.provingTimeL1Blocks} L1 blocks > ${req.maxProvingTime}`);
    if (offer.deposit < req.minDeposit) return decline("DEPOSIT_BELOW_MIN", `backs ${offer.deposit} < minDeposit ${req.minDeposit}`);
    const prover = getAddress(await this.opts.signer.getAddress());
    const nonce = this.opts.nextNonce ? this.opts.nextNonce() : this.counter++;
    const signed = await signQuote(this.opts.signer, {
      prover, rollup: this.rollup, chainId: this.opts.chainId, height: req.height, price: offer.price,
      provingTimeL1Blocks: offer.provingTimeL1Blocks, deposit: offer.deposit,
      expiresAtL1Block: l1Block + (this.opts.validityL1Blocks ?? MARKET_DEFAULTS.quoteValidityL1Blocks), nonce,
    });
    const res: QuoteResponse = { ok: true, quote: quoteToJSON(signed) };
    if (this.opts.signCommitments && req.sequencer) {
      res.commitment = await signProverCommitment(this.opts.signer, this.opts.chainId, this.rollup, {
        height: req.height, sequencer: req.sequencer, prover, deposit: offer.deposit,
      });
    }
    return res;
  }

  listen(port = 0, host = "127.0.0.1"): Promise<string> {
    if (this.server) throw new Error("already listening");
    const server = createServer((req, res) => void this.onHttp(req, res));
    this.server = server;
    return listenHttp(server, port, host);
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    return closeHttp(s);
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method === "GET" && path === "/health") {
        return send(200, { ok: true, prover: getAddress(await this.opts.signer.getAddress()), chainId: this.opts.chainId.toString(), rollup: this.rollup });
      }
      const routes = this.opts.routes;
      const route = routes !== undefined && path !== undefined && Object.hasOwn(routes, path) ? routes[path] : undefined;
      if (route !== undefined) {
        if (req.method !== "POST") return send(405, { ok: false, reason: "BAD_REQUEST", message: `POST ${path}` });
        const text = await readBody(req, route.maxBody);
        if (text === undefined) return send(413, { ok: false, reason: "BAD_REQUEST", message: `body over ${route.maxBody} bytes` });
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return send(400, { ok: false, reason: "BAD_REQUEST", message: "body is not JSON" });
        }
        const out = await route.handle(body);
        return send(out.status, out.body);
      }
      if (path !== "/quote") return send(404, { ok: false, reason: "BAD_REQUEST", message: "POST /quote" });
      if (req.method !== "POST") return send(405, { ok: false, reason: "BAD_REQUEST", message: "POST /quote" });
      const text = await readBody(req, MAX_BODY);
      if (text === undefined) return send(413, { ok: false, reason: "BAD_REQUEST", message: `body over ${MAX_BODY} bytes` });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return send(400, { ok: false, reason: "BAD_REQUEST", message: "body is not JSON" });
      }
      const out = await this.quote(body);
      send(!out.ok && out.reason === "BAD_REQUEST" ? 400 : 200, out);
    } catch (e) {
      if (!res.headersSent) send(500, { ok: false, reason: "ERROR", message: (e as Error).message });
    }
  }
}

/** One prover's answer to requestQuotes. */
export type QuoteAnswer =
  | { url: string; ok: true; quote: SignedQuote; commitment?: string }
  | { url: string; ok: false; reason: DeclineReason | "TIMEOUT" | "NETWORK" | "BAD_RESPONSE"; message: string };

/**
 * Asks every URL (a prover's base URL, `/quote` is appended) in parallel; each gets `timeoutMs` (default 2000).
 * Never throws. Quotes are parsed, not verified: matchQuotes checks signatures and bindings.
 */
export async function requestQuotes(urls: string[], req: QuoteRequest, opts: { timeoutMs?: number } = {}): Promise<QuoteAnswer[]> {
  const body = JSON.stringify(quoteRequestToJSON(req));
  const timeoutMs = opts.timeoutMs ?? MARKET_DEFAULTS.requestTimeoutMs;
  return Promise.all(
    urls.map(async (url): Promise<QuoteAnswer> => {
      let res: Response;
      try {
        res = await fetch(url.replace(/\/+$/, "") + "/quote", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        const name = (e as Error).name;
        const timeout = name === "TimeoutError" || name === "AbortError";
        return { url, ok: false, reason: timeout ? "TIMEOUT" : "NETWORK", message: timeout ? `no answer within ${timeoutMs} ms` : (e as Error).message };
      }
      let j: QuoteResponse;
      try {
        j = (await res.json()) as QuoteResponse;
      } catch (e) {
        const name = (e as Error).name;
        if (name === "TimeoutError" || name === "AbortError") return { url, ok: false, reason: "TIMEOUT", message: `no answer within ${timeoutMs} ms` };
        return { url, ok: false, reason: "BAD_RESPONSE", message: `HTTP ${res.status}, body is not JSON` };
      }
      if (typeof j !== "object" || j === null) return { url, ok: false, reason: "BAD_RESPONSE", message: "answer is not an object" };
      if (!j.ok) return { url, ok: false, reason: j.reason ?? "BAD_RESPONSE", message: String(j.message ?? "") };
      try {
        const a: QuoteAnswer = { url, ok: true, quote: quoteFromJSON(j.quote) };
        if (typeof j.commitment === "string") a.commitment = j.commitment;
        return a;
      } catch (e) {
        return { url, ok: false, reason: "BAD_RESPONSE", message: (e as Error).message };
      }
    }),
  );
}
