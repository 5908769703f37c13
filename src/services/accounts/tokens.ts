import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. Given once to the person; only its hash is stored. */
export const randomToken = (): string => randomBytes(32).toString('base64url');
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
