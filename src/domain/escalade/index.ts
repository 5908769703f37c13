export * from './codes.js';
export * from './consent.js';
export * from './deadlines.js';
export * from './dossier.js';
export * from './due.js';
export * from './figures.js';
export * from './retention.js';
export * from './status.js';
