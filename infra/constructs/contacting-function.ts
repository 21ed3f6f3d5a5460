import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { ContactCenter } from './contact-center.js';
import { grantAgentTasks } from './contact-grants.js';
import type { EmailSending } from './email-sending.js';
import { FollowUpFunction, type FollowUpFunctionProps } from './follow-up-function.js';
import { grantItemReadWrite } from './table-access.js';

/** What a function that contacts people (customers, managers) works with. */
export interface ContactingProps {
  table: dynamodb.ITable;
  signingSecret: secretsmanager.ISecret;
  /** Where the signed outcome and survey links it sends point. */
  outcomeBaseUrl: string;
  contactCenter: ContactCenter;
  email: EmailSending;
}

/**
 * A function that contacts people: it reads and writes the table, signs the links it sends, creates
 * Connect tasks and sends email, and is granted exactly that.
 */
export function contactingFunction(
  scope: Construct,
  id: string,
  fn: Pick<FollowUpFunctionProps, 'folder' | 'description' | 'alibabaSms'>,
  props: ContactingProps,
): FollowUpFunction {
  const contacting = new FollowUpFunction(scope, id, {
    ...fn,
    environment: {
      FOLLOW_UP_TABLE: props.table.tableName,
      OUTCOME_BASE_URL: props.outcomeBaseUrl,
      SIGNING_SECRET_ARN: props.signingSecret.secretArn,
      ...props.contactCenter.taskEnvironment(),
      ...props.email.environment(),
    },
  });
  grantItemReadWrite(props.table, contacting.fn);
  props.signingSecret.grantRead(contacting.fn);
  grantAgentTasks(contacting.role, props.contactCenter);
  props.email.grantSend(contacting.role);
  return contacting;
}
