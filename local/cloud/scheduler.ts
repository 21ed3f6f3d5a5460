import { CronExpressionParser } from 'cron-parser';
import { resolve, resourcesOfType } from '../template.js';
import type { AsyncDelivery } from './async-delivery.js';
import type { CloudCore, Invoker } from './core.js';

/** EventBridge Scheduler: the template's cron schedules, run on the virtual clock. */

interface Schedule {
  name: string;
  cron: string;
  timeZone: string;
  target: string;
  roleArn: string;
  input: unknown;
  dlq?: string;
}

type ScheduleProperties = {
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State?: string;
  Target: { Arn: string; RoleArn: string; Input?: string; DeadLetterConfig?: { Arn: string } };
};

export class LocalScheduler {
  private readonly schedules: Schedule[] = [];

  constructor(
    private readonly core: CloudCore,
    private readonly delivery: AsyncDelivery,
  ) {
    for (const [name, resource] of resourcesOfType(core.template, 'AWS::Scheduler::Schedule')) {
      const props = resolve(core.template, resource.Properties) as ScheduleProperties;
      const cron = /^cron\((.+)\)$/.exec(props.ScheduleExpression)?.[1];
      if (!cron || props.State === 'DISABLED') continue;
      // AWS cron has six fields (the last is the year) and "?" for "any": cron-parser takes five.
      const fields = cron
        .split(' ')
        .slice(0, 5)
        .map((f) => (f === '?' ? '*' : f));
      const { Target: target } = props;
      this.schedules.push({
        name,
        cron: fields.join(' '),
        timeZone: props.ScheduleExpressionTimezone ?? 'UTC',
        target: target.Arn,
        roleArn: target.RoleArn,
        input: JSON.parse(target.Input ?? '{}'),
        dlq: target.DeadLetterConfig?.Arn,
      });
    }
  }

  /** Arms every schedule of the template on the clock; each run re-arms the next one. */
  start(): void {
    const { clock } = this.core;
    for (const schedule of this.schedules) {
      const arm = () => {
        const next = CronExpressionParser.parse(schedule.cron, { currentDate: new Date(clock.nowMs()), tz: schedule.timeZone })
          .next()
          .toDate()
          .getTime();
        const run = () => {
          this.core.count('Scheduler', 'Invoke');
          const invoker: Invoker = { principal: { kind: 'role', roleArn: schedule.roleArn, sessionName: schedule.name } };
          // Not tracked here: the invocation takes its own busy mark synchronously.
          void this.delivery.deliver({ arn: schedule.target, dlq: schedule.dlq, invoker }, schedule.input as Record<string, unknown>);
          arm();
        };
        clock.timer(next, run, `schedule:${schedule.name}`, 'schedule');
      };
      arm();
    }
  }

  names(): string[] {
    return this.schedules.map((s) => s.name);
  }
}
