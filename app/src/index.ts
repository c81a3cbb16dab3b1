// @maxwell/client: the package's entry point (app/package.json "exports" "."). Everything a
// trader or an integrator uses: the client, instruction builders, account reads, events,
// health, what-if and the program's other rules from its own Rust in WASM, governance, metrics.
// The generated Codama client is `@maxwell/client/generated`; the keeper `@maxwell/client/keeper`.
// TEST ONLY helpers (mock Pyth prices: oracle.ts) and the local deployment record (localnet.ts)
// are not exported here.
export * from './accounts.js';
export * from './balance-liquidation.js';
export * from './base58.js';
export * from './client.js';
export * from './clock.js';
export * from './compute-budget.js';
export * from './config.js';
export * from './errors.js';
export * from './events.js';
export * from './format.js';
export * from './governance.js';
export * from './health-accounts.js';
export * from './health-wasm.js';
export * from './instructions.js';
export * from './keypair.js';
export * from './lending.js';
export * from './liquidation.js';
export * from './markets.js';
export * from './metrics.js';
export * from './pdas.js';
export * from './realized-vol.js';
export * from './rebalance.js';
export * from './rules-wasm.js';
export * from './svi.js';
export * from './token.js';
export * from './transactions.js';
export * from './wallet.js';
export * from './wasm.js';
export * from './whatif.js';
export { MAXWELL_PROGRAM_ADDRESS } from './generated/maxwell/index.js';
