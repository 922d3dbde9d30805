/** Scenarios: schema and validation, strategies, the runner and replays, expectations, figures. docs/scenarios.md */
export * from "./figures.js";
export * from "./schema.js";
export * from "./strategies.js";
export * from "./collect.js";
export * from "./expectations.js";
export * from "./runner.js";
export * from "./random.js";
