import type { ReadBatch } from './import-reader.js';
import type { ContentField } from './record-rows.js';

/** Messages between `activity import`'s main thread and its reading thread (import.worker.ts). */
export type FromReader =
  | { readonly type: 'header'; readonly presentFields: readonly ContentField[] }
  | { readonly type: 'batch'; readonly batch: ReadBatch; readonly bytesRead: number }
  | { readonly type: 'end'; readonly sawSynthetic: boolean; readonly rows: number }
  /** The file is not the exchange format: nothing was written. */
  | { readonly type: 'refused'; readonly field: string; readonly message: string }
  | { readonly type: 'failed'; readonly message: string };

export type ToReader = { readonly type: 'written' };
