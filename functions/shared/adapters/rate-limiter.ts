/** Moved to ports/ and dynamo-rate-limiter.ts: kept while the handlers' imports move there. */
import type { RateLimiter as Port } from '../ports/rate-limiter.js';
import { DynamoRateLimiter } from './dynamo-rate-limiter.js';

export type RateLimiter = Port;
export const RateLimiter = DynamoRateLimiter;
