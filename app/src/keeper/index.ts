// @maxwell/client/keeper: the keeper's pass, its configuration, logging and status file, for
// operators who run it in their own process (`maxwell keeper` runs main.ts).
export { main as runKeeper, parseArgs as parseKeeperArgs } from './main.js';
export * from './config.js';
export * from './log.js';
export * from './pass.js';
export * from './status.js';
export * from './scan.js';
