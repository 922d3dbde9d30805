/**
 * L1 keys for a node that is not a local dev node (its dev accounts are not ours or not funded): the deployer's key
 * from an encrypted keystore file (password from the environment) or from the environment itself, and the agents'
 * keys derived from it, funded by the deployer. Nothing is written anywhere: the same deployer key derives the same
 * agent keys on the next run.
 */
import { readFileSync } from "node:fs";
import { Wallet, concat, keccak256, toUtf8Bytes, type JsonRpcProvider } from "ethers";
import { AgentError, type Logger } from "../agents/common.js";

/** Environment variable holding the deployer's private key (0x + 64 hex). */
export const DEPLOYER_KEY_ENV = "FERNET_DEPLOYER_KEY";
/** Environment variable holding the password of the `--keystore` file. */
export const KEYSTORE_PASSWORD_ENV = "FERNET_KEYSTORE_PASSWORD";

/**
 * The deployer's private key: decrypted from `keystore` (a JSON keystore, password in FERNET_KEYSTORE_PASSWORD), else
 * FERNET_DEPLOYER_KEY, else undefined (the local node's dev accounts are used).
 */
export async function loadDeployerKey(o: { keystore?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string | undefined> {
  const env = o.env ?? process.env;
  if (o.keystore !== undefined) {
    const password = env[KEYSTORE_PASSWORD_ENV];
    if (password === undefined) throw new AgentError("BAD_CONFIG", `--keystore ${o.keystore}: set its password in ${KEYSTORE_PASSWORD_ENV}`);
    let json: string;
    try {
      json = readFileSync(o.keystore, "utf8");
    } catch (e) {
      throw new AgentError("BAD_CONFIG", `cannot read the keystore ${o.keystore}: ${(e as Error).message}`);
    }
    try {
      return (await Wallet.fromEncryptedJson(json, password)).privateKey;
    } catch (e) {
      throw new AgentError("BAD_CONFIG", `cannot decrypt the keystore ${o.keystore} (wrong ${KEYSTORE_PASSWORD_ENV}?): ${(e as Error).message}`);
    }
  }
  const key = env[DEPLOYER_KEY_ENV];
  if (key === undefined || key === "") return undefined;
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw new AgentError("BAD_CONFIG", `${DEPLOYER_KEY_ENV} must be a private key (64 hex digits)`);
  return key.startsWith("0x") ? key : "0x" + key;
}

/** Agent key `i` derived from the deployer's key (deterministic: the same agents on every run with that key). */
export function derivedWallet(deployerKey: string, i: number, provider?: JsonRpcProvider): Wallet {
  return new Wallet(keccak256(concat([deployerKey, toUtf8Bytes(`fernet-agent-${i}`)])), provider);
}

/** Sends `floor - balance` ETH from `funder` to each wallet below `floor`, one transaction at a time. */
export async function fundFrom(funder: Wallet, wallets: Wallet[], floor: bigint, log?: Logger): Promise<void> {
  for (const w of wallets) {
    const have = await funder.provider!.getBalance(w.address);
    if (have >= floor) continue;
    log?.info("funding an agent key from the deployer", { address: w.address, wei: (floor - have).toString() });
    await (await funder.sendTransaction({ to: w.address, value: floor - have })).wait();
  }
}
