/**
 * The network builder's spec validation (no network): a bad spec is refused with a NetworkConfigError naming the
 * field, before anything is started (no node spawned, no proxy, no stage reported).
 */
import { expect } from "chai";
import { AgentError, Logger } from "../../src/agents/index.js";
import { NetworkConfigError, createNetwork, startNetwork, type NetworkSpec } from "../../src/network/index.js";

function spy() {
  const calls: string[] = [];
  const spec = (): NetworkSpec => ({
    circuit: { T: 2, D: 8 },
    l1: {
      proxy: async (url) => {
        calls.push(`proxy ${url}`);
        return { url, stop: async () => {} };
      },
    },
    accounts: 8,
    sequencers: [{ name: "seq-1", vrfSeed: "s1" }],
    provers: [{ name: "prover-1" }],
    blockTimeMs: 2000,
    log: new Logger("test", "error", () => {}),
    onStage: (e) => calls.push(e.stage),
  });
  return { calls, spec };
}

type Mutable = { -readonly [K in keyof NetworkSpec]: any };

function expectRefused(mutate: (s: Mutable) => void, field: string): void {
  const { calls, spec } = spy();
  const s = spec() as Mutable;
  mutate(s);
  let err: unknown;
  try {
    createNetwork(s as NetworkSpec);
  } catch (e) {
    err = e;
  }
  expect(err, `refused (${field})`).to.be.instanceOf(NetworkConfigError);
  expect(err).to.be.instanceOf(AgentError);
  expect((err as AgentError).code).to.equal("BAD_CONFIG");
  expect((err as NetworkConfigError).field).to.equal(field);
  expect((err as Error).message).to.match(new RegExp(`^${field.replace(/[[\].]/g, "\\$&")}: `));
  expect(calls, "nothing started").to.deep.equal([]);
}

describe("network: spec validation", () => {
  it("accepts a valid spec without starting anything", async () => {
    const { calls, spec } = spy();
    const run = createNetwork(spec());
    expect(calls).to.deep.equal([]);
    await run.stop(); // stopping a run that never started is a no-op
    expect(calls).to.deep.equal([]);
  });

  it("refuses bad fields with a typed error naming them", () => {
    expectRefused((s) => (s.circuit = { T: 0, D: 8 }), "circuit.T");
    expectRefused((s) => (s.circuit = { T: 2, D: 1 }), "circuit.D");
    expectRefused((s) => (s.accounts = 256), "accounts");
    expectRefused((s) => (s.accounts = 1), "accounts");
    expectRefused((s) => (s.blockTimeMs = 10), "blockTimeMs");
    expectRefused((s) => (s.pollMs = 0), "pollMs");
    expectRefused((s) => (s.l1 = { rpc: "localhost:8545" }), "l1.rpc");
    expectRefused((s) => (s.l1 = { rpc: "http://127.0.0.1:8545", fork: "http://127.0.0.1:8546" }), "l1.rpc");
    expectRefused((s) => (s.l1 = { forkBlock: 5 }), "l1.forkBlock");
    expectRefused((s) => (s.l1 = { rpc: "http://127.0.0.1:8545", spawn: "anvil" }), "l1.rpc");
    expectRefused((s) => (s.l1 = { spawn: "geth" as "anvil" }), "l1.spawn");
    expectRefused((s) => (s.l1 = { spawn: "anvil", fork: "http://127.0.0.1:8546" }), "l1.fork");
    expectRefused((s) => (s.l1 = { deployerKey: "0x12" }), "l1.deployerKey");
    expectRefused((s) => (s.l1 = { noBlockMs: 10 }), "l1.noBlockMs");
    expectRefused((s) => (s.l1 = { port: 70000 }), "l1.port");
    expectRefused((s) => (s.contracts = { attach: "0x12" }), "contracts.attach");
    expectRefused((s) => (s.contracts = { attach: "0x" + "ab".repeat(20) }), "contracts.attach"); // a fresh node has no contracts
    expectRefused((s) => (s.sequencers = []), "sequencers");
    expectRefused((s) => (s.sequencers = [{ name: "seq-1", vrfSeed: "" }]), "sequencers[0].vrfSeed");
    expectRefused((s) => (s.sequencers = [{ name: "seq-1", vrfSeed: "s", stake: 0n }]), "sequencers[0].stake");
    expectRefused((s) => (s.provers = [{ name: "seq-1" }]), "provers[0].name");
    expectRefused((s) => (s.provers = [{ name: "../x" }]), "provers[0].name");
    expectRefused((s) => (s.design = "separation"), "design");
    expectRefused((s) => (s.units = 2), "units"); // units belong to the cooperative design
    expectRefused((s) => ((s.design = "cooperative"), (s.units = 3)), "units"); // must divide T = 2
    expectRefused((s) => ((s.design = "cooperative"), (s.aggregator = {})), "aggregator");
    expectRefused((s) => ((s.design = "cooperative"), (s.proofBatchSize = 4)), "proofBatchSize");
    expectRefused((s) => ((s.design = "cooperative"), (s.provers = [{ name: "p", vrfSeed: "" }])), "provers[0].vrfSeed");
    expectRefused((s) => ((s.aggregator = {}), (s.provers = [{ name: "aggregator" }])), "provers[0].name");
    expectRefused((s) => (s.aggregator = { minBatch: 0 }), "aggregator.minBatch");
    expectRefused((s) => (s.txGenerator = { ratePerSecond: -1 }), "txGenerator.ratePerSecond");
  });

  it("startNetwork rejects a bad spec the same way, before any step", async () => {
    const { calls, spec } = spy();
    const s = { ...spec(), accounts: 0 };
    let err: unknown;
    await startNetwork(s).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(NetworkConfigError);
    expect((err as NetworkConfigError).field).to.equal("accounts");
    expect(calls).to.deep.equal([]);
  });
});
