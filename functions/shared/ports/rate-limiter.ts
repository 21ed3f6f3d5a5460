/** Contact slots under a per-second rate per channel (Connect's and SES's API quotas). */
export interface RateLimiter {
  /** Reserves a slot in the second of `from` or later; returns the second it got. */
  reserve(channel: string, from: Date, perSecond: number): Promise<Date>;
}
