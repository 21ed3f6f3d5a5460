/**
 * The one source of "now" for handlers. AWS runs on the wall clock; the local stack and the
 * simulator install a virtual clock so a month of follow-ups runs in seconds.
 */
let current: () => Date = () => new Date();

export const clock = {
  now: (): Date => current(),
};

export function useClock(now: () => Date): void {
  current = now;
}
