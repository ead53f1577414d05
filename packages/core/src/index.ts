export * from './rule-meta.js';
export * from './rules.js';
export * from './finding.js';
export * from './position.js';
export * from './edits.js';
export * from './endpoint.js';
export * from './headers.js';
export * from './request.js';
