/** Labellisation uploads use the shared checks (also used by the escalade's attachments, issue 13). */
export * from '../shared/uploaded-files.js';
