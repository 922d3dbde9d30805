/** Agent config validation (no network): every bad field is a typed BAD_CONFIG error naming the field. */
import { expect } from "chai";
import { AgentError, checkConfig } from "../../src/agents/index.js";

const KEY = "0x" + "11".repeat(32);

function valid(): Record<string, unknown> {
  return {
    network: { rpcUrl: "http://127.0.0.1:8545", rollup: "0x" + "ab".repeat(20), T: 2, D: 8, genesis: "genesis.json", dataDir: ".devnet/x" },
    sequencers: [{ name: "seq-1", privateKey: KEY, vrfSeed: "s1", rpcPort: 0, proverUrls: [] }],
    provers: [{ name: "prover-1", privateKey: KEY, quotePort: 0, sequencerRpcUrls: [] }],
  };
}

function expectBad(mutate: (c: Record<string, any>) => void, field: RegExp): void {
  const c = valid() as Record<string, any>;
  mutate(c);
  try {
    checkConfig(c);
  } catch (e) {
    expect(e).to.be.instanceOf(AgentError);
    expect((e as AgentError).code).to.equal("BAD_CONFIG");
    expect((e as Error).message).to.match(field);
    return;
  }
  expect.fail("checkConfig accepted a bad config");
}

describe("agents: config", () => {
  it("accepts a valid config", () => {
    expect(checkConfig(valid()).sequencers[0]!.name).to.equal("seq-1");
  });
  it("refuses bad fields with a typed error naming them", () => {
    expectBad((c) => (c.network.rpcUrl = "localhost"), /rpcUrl/);
    expectBad((c) => (c.network.rollup = "0x12"), /rollup/);
    expectBad((c) => (c.network.D = 7), /network\.D/);
    expectBad((c) => (c.sequencers[0].privateKey = "0x12"), /sequencers\[0\]\.privateKey/);
    expectBad((c) => (c.sequencers[0].rpcPort = 70000), /rpcPort/);
    expectBad((c) => (c.sequencers[0].feeSplitBps = 10001), /feeSplitBps/);
    expectBad((c) => (c.provers[0].name = "seq-1"), /used twice/);
    expectBad((c) => (c.provers[0].fault = "lazy"), /fault/);
    expectBad((c) => delete c.network, /network/);
  });
});
