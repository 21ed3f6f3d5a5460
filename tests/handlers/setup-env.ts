/** Environment the handlers read, as the CDK stack sets it. Imported before any handler. */
Object.assign(process.env, {
  FOLLOW_UP_TABLE: 'FollowUps',
  FOLLOW_UP_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:FollowUp',
  EVENT_BUS_NAME: 'customer-follow-up',
  OUTCOME_BASE_URL: 'https://links.example.com',
  SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:link-key',
  CONNECT_INSTANCE_ID: 'instance-1',
  CONNECT_CONTACT_FLOW_ID: 'flow-1',
  SENDER_EMAIL: 'follow-up@example.com',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
process.env.REPORT_BUCKET = 'follow-up-reports';
