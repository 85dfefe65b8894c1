export * from './results.js';
export * from './monitor.js';
export * from './findings.js';
export * from './duration.js';
