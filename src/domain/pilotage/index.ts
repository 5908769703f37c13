/** Pilotage (issue 14): rollups, indicators, crisis indicators, statistical secrecy. Pure. */

export * from './crisis.js';
export * from './indicators.js';
export * from './opendata.js';
export * from './rollup.js';
export * from './secrecy.js';
export * from './survey.js';
