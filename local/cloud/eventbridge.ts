import { matchesPattern } from '../event-patterns.js';
import { arnOf, resolve, resourcesOfType } from '../template.js';
import type { AsyncDelivery, DeliveryTarget } from './async-delivery.js';
import type { CloudCore, Invoker } from './core.js';
import { checkPutEvents, refuse } from './limits.js';

/** EventBridge: the template's rules, matched against every event put on a bus and delivered to their targets. */

export interface PublishedEvent {
  busName: string;
  event: Record<string, unknown>;
}

/** A PutEvents request entry, as the SDK sends it. */
export interface EventEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string;
}

interface Rule {
  busName: string;
  pattern: Record<string, unknown>;
  targets: DeliveryTarget[];
}

type RuleProperties = {
  EventBusName?: string;
  EventPattern: Record<string, unknown>;
  Targets: { Arn: string; RoleArn?: string; DeadLetterConfig?: { Arn: string } }[];
};

export class LocalEventBridge {
  /** Every event accepted on a bus, in order (upstream events and the system's own). */
  readonly publishedEvents: PublishedEvent[] = [];
  private readonly rules: Rule[] = [];
  private readonly deliveries = new Map<string, Promise<unknown>>();

  constructor(
    private readonly core: CloudCore,
    private readonly delivery: AsyncDelivery,
  ) {
    const { template } = core;
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Events::Rule')) {
      const props = resolve(template, resource.Properties) as RuleProperties;
      const ruleArn = arnOf(template, logicalId);
      const targets = props.Targets.map((t) => ({ arn: t.Arn, dlq: t.DeadLetterConfig?.Arn, invoker: ruleInvoker(ruleArn, t.RoleArn) }));
      this.rules.push({ busName: props.EventBusName ?? 'default', pattern: props.EventPattern, targets });
    }
  }

  putEvents(entries: EventEntry[]) {
    const { core } = this;
    core.count('EventBridge', 'PutEvents');
    refuse(checkPutEvents(entries));
    const results = entries.map((entry) => {
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (!detail || typeof detail !== 'object' || Array.isArray(detail))
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
      const busName = (entry.EventBusName ?? 'default').split('/').pop()!;
      const event = {
        version: '0',
        id: core.nextId('evt'),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '000000000000',
        time: core.nowIso().replace(/\.\d{3}Z$/, 'Z'),
        region: 'us-east-1',
        resources: entry.Resources ?? [],
        detail,
      };
      this.publishedEvents.push({ busName, event });
      const pending: Promise<unknown>[] = [];
      for (const rule of this.rules) {
        if (rule.busName !== busName || !matchesPattern(rule.pattern, event)) continue;
        for (const target of rule.targets) {
          core.clock.hold();
          pending.push(this.delivery.deliver(target, event).finally(() => core.clock.release()));
        }
      }
      this.deliveries.set(
        event.id,
        Promise.allSettled(pending).finally(() => this.deliveries.delete(event.id)),
      );
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  /** Resolves when every target of the event has had it (delivered or dead-lettered). */
  async delivered(eventId: string): Promise<void> {
    await this.deliveries.get(eventId);
  }
}

/** EventBridge invokes a Lambda target on the function's resource policy, other targets with the target's role. */
function ruleInvoker(ruleArn: string, roleArn: string | undefined): Invoker {
  const context = { 'aws:SourceArn': ruleArn };
  const principal = roleArn
    ? { kind: 'role' as const, roleArn, sessionName: 'events' }
    : { kind: 'service' as const, service: 'events.amazonaws.com' };
  return { principal, context };
}
