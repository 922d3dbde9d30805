/** The out-of-protocol prover marketplace (seed 004, nil-style matching from seed 001). */
export {
  QUOTE_TYPES, QUOTE_DOMAIN_NAME, QUOTE_DOMAIN_VERSION, QuoteError, quoteDomain, checkQuote,
  quoteDigest, signQuote, verifyQuote, quoteToJSON, quoteFromJSON, signProverCommitment, verifyProverCommitment,
  type Quote, type SignedQuote, type QuoteJSON, type SignedQuoteJSON, type QuoteErrorCode, type TypedDataSigner, type ProverCommitment,
} from "./quote.js";
/** The Rollup's prover-consent domain and type (contract twins, src/protocol.ts), part of the market's API. */
export { PROVER_COMMITMENT_TYPES, rollupDomain } from "../protocol.js";
export { Reputation, type ReputationRecord, type ReputationView, type ReputationOptions } from "./reputation.js";
export { matchQuotes, rankQuotes, quoteRejection, type MatchRequest, type MatchOptions, type RejectReason, type RankedQuote, type Ranking } from "./match.js";
export {
  QuoteServer, QuoteRequestError, requestQuotes, quoteRequestFromJSON, quoteRequestToJSON,
  type QuoteRequest, type QuoteRequestBlock, type QuoteRequestJSON, type QuoteOffer, type DeclineReason, type QuoteResponse, type QuotePolicy,
  type QuoteServerOptions, type QuoteAnswer,
} from "./server.js";
