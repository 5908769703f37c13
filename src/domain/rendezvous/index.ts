/** Rendez-vous (issue 15): motifs, agents' weekly plages, free slots, bookings. Pure: no I/O. */
export * from './availability.js';
export * from './booking.js';
export * from './motif.js';
export * from './slots.js';
