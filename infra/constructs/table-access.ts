import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Item access to the follow-up table, limited to the operations the handlers use. CDK's
 * grantRead*Data would add Scan, the batch writes, DescribeTable and the stream reads
 * (GetRecords, GetShardIterator) of a table that has no stream; the IAM enforcement test
 * (tests/local-cloud/iam-enforcement.test.ts) fails on any statement no request needs.
 */
const READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

export function grantItemReads(table: dynamodb.ITable, grantee: iam.IGrantable): void {
  table.grant(grantee, ...READS);
}

export function grantItemReadWrite(table: dynamodb.ITable, grantee: iam.IGrantable): void {
  table.grant(grantee, ...READS, ...WRITES);
}
