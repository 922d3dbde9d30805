/**
 * Attaching a network to contracts already on the chain (a fork of a chain that has them, or a running node)
 * instead of deploying: the circuit and the L2 genesis are checked against the Rollup, the actors are funded by
 * minting as the token's owner (impersonated, hardhat_/anvil_impersonateAccount, when it is not the deployer), the
 * sequencers that are not registered are (their VRF key from their seed, as in a deploying run), the Rollup (and the
 * ProofAggregator) are approved and the reward pool is topped up.
 */
import { AbiCoder, Contract, keccak256, type JsonRpcProvider, type Signer, type Wallet } from "ethers";
import { initL2, stateFromGenesis } from "../l2/index.js";
import { devGenesis } from "../l2/sample.js";
import { vrfKeyFromSeed } from "../vrf/index.js";
import { DEFAULT_STAKING, RollupClient, StakingClient, type RollupConfig } from "../client/index.js";
import { ZERO_ADDRESS, type Logger } from "../agents/common.js";
import { type DevnetActors, type Deployment } from "../agents/devnet.js";
import { NetworkConfigError } from "./spec.js";
import type { L1Node } from "../l1/node.js";
import { E18 } from "../protocol.js";
import { DEVNET_DEFAULTS } from "../defaults.js";

const ZERO_HASH = "0x" + "00".repeat(32);

const TOKEN_ABI = [
  "function owner() view returns (address)", "function mint(address to, uint256 amount)", "function balanceOf(address) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)", "function approve(address spender, uint256 amount) returns (bool)",
];

export async function attachDeployment(a: {
  provider: JsonRpcProvider;
  /** Impersonates the token's owner when the deployer is not it (a node that cannot: the attach is refused). */
  node: L1Node; rollup: string; actors: DevnetActors; aggWallet: Wallet; T: number; D: number; accounts: number;
  /** Whether the network runs an aggregator agent (then the Rollup must have a ProofAggregator). */
  aggregator: boolean;
  /** The parameters the spec asked for: the Rollup's apply, a warning names the differences. */
  params?: Partial<RollupConfig>;
  log: Logger;
}): Promise<Deployment> {
  const { provider, actors, log } = a;
  if ((await provider.getCode(a.rollup)) === "0x") throw new NetworkConfigError("contracts.attach", `no contract at ${a.rollup} on this chain`);
  const client = new RollupClient(a.rollup, provider);
  const config = await client.config();
  if (Number(config.slots) !== a.T) throw new NetworkConfigError("circuit.T", `the Rollup at ${a.rollup} has T = ${config.slots}, the network asks for ${a.T}`);
  await initL2();
  const genesis = devGenesis(a.accounts, 1_000_000_000n);
  const genesisState = stateFromGenesis(genesis, a.D);
  if (genesisState.root !== config.genesisRoot) {
    throw new NetworkConfigError("accounts", `the dev genesis with ${a.accounts} accounts (D = ${a.D}) does not give the Rollup's genesis root: the L2 state cannot be rebuilt`);
  }
  const c = client.contract;
  const stakingAddr = await c.staking();
  const staking = new StakingClient(stakingAddr, provider);
  const tokenAddr = await staking.contract.token();
  const verifier = await c.verifier();
  const agg = await c.aggregator();
  const aggregator = agg === ZERO_ADDRESS ? undefined : agg;
  if (a.aggregator && !aggregator) throw new NetworkConfigError("aggregator", `the Rollup at ${a.rollup} has no ProofAggregator`);
  if (!a.aggregator && aggregator) log.warn("the Rollup has a ProofAggregator but the network runs no aggregator: proofs are submitted directly");
  const differs = Object.entries(a.params ?? {}).filter(([k, want]) => want !== undefined && (config as unknown as Record<string, unknown>)[k] !== want);
  if (differs.length) log.warn("attached: the Rollup's parameters apply, not the spec's", Object.fromEntries(differs.map(([k]) => [k, String((config as unknown as Record<string, unknown>)[k])])));

  // Funding: mint as the token's owner.
  const token = new Contract(tokenAddr, TOKEN_ABI, provider);
  const owner = (await token.getFunction("owner")()) as string;
  let minter: Signer;
  if (owner.toLowerCase() === actors.deployer.address.toLowerCase()) minter = actors.deployer;
  else {
    await a.node.impersonate(owner);
    await a.node.setBalance(owner, 10n ** 21n);
    minter = await provider.getSigner(owner);
    log.info("minting as the impersonated token owner", { owner });
  }
  const mint = (token.connect(minter) as Contract).getFunction("mint");
  const wallets = [...actors.sequencers.map((x) => x.wallet), ...actors.provers.map((x) => x.wallet), ...(aggregator ? [a.aggWallet] : [])];
  const stakeOf = new Map(actors.sequencers.map((x) => [x.wallet.address, x.stake ?? DEFAULT_STAKING.minSequencerStake]));
  for (const w of wallets) {
    const want = 10_000n * E18 + (stakeOf.get(w.address) ?? 0n);
    const have = (await token.getFunction("balanceOf")(w.address)) as bigint;
    if (have < want) await (await mint(w.address, want - have)).wait();
  }
  const pool = DEVNET_DEFAULTS.rewardPool;
  await (await mint(actors.deployer.address, pool)).wait();
  for (const [i, q] of actors.sequencers.entries()) {
    const info = await staking.contract.stakerOf(q.wallet.address);
    const { pk } = vrfKeyFromSeed(q.vrfSeed);
    const keyHash = keccak256(AbiCoder.defaultAbiCoder().encode(["uint256[4]"], [pk]));
    if (info.keyHash === ZERO_HASH) {
      await staking.connect(q.wallet).registerSequencer(q.stake ?? DEFAULT_STAKING.minSequencerStake, vrfKeyFromSeed(q.vrfSeed).sk);
      await new RollupClient(a.rollup, q.wallet).warmProposalSlots(); // once, with the registration (Rollup.warmProposalSlots)
    }
    else if (info.keyHash !== keyHash) throw new NetworkConfigError(`sequencers[${i}]`, `${q.name} (${q.wallet.address}) is registered with another VRF key on this chain`);
  }
  for (const w of wallets) {
    for (const spender of [a.rollup, ...(aggregator ? [aggregator] : [])]) {
      if (((await token.getFunction("allowance")(w.address, spender)) as bigint) < 2n ** 254n) await (await (token.connect(w) as Contract).getFunction("approve")(spender, 2n ** 255n)).wait();
    }
  }
  await (await (token.connect(actors.deployer) as Contract).getFunction("approve")(a.rollup, pool)).wait();
  await new RollupClient(a.rollup, actors.deployer).fundRewards(pool);
  const head = await provider.getBlockNumber();
  log.info("attached", { rollup: a.rollup, head, genesisBlock: config.genesisBlock });
  return { rollup: a.rollup, staking: stakingAddr, token: tokenAddr, verifier, aggregator, config, chainId: (await provider.getNetwork()).chainId, deployBlock: head, genesis, genesisState };
}
