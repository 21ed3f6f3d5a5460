/** Moved to ports/ and dynamo-customer-index.ts: kept while the handlers' imports move there. */
import type { CustomerIndex as Port } from '../ports/customer-index.js';
import { DynamoCustomerIndex } from './dynamo-customer-index.js';

export type { DormancyEntry } from '../ports/customer-index.js';
export { dormancyMonth, lastServiceExpiry, type DormancyRules } from './dynamo-customer-index.js';
export type CustomerIndex = Port;
export const CustomerIndex = DynamoCustomerIndex;
