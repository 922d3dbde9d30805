/** The agents (sequencer, prover, aggregator), their pure decisions, the proving designs, and the devnet plumbing. */
export * from "./common.js";
export * from "./config.js";
export * from "./proving.js";
export * from "./sequencer.js";
export * from "./prover.js";
export * from "./aggregator.js";
export * from "./devnet.js";
export * from "./decisions/sequencer.js";
export * from "./decisions/prover.js";
export * from "./decisions/aggregator.js";
export * from "./designs/strategy.js";
export * from "./designs/sidecar.js";
export * from "./cooperativeProver.js";
export * from "./decisions/cooperative.js";
