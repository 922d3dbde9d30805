/**
 * Quote matching, nil-style (seed 001): given a sequencer's request and the quotes it received, choose one prover
 * or none (=> the sequencer proves itself and posts its own deposit: the fallback every client has, seed 004).
 *
 * Rules, in order (each dropped quote gets the first reason that applies):
 *  1. BAD_SIGNATURE   the EIP-712 signature does not recover to quote.prover (or the quote is malformed);
 *  2. WRONG_CHAIN / WRONG_ROLLUP / WRONG_HEIGHT   not bound to the request's chain, rollup, height;
 *  3. EXPIRED         currentL1Block + minValidityL1Blocks > expiresAtL1Block (the commit could not land in time);
 *  4. TOO_SLOW        provingTimeL1Blocks > maxProvingTime;
 *  5. TOO_EXPENSIVE   price > maxPrice;
 *  6. DEPOSIT_TOO_LOW deposit < minDeposit;
 *  7. LOW_REPUTATION  reputation score < minScore (default 0.5).
 * Then the survivors are sorted. Reputation enters as a price penalty:
 *   adjustedPrice = price * (1 + penalty * (1 - score))   (penalty default 1; computed in parts per million)
 * so a prover with score 1 competes at its price and one at 0.5 as if 50% dearer. Order for priority "price"
 * (default): adjustedPrice, provingTimeL1Blocks, score (higher first), price, prover address (lowercase hex),
 * nonce; for priority "time" provingTimeL1Blocks comes first. The last keys make the result deterministic, so two
 * runs on the same quotes always pick the same prover (PROTOCOL.md: explicit tie-breaks).
 */
import { getAddress } from "ethers";
import type { ReputationView } from "./reputation.js";
import { verifyQuote, type SignedQuote } from "./quote.js";
import { MARKET_DEFAULTS } from "../defaults.js";

export interface MatchRequest {
  chainId: bigint;
  rollup: string;
  height: bigint;
  maxPrice: bigint;
  maxProvingTime: number;
  minDeposit: bigint;
  /** The L1 head now. */
  currentL1Block: number;
  /** How many L1 blocks the quote must stay valid from now (default 1: the commit lands in the next block). */
  minValidityL1Blocks?: number;
  priority?: "price" | "time";
}

export interface MatchOptions {
  /** Skip provers whose score is below this (default 0.5). */
  minScore?: number;
  /** Weight of (1 - score) in the price adjustment (default 1). */
  penalty?: number;
}

export type RejectReason =
  | "BAD_SIGNATURE"
  | "WRONG_CHAIN"
  | "WRONG_ROLLUP"
  | "WRONG_HEIGHT"
  | "EXPIRED"
  | "TOO_SLOW"
  | "TOO_EXPENSIVE"
  | "DEPOSIT_TOO_LOW"
  | "LOW_REPUTATION";

export interface RankedQuote {
  quote: SignedQuote;
  score: number;
  adjustedPrice: bigint;
}

export interface Ranking {
  /** Best first. */
  ranked: RankedQuote[];
  rejected: { quote: SignedQuote; reason: RejectReason }[];
}

const PPM = 1_000_000n;

/** Why a quote is unusable for `req`, or undefined if it is usable (reputation not considered). */
export function quoteRejection(req: MatchRequest, sq: SignedQuote): RejectReason | undefined {
  if (!verifyQuote(sq)) return "BAD_SIGNATURE";
  const q = sq.quote;
  if (q.chainId !== req.chainId) return "WRONG_CHAIN";
  if (getAddress(q.rollup) !== getAddress(req.rollup)) return "WRONG_ROLLUP";
  if (q.height !== req.height) return "WRONG_HEIGHT";
  if (req.currentL1Block + (req.minValidityL1Blocks ?? MARKET_DEFAULTS.minValidityL1Blocks) > q.expiresAtL1Block) return "EXPIRED";
  if (q.provingTimeL1Blocks > req.maxProvingTime) return "TOO_SLOW";
  if (q.price > req.maxPrice) return "TOO_EXPENSIVE";
  if (q.deposit < req.minDeposit) return "DEPOSIT_TOO_LOW";
  return undefined;
}

/** All quotes, usable ones ranked best first, the others with their reason. */
export function rankQuotes(req: MatchRequest, quotes: SignedQuote[], reputation: ReputationView, opts: MatchOptions = {}): Ranking {
  const minScore = opts.minScore ?? 0.5;
  const penalty = opts.penalty ?? MARKET_DEFAULTS.reputationPenalty;
  const out: Ranking = { ranked: [], rejected: [] };
  for (const sq of quotes) {
    const reason = quoteRejection(req, sq);
    if (reason) {
      out.rejected.push({ quote: sq, reason });
      continue;
    }
    const raw = reputation.score(sq.quote.prover);
    const score = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
    if (score < minScore) {
      out.rejected.push({ quote: sq, reason: "LOW_REPUTATION" });
      continue;
    }
    const factor = PPM + BigInt(Math.round(penalty * (1 - score) * 1e6));
    out.ranked.push({ quote: sq, score, adjustedPrice: (sq.quote.price * factor) / PPM });
  }
  const cmpBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
  const byTime = (a: RankedQuote, b: RankedQuote): number => a.quote.quote.provingTimeL1Blocks - b.quote.quote.provingTimeL1Blocks;
  const byPrice = (a: RankedQuote, b: RankedQuote): number => cmpBig(a.adjustedPrice, b.adjustedPrice);
  const [first, second] = req.priority === "time" ? [byTime, byPrice] : [byPrice, byTime];
  out.ranked.sort(
    (a, b) =>
      first(a, b) ||
      second(a, b) ||
      b.score - a.score ||
      cmpBig(a.quote.quote.price, b.quote.quote.price) ||
      (a.quote.quote.prover.toLowerCase() < b.quote.quote.prover.toLowerCase() ? -1 : a.quote.quote.prover.toLowerCase() > b.quote.quote.prover.toLowerCase() ? 1 : 0) ||
      cmpBig(a.quote.quote.nonce, b.quote.quote.nonce),
  );
  return out;
}

/** The chosen quote, or null (no usable quote: prove yourself). */
export function matchQuotes(req: MatchRequest, quotes: SignedQuote[], reputation: ReputationView, opts: MatchOptions = {}): SignedQuote | null {
  return rankQuotes(req, quotes, reputation, opts).ranked[0]?.quote ?? null;
}
