/**
 * Time for the local stack. In "follow" mode it runs with the wall clock (plus any jumps the
 * user asks for); in "manual" mode it only moves when the simulator advances it, so a month of
 * follow-ups runs in seconds. It also knows when the system is idle: every piece of work that is
 * not waiting on the clock or on a person holds a "busy" mark.
 */
/** What a wake-up belongs to: a workflow execution's Wait or task timeout, or a schedule (reports, dormant run). */
export type WakeUpOwner = 'execution' | 'schedule';

interface Sleeper {
  at: number;
  owner?: WakeUpOwner;
  /** Orders wake-ups at the same instant independently of registration order (determinism). */
  key: string;
  seq: number;
  wake: () => void;
}

const before = (a: Sleeper, b: Sleeper) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.seq - b.seq;

export class VirtualClock {
  private offsetMs: number;
  private manualNow: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    readonly mode: 'follow' | 'manual',
    start: Date = new Date(),
  ) {
    this.manualNow = start.getTime();
    this.offsetMs = start.getTime() - Date.now();
    if (mode === 'follow') {
      this.ticker = setInterval(() => this.fireDue(), 200);
      this.ticker.unref();
    }
  }

  now = (): Date => new Date(this.nowMs());

  nowMs(): number {
    return this.mode === 'manual' ? this.manualNow : Date.now() + this.offsetMs;
  }

  /** Resolves when the clock reaches `at`. The caller stops counting as busy while it sleeps. */
  sleepUntil(
    at: Date | number,
    { busy = true, key = '', owner }: { busy?: boolean; key?: string; owner?: WakeUpOwner } = {},
  ): Promise<void> {
    const target = typeof at === 'number' ? at : at.getTime();
    if (target <= this.nowMs()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      if (busy) this.release();
      this.insert({
        at: target,
        owner,
        key,
        seq: this.seq++,
        wake: () => {
          if (busy) this.hold();
          resolve();
        },
      });
    });
  }

  private insert(sleeper: Sleeper): void {
    let lo = 0;
    let hi = this.sleepers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.sleepers[mid]!, sleeper) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.sleepers.splice(lo, 0, sleeper);
  }

  /**
   * A cancellable wake-up that does not count as busy (a timeout racing a person's answer).
   * `onFire` runs with the clock held, like a sleeper waking.
   */
  timer(at: number, onFire: () => void, key = '', owner?: WakeUpOwner): () => void {
    const sleeper: Sleeper = { at, owner, key, seq: this.seq++, wake: () => onFire() };
    this.insert(sleeper);
    return () => {
      const index = this.sleepers.indexOf(sleeper);
      if (index >= 0) this.sleepers.splice(index, 1);
    };
  }

  /** The earliest time someone is waiting for, if any; with `owner`, the earliest of that owner's wake-ups. */
  nextWakeUp(owner?: WakeUpOwner): number | undefined {
    return (owner ? this.sleepers.find((s) => s.owner === owner) : this.sleepers[0])?.at;
  }

  /** The earliest wake-up and what it belongs to (untagged: a function's own short wait, e.g. a send slot). */
  peek(): { at: number; owner?: WakeUpOwner } | undefined {
    const first = this.sleepers[0];
    return first ? { at: first.at, owner: first.owner } : undefined;
  }

  pendingSleepers(): number {
    return this.sleepers.length;
  }

  /** Moves time forward (never back) and wakes everyone due. */
  advanceTo(at: number): void {
    if (this.mode === 'manual') this.manualNow = Math.max(this.manualNow, at);
    else this.offsetMs = Math.max(this.offsetMs, at - Date.now());
    this.fireDue();
  }

  private fireDue(): void {
    const now = this.nowMs();
    while (this.sleepers.length > 0 && this.sleepers[0]!.at <= now) this.sleepers.shift()!.wake();
  }

  hold(): void {
    this.busy += 1;
  }

  release(): void {
    this.busy -= 1;
    if (this.busy < 0) throw new Error('virtual clock: release without hold');
    if (this.busy === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  /** Runs `work` as busy: the clock will not move on until it finishes. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.hold();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Resolves once nothing is busy, after letting pending I/O callbacks run. */
  async settle(): Promise<void> {
    for (;;) {
      if (this.busy > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.busy === 0) return;
    }
  }

  /**
   * Manual mode: runs everything due up to `end`, jumping from one wake-up to the next.
   * `onStep` sees each new time (the simulator uses it for progress).
   */
  async runUntil(end: number, onStep?: (now: number) => void): Promise<void> {
    for (;;) {
      await this.settle();
      const next = this.sleepers[0];
      if (!next || next.at > end) break;
      // One wake-up at a time, each run to quiescence: the same scenario replays identically.
      if (this.mode === 'manual') this.manualNow = Math.max(this.manualNow, next.at);
      else this.offsetMs = Math.max(this.offsetMs, next.at - Date.now());
      this.sleepers.shift()!.wake();
      onStep?.(next.at);
    }
    this.advanceTo(end);
    await this.settle();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
  }
}
