// oidc-provider ships no types; the tests use a small part of it (test/support/oidc.ts).
declare module 'oidc-provider';
