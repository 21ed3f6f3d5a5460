import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/shared/adapters/table.js';
import type { Complaint } from '../../functions/shared/domain/complaint.js';
import type { FollowUp } from '../../functions/shared/domain/follow-up.js';
import type { FinalOutcome } from '../../functions/shared/ports/follow-up-store.js';
import type { AgentTaskRecord, SentEmail } from '../../local/cloud/index.js';
import { peakContactRate } from '../../local/simulation-summary.js';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.js';

export type StoredFollowUp = FollowUp & { outcome?: FinalOutcome; expiresAt: number };

/**
 * The SES account tests run against: still in the sandbox (200 a day, 1 a second), with the
 * domain of every test address verified, as an operator verifies their own domain before going
 * live. A test about production sending or unverified recipients passes its own `ses`.
 */
export const TEST_SES: NonNullable<LocalStackOptions['ses']> = { production: false, verified: ['example.com'] };

/** A local stack on a manual clock, with the verbs workflow tests speak in. */
export class Harness {
  private constructor(
    readonly stack: LocalStack,
    private readonly events: EventBridgeClient,
    private readonly db: DynamoDBDocumentClient,
  ) {}

  static async start(
    start: Date,
    { schedules = false, ses = TEST_SES, template }: Pick<LocalStackOptions, 'schedules' | 'ses' | 'template'> = {},
  ): Promise<Harness> {
    const stack = await startLocalStack({ clock: 'manual', start, logLevel: 'SILENT', schedules, ses, template });
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    return new Harness(
      stack,
      new EventBridgeClient({ endpoint: stack.awsUrl, region: 'us-east-1', credentials }),
      DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoUrl, region: 'us-east-1', credentials })),
    );
  }

  get cloud() {
    return this.stack.cloud;
  }

  now(): Date {
    return this.stack.clock.now();
  }

  /** Publishes events to the bus the way an upstream system does, then lets the system settle. */
  async publish(detailType: string, detail: unknown, source = 'dealer.dms') {
    const result = await this.stack.clock.track(() =>
      this.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.stack.busName,
              Source: source,
              DetailType: detailType,
              Detail: typeof detail === 'string' ? detail : JSON.stringify(detail),
            },
          ],
        }),
      ),
    );
    await this.stack.clock.settle();
    return result;
  }

  /** Several events in one PutEvents call, as an upstream system sends a batch: their rules run at the same moment. */
  async publishTogether(detailType: string, details: unknown[], source = 'dealer.dms') {
    const Entries = details.map((detail) => ({
      EventBusName: this.stack.busName,
      Source: source,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
    }));
    await this.stack.clock.track(() => this.events.send(new PutEventsCommand({ Entries })));
    await this.stack.clock.settle();
  }

  async runUntil(iso: string) {
    await this.stack.clock.runUntil(Date.parse(iso));
  }

  tasksFor(followUpId: string): AgentTaskRecord[] {
    return this.cloud.agentTasks.filter((t) => t.attributes.followUpId === followUpId);
  }

  managerTasks(complaintId: string): AgentTaskRecord[] {
    return this.cloud.agentTasks.filter((t) => t.attributes.complaintId === complaintId);
  }

  async complaint(complaintId: string): Promise<(Complaint & { waitingToken?: string }) | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.stack.tableName, Key: keys.complaint(complaintId) }));
    return Item as (Complaint & { waitingToken?: string }) | undefined;
  }

  emailsTo(address: string): SentEmail[] {
    return this.cloud.outbox.filter((m) => m.to.includes(address));
  }

  /** What an agent or customer does: submit the linked form as JSON. */
  async submit(url: string, body: Record<string, unknown>): Promise<{ status: number; body: { code: string; message: string } }> {
    const response = await this.stack.clock.track(() =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      }),
    );
    const parsed = (await response.json()) as { code: string; message: string };
    await this.stack.clock.settle();
    return { status: response.status, body: parsed };
  }

  async followUp(followUpId: string): Promise<StoredFollowUp | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.stack.tableName, Key: keys.followUp(followUpId) }));
    return Item as StoredFollowUp | undefined;
  }

  async items(kind: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.stack.tableName,
          ExclusiveStartKey: start,
          FilterExpression: 'kind = :k',
          ExpressionAttributeValues: { ':k': kind },
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Most Connect tasks created in any one second and in any one minute: the quota figures. */
  peakContactRate() {
    return peakContactRate(this.cloud.contactStarts);
  }

  executionOf(followUpId: string) {
    return [...this.cloud.executions.values()].find((e) => e.name === followUpId);
  }

  async stop() {
    await this.stack.stop();
  }
}

export function linkIn(email: SentEmail): string {
  const match = /https?:\/\/\S+\/links\/[\w.-]+/.exec(email.text);
  if (!match) throw new Error('no survey link in the email');
  return match[0];
}
