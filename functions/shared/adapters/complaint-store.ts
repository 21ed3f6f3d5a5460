/** Moved to ports/ and dynamo-complaint-store.ts: kept while the handlers' imports move there. */
import type { ComplaintStore as Port } from '../ports/complaint-store.js';
import { DynamoComplaintStore } from './dynamo-complaint-store.js';

export type ComplaintStore = Port;
export const ComplaintStore = DynamoComplaintStore;
