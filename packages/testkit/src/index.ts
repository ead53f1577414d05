export * from './imds-emulator.js';
export * from './imds-shims.js';
export * from './run-script.js';
export * from './annotations.js';
export * from './temp-tree.js';
