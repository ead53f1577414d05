export * from './model.js';
export * from './judge.js';
export * from './report.js';
