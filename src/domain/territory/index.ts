/**
 * Territorial coverage and planning (issue 4): reference files, travel-time model, nearest
 * structure, indicators, MCLP planning. Pure: no file system, database or network here.
 */
export {
  CantonOutlines,
  type CantonShape,
  NEAREST_OUTLINE_KM,
  parseCantonOutlines,
  pointInPolygon,
} from './canton-outlines.js';
export { type CsvRecord, type ParseResult, parseTable, readCsv, type TableSpec } from './csv.js';
export {
  communeCodeResolver,
  type DecoupageCommune,
  type DecoupageEpci,
  type DecoupageNamed,
  epciMembership,
} from './decoupage.js';
export {
  boundByBureau,
  type CoverageIndicators,
  computeCoverage,
  coveredCantons,
  type DeploymentTimeline,
  deploymentTimeline,
  NATIONAL_GOAL,
  roadPopulation,
  type TimelineMonth,
  type UncoveredCanton,
  uncoveredCantons,
  weightedQuantile,
} from './indicators.js';
export {
  buildInstance,
  type CoveringInstance,
  greedy,
  instanceFromSets,
  objective,
  orderByMarginalGain,
  type Solution,
  swapSearch,
} from './mclp.js';
export {
  buildLp,
  checkExactSize,
  DEFAULT_EXACT_LIMITS,
  type ExactLimits,
  type ExactResult,
  exactSize,
  type LpSolver,
  loadHighs,
  solveExact,
} from './mclp-exact.js';
export {
  checkPoints,
  haversineKm,
  type NearestResult,
  nearestAll,
  nearestAllBruteForce,
  type Points,
  points,
  SiteIndex,
} from './nearest.js';
export { Network, type PlacedSite, type SiteKind, type StructureSite, siteKind } from './network.js';
export {
  attachExact,
  type CantonSite,
  checkPlanRequest,
  diffIndicators,
  onePerCanton,
  type PlanRequest,
  type PlanResult,
  type PlanSite,
  plan,
  prepareInstance,
  solvePlan,
  type WhatIfChange,
  whatIf,
} from './planning.js';
export {
  type ConvertedReference,
  convertProducerFiles,
  PRODUCER_INPUTS,
  type ProducerInput,
} from './producer-formats.js';
export {
  type ConvertedTable,
  decodeProducerText,
  type ProducerIssue,
} from './producer-tables.js';
export * from './reference-files.js';
export {
  type City,
  type DemandUnits,
  ReferenceGeography,
  type ReferenceInput,
} from './reference-geography.js';
export { parseTerritory, type Territory, type TerritoryKind } from './territory.js';
export {
  DEFAULT_TRAVEL_PARAMS,
  DENSITE7_LABELS,
  estimatedMatrix,
  FALLBACK_CLASS,
  GRILLE7_OF_GRILLE4,
  type TravelClassParams,
  type TravelModel,
  type TravelModelParams,
  type TravelTimeMatrix,
  travelModel,
  travelModelFromString,
} from './travel-time.js';
