export * from './results.js';
export * from './monitor.js';
export * from './findings.js';
