/** Moved to ports/ and dynamo-aggregate-store.ts: kept while the handlers' imports move there. */
import type { AggregateStore as Port } from '../ports/aggregate-store.js';
import { DynamoAggregateStore } from './dynamo-aggregate-store.js';

export type { AggregateRow } from '../ports/aggregate-store.js';
export { countersOfItem } from './dynamo-aggregate-store.js';
export type AggregateStore = Port;
export const AggregateStore = DynamoAggregateStore;
