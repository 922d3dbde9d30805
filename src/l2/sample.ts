/**
 * Deterministic development accounts and sample blocks, for the demo, the benchmark and the devnet.
 * The keys are derived from public labels: never use them for anything of value.
 */
import { getBytes, keccak256, toUtf8Bytes } from "ethers";
import { initL2, keyFromSeed, type KeyPair } from "./crypto.js";
import { genesisEntry, stateFromGenesis, type GenesisAccount, type L2State } from "./state.js";
import { l2Domain, signTransfer, type Transfer } from "./transaction.js";
import { executeBlock, type BlockResult } from "./block.js";

/**
 * The L2 domain of the sample blocks: chain 31337 (Hardhat) and the address of the first contract a fresh Hardhat
 * chain deploys. A real deployment signs under `l2Domain(chainId, rollupAddress)` instead.
 */
export const DEV_DOMAIN = l2Domain(31337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

/** The EdDSA key of development account `index` (seed = keccak256("fernet-rollup dev account <index>")). */
export function devKey(index: number): KeyPair {
  return keyFromSeed(getBytes(keccak256(toUtf8Bytes(`fernet-rollup dev account ${index}`))));
}

/** Genesis of development accounts 1..n, each with `balance`. */
export function devGenesis(n: number, balance: bigint): GenesisAccount[] {
  return Array.from({ length: n }, (_, i) => genesisEntry(i + 1, devKey(i + 1).publicKey, balance));
}

/**
 * Signed transfers filling `count` slots: account k sends to account k+1 (wrapping), amounts and fees varying,
 * nonces consecutive per sender, so every transfer is valid when applied in order to `devGenesis`. Signed under
 * `domain` (DEV_DOMAIN by default).
 */
export function sampleTransfers(state: L2State, accounts: number, count: number, domain: bigint = DEV_DOMAIN): Transfer[] {
  const nonces = new Map<number, number>();
  const txs: Transfer[] = [];
  for (let i = 0; i < count; i++) {
    const from = (i % accounts) + 1;
    const to = (from % accounts) + 1;
    const nonce = nonces.get(from) ?? state.getAccount(from)!.nonce;
    nonces.set(from, nonce + 1);
    txs.push(signTransfer({ from, to, amount: BigInt(1000 + 17 * i), fee: BigInt(1 + (i % 5)), nonce }, devKey(from).seed, domain));
  }
  return txs;
}

/** A full sample block (T transfers) on a fresh development genesis of depth D, under `domain` (DEV_DOMAIN by default). */
export async function sampleBlock(T: number, D: number, domain: bigint = DEV_DOMAIN): Promise<{ block: BlockResult; accounts: number; genesis: GenesisAccount[] }> {
  await initL2();
  const accounts = Math.min(2 ** D - 1, Math.max(2, Math.min(T + 1, 16)));
  const genesis = devGenesis(accounts, 1_000_000_000n);
  const state = stateFromGenesis(genesis, D);
  const block = executeBlock(state, sampleTransfers(state, accounts, T, domain), T, domain);
  return { block, accounts, genesis };
}
