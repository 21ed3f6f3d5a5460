/**
 * The one source of "now" for handlers. AWS runs on the wall clock; the local stack and the
 * simulator install a virtual clock so a month of follow-ups runs in seconds. A handler that must
 * wait (for its turn under a send rate) waits on the same clock.
 */
let current: () => Date = () => new Date();
let sleeper: (until: Date) => Promise<void> = (until) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, until.getTime() - Date.now())));

export const clock = {
  now: (): Date => current(),
  /** Resolves at `until` (at once when it has passed). */
  sleepUntil: (until: Date): Promise<void> => (until.getTime() <= current().getTime() ? Promise.resolve() : sleeper(until)),
};

export function useClock(now: () => Date, sleepUntil?: (until: Date) => Promise<void>): void {
  current = now;
  if (sleepUntil) sleeper = sleepUntil;
}
