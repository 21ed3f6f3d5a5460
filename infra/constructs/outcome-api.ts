import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';
import { FollowUpFunction } from './follow-up-function.js';
import { grantItemReadWrite } from './table-access.js';
import { grantTaskCallbacks } from './workflow-state-machine.js';

/**
 * The outcome API: agents' outcome forms and customers' surveys arrive here as signed,
 * expiring, single-use links, and resume the waiting follow-up.
 */
export class OutcomeApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly signingSecret: secretsmanager.Secret;
  readonly handler: FollowUpFunction;
  /** Base URL of the links; depends only on the API itself, so functions can embed it without a cycle. */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: { table: dynamodb.ITable }) {
    super(scope, id);
    this.signingSecret = new secretsmanager.Secret(this, 'LinkSigningKey', {
      description: 'HMAC key for follow-up links: {currentId, current, previousId?, previous?}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ currentId: 'k1' }),
        generateStringKey: 'current',
        passwordLength: 48,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.signingSecret,
      'AwsSolutions-SMG4',
      'Rotation is an operator step (README "Rotating the link key"): the new key becomes current and the old one previous, so links ' +
        'already sent keep working until they expire.',
    );

    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Signed follow-up links: agent outcome forms and customer surveys',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new apigw.HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        // No path: the path is the signed link itself.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
          }),
        ),
      },
    });
    this.baseUrl = `https://${this.api.apiId}.execute-api.${this.api.stack.region}.${this.api.stack.urlSuffix}`;

    this.handler = new FollowUpFunction(this, 'Handler', {
      folder: 'outcome-api',
      description: 'Validates signed links, stores answers and resumes the follow-up',
      timeout: Duration.seconds(10),
      environment: { FOLLOW_UP_TABLE: props.table.tableName, SIGNING_SECRET_ARN: this.signingSecret.secretArn },
    });
    grantItemReadWrite(props.table, this.handler.fn);
    this.signingSecret.grantRead(this.handler.fn);
    const integration = new HttpLambdaIntegration('Links', this.handler.fn);
    // Every method reaches the function, which answers GET and POST and refuses the rest with 405
    // and Allow: routes for GET and POST alone would leave API Gateway answering PUT with a 404.
    this.api.addRoutes({ path: '/links/{token}', methods: [apigw.HttpMethod.ANY], integration });
    // Alibaba Cloud SMS's delivery reports (SmsReport, HTTP batch push): the function serves them with the
    // same table, key and workflow grants, so no role gains anything; the token in the path is derived from the link key.
    this.api.addRoutes({ path: '/sms-reports/{token}', methods: [apigw.HttpMethod.POST], integration });
    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'The routes are capability URLs: each request carries an HMAC-signed, expiring, single-use token that the function verifies; ' +
        "agents and customers have no AWS identity, nor does Alibaba's report push, whose URL carries an HMAC of the link key.",
    );
  }

  /** Lets the API hand results back to waiting executions of this workflow. */
  resumes(stateMachine: sfn.IStateMachine): void {
    grantTaskCallbacks(this.handler.role, stateMachine.stateMachineArn);
  }
}
