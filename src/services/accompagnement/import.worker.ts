/**
 * The reading thread of `activity import` (import.service.ts starts it): reads and checks the file
 * (import-reader.ts) and posts each batch to the main thread, which writes it. At most IN_FLIGHT batches
 * wait unwritten: reading keeps pace with writing, and memory stays constant.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { loadCommuneCodes } from '../geography/commune-codes.js';
import type { FromReader, ToReader } from './import-messages.js';
import { HeaderError, type ImportSetup, importRules, readExchangeFile } from './import-reader.js';

const port = parentPort;
if (!port) throw new Error('import.worker.ts runs as a worker thread.');
const setup = workerData as ImportSetup;
/**
 * Batches posted and not yet written: half a window's worth and one more, so that this thread reads and
 * sorts the next window while the main thread writes the second half of the previous one (reading a
 * window takes about half the time of writing it). Two, as before the window, left the writer waiting
 * for each window to be read (84 s instead of 58 s for 1 M rows); a whole window’s worth held 16 MB more.
 */
const IN_FLIGHT = Math.ceil(setup.windowRows / setup.batchSize / 2) + 1;
const post = (m: FromReader) => port.postMessage(m);

let waiting = 0;
let resume: (() => void) | null = null;
port.on('message', (m: ToReader) => {
  if (m.type === 'written') {
    waiting--;
    resume?.();
    resume = null;
  }
});

const stream = createReadStream(setup.file);
try {
  const end = await readExchangeFile(stream, setup, importRules(setup, loadCommuneCodes()), {
    header: (presentFields) => post({ type: 'header', presentFields }),
    batch: async (batch) => {
      waiting++;
      post({ type: 'batch', batch, bytesRead: stream.bytesRead });
      while (waiting >= IN_FLIGHT) await new Promise<void>((r) => (resume = r));
    },
  });
  post({ type: 'end', ...end });
} catch (error) {
  post(
    error instanceof HeaderError
      ? { type: 'refused', field: error.field, message: error.message }
      : { type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) },
  );
} finally {
  stream.destroy();
  port.close();
}
