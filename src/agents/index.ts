/** The agents (sequencer, prover) and the devnet plumbing. */
export * from "./common.js";
export * from "./config.js";
export * from "./proving.js";
export * from "./sequencer.js";
export * from "./prover.js";
export * from "./aggregator.js";
export * from "./devnet.js";
