export * from './status-change.js';
export * from './structure-edit.js';
