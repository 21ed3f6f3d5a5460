import type { WireResponse } from '../in-process-transport.js';

/**
 * DynamoDB's TransactWriteItems on dynalite, which has no transactions: the items are applied one
 * by one as the single-item operations they are (so dynalite validates each exactly as it would
 * alone), while no other request reaches the table (the caller holds the table exclusively), and
 * undone from their before-images if one fails. What AWS refuses is refused the same way: more
 * than 100 items, two operations on one item, an item that is not exactly one operation, a
 * condition that fails (TransactionCanceledException with a reason per item, nothing written), a
 * client token reused for other items (IdempotentParameterMismatchException). A token repeated
 * with the same items answers as the first success did without writing again, as AWS does.
 */

type Body = Record<string, unknown>;
type AttributeValue = Record<string, unknown>;

/** One single-item request to dynalite: its answer's status and parsed body. */
export type ItemCall = (operation: string, body: Body) => Promise<{ status: number; body: Body }>;

const MAX_ITEMS = 100;
/** Where DynamoDB's validation error places a ConditionCheck's missing condition. */
const CONDITION_CHECK_EXPRESSION = 'transactItems.member.conditionCheck.conditionExpression';
const NOT_NULL = 'Member must not be null';
const KINDS = ['ConditionCheck', 'Put', 'Delete', 'Update'] as const;
type Kind = (typeof KINDS)[number];

interface Planned {
  kind: Kind;
  spec: Body;
  table: string;
  key: Record<string, AttributeValue> | undefined;
}

function answer(status: number, body: Body): WireResponse {
  const payload = JSON.stringify(body);
  return {
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(Buffer.byteLength(payload)),
      'x-amzn-requestid': 'local',
    },
    body: payload,
  };
}

const refusal = (type: string, message: string) => answer(400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

export class DynamoTransactions {
  private readonly keySchemas = new Map<string, string[]>();
  /** Successful transactions by client token: the items they were, and the answer to repeat. */
  private readonly done = new Map<string, { items: string; answer: WireResponse }>();

  /** `call` sends one single-item request as this transaction's caller. */
  async write(body: Body, call: ItemCall): Promise<WireResponse> {
    const items = body.TransactItems;
    if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS) {
      const count = Array.isArray(items) ? items.length : 0;
      return refusal(
        'ValidationException',
        `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length ${
          count < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ITEMS}`
        }`,
      );
    }
    const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
    const itemsKey = JSON.stringify(items);
    if (token) {
      const earlier = this.done.get(token);
      if (earlier && earlier.items !== itemsKey)
        return refusal('IdempotentParameterMismatchException', 'Request token cannot be reused with different parameters');
      if (earlier) return earlier.answer;
    }
    const planned: Planned[] = [];
    for (const item of items as Body[]) {
      const kinds = KINDS.filter((kind) => item && typeof item === 'object' && item[kind] !== undefined);
      if (kinds.length !== 1) return refusal('ValidationException', 'TransactItems can only contain one of Check, Put, Update or Delete');
      const kind = kinds[0]!;
      const spec = item[kind] as Body;
      // A ConditionCheck is nothing but its condition: DynamoDB requires it.
      if (kind === 'ConditionCheck' && typeof spec.ConditionExpression !== 'string')
        return refusal(
          'ValidationException',
          `1 validation error detected: Value null at '${CONDITION_CHECK_EXPRESSION}' failed to satisfy constraint: ${NOT_NULL}`,
        );
      const table = String(spec.TableName);
      const schema = await this.keySchema(table, call);
      if ('status' in schema) return answer(schema.status, schema.body);
      const source = (kind === 'Put' ? spec.Item : spec.Key) as Record<string, AttributeValue> | undefined;
      const key = source && schema.every((name) => source[name] !== undefined) ? pick(source, schema) : undefined;
      planned.push({ kind, spec, table, key });
    }
    const identities = planned.filter((p) => p.key).map((p) => `${p.table} ${JSON.stringify(p.key)}`);
    if (new Set(identities).size !== identities.length)
      return refusal('ValidationException', 'Transaction request cannot include multiple operations on one item');

    /** Each item's image before the transaction: what an undo restores and a condition check writes back. */
    const before: (Body | undefined)[] = [];
    const imageOf = async (i: number): Promise<Body | undefined> => {
      const p = planned[i]!;
      if (!p.key) return undefined;
      const got = await call('GetItem', { TableName: p.table, Key: p.key, ConsistentRead: true });
      if (got.status !== 200) throw Object.assign(new Error('read failed'), { answer: got });
      return got.body.Item as Body | undefined;
    };
    const applied: number[] = [];
    const reasons: Body[] = planned.map(() => ({ Code: 'None' }));
    /** Capacity by table: a transaction costs twice the units of its items' single-item operations. */
    const units = new Map<string, number>();
    let cancelled = false;
    // A read the transaction needed was refused: nothing of it stays, and the caller hears that refusal.
    const refusedRead = async (error: unknown) => {
      const refused = (error as { answer?: { status: number; body: Body } }).answer;
      if (!refused) throw error;
      await undo(planned, before, applied, call);
      return answer(refused.status, refused.body);
    };
    for (const [i, p] of planned.entries()) {
      // After a failed condition only the remaining conditions are evaluated, to report them all.
      const checkOnly = cancelled || p.kind === 'ConditionCheck';
      if (checkOnly) {
        try {
          before[i] = await imageOf(i);
        } catch (error) {
          return refusedRead(error);
        }
      }
      const result = checkOnly ? await check(p, before[i], call) : await apply(p, call);
      // A write returns the image it replaced (ALL_OLD).
      if (!checkOnly && result.status === 200) before[i] = result.body.Attributes as Body | undefined;
      if (result.status === 200) {
        if (!cancelled && p.kind !== 'ConditionCheck') applied.push(i);
        // A condition check reads the item (one unit per started 4 KB; these items are small).
        const used = p.kind === 'ConditionCheck' ? 1 : Number((result.body.ConsumedCapacity as Body | undefined)?.CapacityUnits ?? 0);
        units.set(p.table, (units.get(p.table) ?? 0) + 2 * used);
        continue;
      }
      const type = String(result.body.__type ?? '');
      if (!type.endsWith('#ConditionalCheckFailedException')) {
        await undo(planned, before, applied, call);
        return answer(result.status, result.body);
      }
      cancelled = true;
      // Nothing was written for this item, so its image now is its image before.
      let image: Body | undefined;
      try {
        image = p.spec.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? (before[i] ?? (await imageOf(i))) : undefined;
      } catch (error) {
        return refusedRead(error);
      }
      reasons[i] = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(image ? { Item: image } : {}) };
    }
    if (cancelled) {
      await undo(planned, before, applied, call);
      return answer(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        CancellationReasons: reasons,
      });
    }
    const capacity = [...units].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits }));
    const success = answer(
      200,
      body.ReturnConsumedCapacity && body.ReturnConsumedCapacity !== 'NONE' ? { ConsumedCapacity: capacity } : {},
    );
    if (token) this.done.set(token, { items: itemsKey, answer: success });
    return success;
  }

  private async keySchema(table: string, call: ItemCall): Promise<string[] | { status: number; body: Body }> {
    const known = this.keySchemas.get(table);
    if (known) return known;
    const described = await call('DescribeTable', { TableName: table });
    if (described.status !== 200) return described;
    const schema = ((described.body.Table as Body).KeySchema as { AttributeName: string }[]).map((k) => k.AttributeName);
    this.keySchemas.set(table, schema);
    return schema;
  }
}

/** The item's own operation, as PutItem, UpdateItem or DeleteItem take it. */
function apply(p: Planned, call: ItemCall) {
  const { ReturnValuesOnConditionCheckFailure: _, ...single } = p.spec;
  return call(`${p.kind}Item`, { ...single, ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' });
}

/** Only the item's condition: the item written back as it was (or deleted if it was not there) under that condition. */
function check(p: Planned, image: Body | undefined, call: ItemCall): ReturnType<ItemCall> {
  const condition = p.spec.ConditionExpression;
  // A write without a condition, after another item's failed: nothing to report for it.
  if (condition === undefined) return Promise.resolve({ status: 200, body: {} });
  const common = {
    TableName: p.table,
    ConditionExpression: condition,
    ...(p.spec.ExpressionAttributeNames ? { ExpressionAttributeNames: p.spec.ExpressionAttributeNames } : {}),
    ...(p.spec.ExpressionAttributeValues ? { ExpressionAttributeValues: p.spec.ExpressionAttributeValues } : {}),
  };
  return image ? call('PutItem', { ...common, Item: image }) : call('DeleteItem', { ...common, Key: p.key });
}

async function undo(planned: Planned[], before: (Body | undefined)[], applied: number[], call: ItemCall): Promise<void> {
  for (const i of [...applied].reverse()) {
    const p = planned[i]!;
    const image = before[i];
    const undone = image
      ? await call('PutItem', { TableName: p.table, Item: image })
      : await call('DeleteItem', { TableName: p.table, Key: p.key });
    if (undone.status !== 200) throw new Error(`local DynamoDB could not undo a cancelled transaction: ${JSON.stringify(undone.body)}`);
  }
}

function pick(source: Record<string, AttributeValue>, names: string[]): Record<string, AttributeValue> {
  return Object.fromEntries(names.map((name) => [name, source[name]!]));
}
