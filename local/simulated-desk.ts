import { DateTime } from 'luxon';
import { policyConfig } from '../functions/shared/config/policies.js';
import { durationSeconds } from '../functions/shared/domain/schedule.js';
import type { AgentTaskRecord } from './cloud/index.js';
import { between, type Scenario } from './scenario.js';
import { carriedMatters, joinedAnswers, phoneCall } from './simulated-people.js';
import type { LocalStack } from './stack.js';

const DAY = 86_400_000;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/**
 * The agents at the desk: during their shift each free agent takes the oldest open task, talks
 * for the handling time, and submits the outcome form. Dispatch runs one second after something
 * changes, so every task created at the same instant is on the desk before anyone picks.
 */
export class SimulatedDesk {
  private readonly pending: AgentTaskRecord[] = [];
  private readonly agents: { id: number; freeAt: number }[];
  private dispatchAt: number | undefined;
  private cancelDispatch: () => void = () => {};
  readonly handled = { calls: 0, stale: 0 };

  constructor(
    private readonly stack: LocalStack,
    private readonly s: Scenario,
  ) {
    this.agents = Array.from({ length: s.agents.count }, (_, id) => ({ id, freeAt: 0 }));
    stack.cloud.onAgentTask((task) => {
      if (!task.attributes.followUpId) return;
      this.pending.push(task);
      this.requestDispatch(stack.clock.nowMs() + 1000);
    });
  }

  private onShift(at: number): boolean {
    const t = DateTime.fromMillis(at, { zone: this.s.timeZone });
    const minute = t.hour * 60 + t.minute;
    return (
      this.s.agents.weekdays.includes(t.weekday) &&
      minute >= minutesOf(this.s.agents.shift[0]) &&
      minute < minutesOf(this.s.agents.shift[1])
    );
  }

  private nextShiftStart(at: number): number {
    let day = DateTime.fromMillis(at, { zone: this.s.timeZone }).startOf('day');
    for (let i = 0; i < 14; i += 1, day = day.plus({ days: 1 })) {
      const opens = day.plus({ minutes: minutesOf(this.s.agents.shift[0]) }).toMillis();
      if (this.s.agents.weekdays.includes(day.weekday) && opens > at) return opens;
    }
    return at + DAY;
  }

  private requestDispatch(at: number) {
    if (this.dispatchAt !== undefined && this.dispatchAt <= at) return;
    this.cancelDispatch();
    this.dispatchAt = at;
    this.cancelDispatch = this.stack.clock.timer(
      at,
      () => {
        this.dispatchAt = undefined;
        this.dispatch();
      },
      'desk',
    );
  }

  private dispatch() {
    const now = this.stack.clock.nowMs();
    // Tasks the workflow stopped waiting for have left the desk.
    for (let i = this.pending.length - 1; i >= 0; i -= 1) {
      const task = this.pending[i]!;
      const step = policyConfig.policies[task.attributes.serviceType ?? '']?.channels.find((c) => c.channel === 'phone');
      if (step && Date.parse(task.createdAt) + durationSeconds(step.responseTimeout) * 1000 <= now) {
        this.pending.splice(i, 1);
        this.handled.stale += 1;
      }
    }
    if (this.pending.length === 0) return;
    if (!this.onShift(now)) return this.requestDispatch(this.nextShiftStart(now));
    this.pending.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.clientToken.localeCompare(b.clientToken));
    for (const agent of this.agents) {
      if (agent.freeAt > now || this.pending.length === 0) continue;
      const task = this.pending.shift()!;
      const handling = Math.round(between(this.s.seed, `handling:${task.clientToken}`, this.s.agents.handlingMinutes) * 60_000);
      agent.freeAt = now + handling;
      this.stack.clock.timer(agent.freeAt, () => void this.stack.clock.track(() => this.complete(task)), `call:${task.clientToken}`);
    }
    if (this.pending.length > 0) this.requestDispatch(Math.min(...this.agents.map((a) => a.freeAt)));
  }

  private async complete(task: AgentTaskRecord) {
    const survey = policyConfig.surveys[policyConfig.policies[task.attributes.serviceType ?? '']!.survey]!;
    const body = phoneCall(this.s.seed, task.clientToken, survey, this.s.behaviour, this.stack.clock.nowMs(), this.s.timeZone);
    // A task about several matters (一事一扰): the agent asks each matter's questions, which its form lists.
    if (body.result === 'reached' && Number(task.attributes.matters ?? 1) > 1) {
      const matters = await carriedMatters(this.stack, task.outcomeFormUrl);
      if (matters.length > 0) body.joined = joinedAnswers(this.s.seed, task.clientToken, matters, this.s.behaviour);
    }
    await this.stack.fetch(task.outcomeFormUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    this.handled.calls += 1;
    this.requestDispatch(this.stack.clock.nowMs() + 1000);
  }
}
