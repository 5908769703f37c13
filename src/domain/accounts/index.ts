export * from './lockout.js';
export * from './password.js';
export * from './policy.js';
export * from './roles.js';
