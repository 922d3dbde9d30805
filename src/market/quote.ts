/**
 * Prover quotes (seed 004's out-of-protocol marketplace): a prover's signed offer to prove one L2 height.
 *
 * A quote is EIP-712 typed data signed by the prover's Ethereum key. The domain is
 * {name: "fernet-rollup/market", version: "1", chainId, verifyingContract: rollup}, and the struct repeats rollup,
 * chainId and height, so a quote cannot be replayed on another chain, another rollup deployment or another height
 * (the digest changes; `verifyQuote` recovers a different address). The domain name differs from the Rollup
 * contract's own EIP-712 domain ("fernet-rollup"), so a quote can never pass for an on-chain message.
 *
 * What the fields promise: prove `height` within `provingTimeL1Blocks` L1 blocks of the prover commitment, for
 * `price` (wei of the protocol token, paid through the proposal's proverTip escrowed on L1: a prover checks the
 * proposal's proverTip >= price before proving), and back the block with `deposit` (the proverDeposit it will fund
 * or reimburse). The quote can be used (committed on L1) up to and including L1 block `expiresAtL1Block`. `nonce`
 * makes each quote distinct (a prover's counter).
 *
 * `signProverCommitment` signs the Rollup contract's own consent message (ProverCommitLib: height, sequencer,
 * prover, deposit) so that the sequencer may have the deposit pulled from the prover on commit.
 */
import { TypedDataEncoder, getAddress, isAddress, verifyTypedData, type TypedDataDomain, type TypedDataField } from "ethers";
import { FernetError } from "../errors.js";
import { PROVER_COMMITMENT_TYPES, rollupDomain } from "../protocol.js";

/** What signs: an ethers v6 Wallet or any Signer with signTypedData. */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

export interface Quote {
  prover: string;
  rollup: string;
  chainId: bigint;
  height: bigint;
  /** wei of the protocol token */
  price: bigint;
  provingTimeL1Blocks: number;
  /** the proverDeposit the prover backs, wei */
  deposit: bigint;
  expiresAtL1Block: number;
  nonce: bigint;
}

export interface SignedQuote {
  quote: Quote;
  /** 65-byte ECDSA signature, 0x-hex */
  signature: string;
}

/** JSON form (bigints as decimal strings). */
export interface QuoteJSON {
  prover: string;
  rollup: string;
  chainId: string;
  height: string;
  price: string;
  provingTimeL1Blocks: number;
  deposit: string;
  expiresAtL1Block: number;
  nonce: string;
}

export interface SignedQuoteJSON {
  quote: QuoteJSON;
  signature: string;
}

export type QuoteErrorCode = "BAD_QUOTE" | "WRONG_SIGNER" | "BAD_INPUT";

export class QuoteError extends FernetError<QuoteErrorCode> {
  constructor(code: QuoteErrorCode, message: string) {
    super(code, message);
  }
}

export const QUOTE_DOMAIN_NAME = "fernet-rollup/market";
export const QUOTE_DOMAIN_VERSION = "1";

export const QUOTE_TYPES: Record<string, TypedDataField[]> = {
  Quote: [
    { name: "prover", type: "address" },
    { name: "rollup", type: "address" },
    { name: "chainId", type: "uint256" },
    { name: "height", type: "uint256" },
    { name: "price", type: "uint256" },
    { name: "provingTimeL1Blocks", type: "uint64" },
    { name: "deposit", type: "uint256" },
    { name: "expiresAtL1Block", type: "uint64" },
    { name: "nonce", type: "uint256" },
  ],
};

export function quoteDomain(chainId: bigint, rollup: string): TypedDataDomain {
  return { name: QUOTE_DOMAIN_NAME, version: QUOTE_DOMAIN_VERSION, chainId, verifyingContract: rollup };
}

const U64 = 2n ** 64n;
const U256 = 2n ** 256n;

/** Throws BAD_QUOTE unless every field has its type and range; returns the quote with checksummed addresses. */
export function checkQuote(q: Quote): Quote {
  if (typeof q !== "object" || q === null) throw new QuoteError("BAD_QUOTE", "a quote must be an object");
  for (const k of ["prover", "rollup"] as const) {
    if (typeof q[k] !== "string" || !isAddress(q[k])) throw new QuoteError("BAD_QUOTE", `${k} must be an address`);
  }
  for (const k of ["chainId", "height", "price", "deposit", "nonce"] as const) {
    if (typeof q[k] !== "bigint" || q[k] < 0n || q[k] >= U256) throw new QuoteError("BAD_QUOTE", `${k} must be a uint256 bigint`);
  }
  for (const k of ["provingTimeL1Blocks", "expiresAtL1Block"] as const) {
    if (!Number.isSafeInteger(q[k]) || q[k] < 0 || BigInt(q[k]) >= U64) throw new QuoteError("BAD_QUOTE", `${k} must be a non-negative integer`);
  }
  return { ...q, prover: getAddress(q.prover), rollup: getAddress(q.rollup) };
}

function value(q: Quote): Record<string, unknown> {
  return { ...q };
}

/** EIP-712 digest of a quote (its id). */
export function quoteDigest(q: Quote): string {
  const c = checkQuote(q);
  return TypedDataEncoder.hash(quoteDomain(c.chainId, c.rollup), QUOTE_TYPES, value(c));
}

/** Signs `quote` with the prover's key; the signer must be `quote.prover` (WRONG_SIGNER otherwise). */
export async function signQuote(signer: TypedDataSigner, quote: Quote): Promise<SignedQuote> {
  const q = checkQuote(quote);
  const addr = getAddress(await signer.getAddress());
  if (addr !== q.prover) throw new QuoteError("WRONG_SIGNER", `signer ${addr} is not the quote's prover ${q.prover}`);
  const signature = await signer.signTypedData(quoteDomain(q.chainId, q.rollup), QUOTE_TYPES, value(q));
  return { quote: q, signature };
}

/** True if the signature recovers to `quote.prover` (malformed quotes and signatures give false, never throw). */
export function verifyQuote(sq: SignedQuote): boolean {
  try {
    const q = checkQuote(sq.quote);
    if (typeof sq.signature !== "string") return false;
    const who = verifyTypedData(quoteDomain(q.chainId, q.rollup), QUOTE_TYPES, value(q), sq.signature);
    return getAddress(who) === q.prover;
  } catch {
    return false;
  }
}

export function quoteToJSON(sq: SignedQuote): SignedQuoteJSON {
  const q = sq.quote;
  return {
    quote: {
      prover: q.prover, rollup: q.rollup, chainId: q.chainId.toString(), height: q.height.toString(), price: q.price.toString(),
      provingTimeL1Blocks: q.provingTimeL1Blocks, deposit: q.deposit.toString(), expiresAtL1Block: q.expiresAtL1Block, nonce: q.nonce.toString(),
    },
    signature: sq.signature,
  };
}

/** Parses the JSON form; malformed input throws BAD_QUOTE (the signature is not checked here: see verifyQuote). */
export function quoteFromJSON(j: SignedQuoteJSON): SignedQuote {
  if (typeof j !== "object" || j === null || typeof j.quote !== "object" || j.quote === null || typeof j.signature !== "string") {
    throw new QuoteError("BAD_QUOTE", "a signed quote needs {quote, signature}");
  }
  const big = (k: string, v: unknown): bigint => {
    if (typeof v !== "string" || !/^[0-9]{1,78}$/.test(v)) throw new QuoteError("BAD_QUOTE", `${k} must be a decimal string`);
    return BigInt(v);
  };
  const q = j.quote;
  const quote = checkQuote({
    prover: q.prover, rollup: q.rollup, chainId: big("chainId", q.chainId), height: big("height", q.height), price: big("price", q.price),
    provingTimeL1Blocks: q.provingTimeL1Blocks, deposit: big("deposit", q.deposit), expiresAtL1Block: q.expiresAtL1Block, nonce: big("nonce", q.nonce),
  });
  return { quote, signature: j.signature };
}

// ---------------------------------------------------------------- the Rollup contract's prover consent
// (Rollup.sol's EIP-712 domain and ProverCommitLib's type are twins in src/protocol.ts.)

export interface ProverCommitment {
  height: bigint;
  sequencer: string;
  prover: string;
  deposit: bigint;
}

/** The prover's consent that `sequencer` may pull `deposit` from it when committing it at `height`. */
export async function signProverCommitment(signer: TypedDataSigner, chainId: bigint, rollup: string, c: ProverCommitment): Promise<string> {
  const addr = getAddress(await signer.getAddress());
  if (addr !== getAddress(c.prover)) throw new QuoteError("WRONG_SIGNER", `signer ${addr} is not the prover ${c.prover}`);
  return signer.signTypedData(rollupDomain(chainId, rollup), PROVER_COMMITMENT_TYPES, { ...c });
}

export function verifyProverCommitment(chainId: bigint, rollup: string, c: ProverCommitment, signature: string): boolean {
  try {
    return getAddress(verifyTypedData(rollupDomain(chainId, rollup), PROVER_COMMITMENT_TYPES, { ...c }, signature)) === getAddress(c.prover);
  } catch {
    return false;
  }
}
