/** Moved to ports/: kept while the handlers' imports move there. */
export type * from '../ports/follow-up-store.js';
