/** Pilotage (issue 14): rollups, indicators, crisis indicators, statistical secrecy. Pure. */
export * from './rollup.js';
