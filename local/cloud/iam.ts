import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { arnOf, LOCAL_ACCOUNT, LOCAL_REGION, resolve, resourcesOfType, type Template } from '../template.js';
import { AwsError } from './aws-error.js';

/**
 * IAM as the synthesized template declares it. Every call the local cloud serves is decided here
 * the way AWS decides it: the caller's identity policies (the statements of every AWS::IAM::Policy
 * attached to its role, and the role's inline policies) together with the resource's own policy
 * (Lambda permissions, S3 bucket, SQS queue, SNS topic and KMS key policies). The evaluation itself
 * is @cloud-copilot/iam-simulate, which knows every action's resource types and condition operators.
 */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

/** A role of the template (a function's, a state machine's, the scheduler's) or an AWS service acting on a resource policy. */
export type Principal = { kind: 'role'; roleArn: string; sessionName: string } | { kind: 'service'; service: string };

export interface AccessRequest {
  action: string;
  /** The resource ARN, or "*" for actions that support no resource-level permissions. */
  resource: string;
  context?: Record<string, string | string[]>;
}

export interface AccessRecord {
  principal: Principal;
  request: AccessRequest;
  allowed: boolean;
}

/**
 * Actions the Service Authorization Reference lists without a resource type, which AWS
 * nevertheless authorises against a resource at run time, so a grant on that resource works and
 * a grant elsewhere is refused. iam-simulate follows the reference (it insists on "*"), so these
 * are evaluated without its request validation against the resource AWS names in its AccessDenied
 * message: the state machine that owns the task token (seen in AWS's own error text,
 * "not authorized to perform: states:SendTaskFailure on resource: arn:aws:states:…:stateMachine:…",
 * and the reason aws-cdk's grantTaskResponse grants on the state machine).
 */
const RUNTIME_RESOURCE_ACTIONS: ReadonlySet<string> = new Set([
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
]);

/** Statements of AWS managed policies and keys the template refers to by name. */
function managedKeyPolicy(alias: string): PolicyDocument | undefined {
  // An AWS managed key (alias/aws/<service>) admits principals of this account calling through
  // its service; its policy cannot be changed, so AWS services such as CloudWatch are refused.
  const service = /^alias\/aws\/(\w+)$/.exec(alias)?.[1];
  if (!service) return undefined;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': LOCAL_ACCOUNT, 'kms:ViaService': `${service}.${LOCAL_REGION}.amazonaws.com` } },
      },
    ],
  };
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function principalArn(principal: Principal): string {
  return principal.kind === 'role' ? principal.roleArn : principal.service;
}

function describe(principal: Principal): string {
  if (principal.kind === 'service') return principal.service;
  const roleName = principal.roleArn.split('/').pop();
  return `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${roleName}/${principal.sessionName}`;
}

export class TemplateIam {
  /** Identity policies by role ARN. */
  private readonly identity = new Map<string, { name: string; policy: PolicyDocument }[]>();
  /** Resource policies by the ARN of the resource that owns them. */
  private readonly resourcePolicies = new Map<string, PolicyDocument>();
  /** Role ARN by function ARN, state machine ARN, schedule name. */
  readonly roleOf = new Map<string, string>();
  private readonly decisions = new Map<string, Promise<{ allowed: boolean; explicitDeny: boolean }>>();
  private readonly distinct: AccessRecord[] = [];

  constructor(private readonly template: Template) {
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::IAM::Role')) {
      const props = resource.Properties ?? {};
      if (asList(props.ManagedPolicyArns).length > 0) {
        throw new Error(`role ${logicalId} uses managed policies, which the local cloud cannot evaluate: grant with statements instead`);
      }
      const inline = asList(props.Policies as { PolicyName: string; PolicyDocument: unknown }[]).map((p) => ({
        name: `${logicalId}/${p.PolicyName}`,
        policy: resolve(template, p.PolicyDocument) as PolicyDocument,
      }));
      this.identity.set(arnOf(template, logicalId), inline);
    }
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::IAM::Policy')) {
      const props = resource.Properties ?? {};
      const policy = resolve(template, props.PolicyDocument) as PolicyDocument;
      for (const role of asList(props.Roles as { Ref: string }[])) {
        const roleArn = arnOf(template, role.Ref);
        this.identity.get(roleArn)?.push({ name: logicalId, policy });
      }
    }
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      this.roleOf.set(arnOf(template, logicalId), String(resolve(template, resource.Properties?.Role)));
    }
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::StepFunctions::StateMachine')) {
      this.roleOf.set(arnOf(template, logicalId), String(resolve(template, resource.Properties?.RoleArn)));
    }
    for (const [, resource] of resourcesOfType(template, 'AWS::Lambda::Permission')) {
      const props = resolve(template, resource.Properties) as {
        Action: string;
        FunctionName: string;
        Principal: string;
        SourceArn?: string;
        SourceAccount?: string;
      };
      const functionArn = props.FunctionName.startsWith('arn:')
        ? props.FunctionName
        : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${props.FunctionName}`;
      const condition: Record<string, Record<string, unknown>> = {};
      if (props.SourceArn) condition.ArnLike = { 'AWS:SourceArn': props.SourceArn };
      if (props.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': props.SourceAccount };
      this.addResourceStatement(functionArn, {
        Effect: 'Allow',
        Principal: props.Principal.endsWith('.amazonaws.com') ? { Service: props.Principal } : { AWS: props.Principal },
        Action: props.Action,
        Resource: functionArn,
        ...(Object.keys(condition).length ? { Condition: condition } : {}),
      });
    }
    const attach = (type: string, targetsKey: string, documentKey: string, arnFor: (ref: unknown) => string) => {
      for (const [, resource] of resourcesOfType(template, type)) {
        const props = resource.Properties ?? {};
        const document = resolve(template, props[documentKey]) as PolicyDocument;
        for (const target of asList(props[targetsKey])) {
          for (const statement of asList(document.Statement)) this.addResourceStatement(arnFor(target), statement);
        }
      }
    };
    attach('AWS::S3::BucketPolicy', 'Bucket', 'PolicyDocument', (ref) => `arn:aws:s3:::${String(resolve(template, ref))}`);
    attach('AWS::SNS::TopicPolicy', 'Topics', 'PolicyDocument', (ref) => this.arnFromRef(ref));
    attach('AWS::SQS::QueuePolicy', 'Queues', 'PolicyDocument', (ref) => this.arnFromRef(ref));
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::KMS::Key')) {
      const document = resolve(template, resource.Properties?.KeyPolicy) as PolicyDocument;
      for (const statement of asList(document.Statement)) this.addResourceStatement(arnOf(template, logicalId), statement);
    }
  }

  private arnFromRef(ref: unknown): string {
    const logicalId = (ref as { Ref?: string }).Ref;
    return logicalId ? arnOf(this.template, logicalId) : String(resolve(this.template, ref));
  }

  private addResourceStatement(resourceArn: string, statement: PolicyStatement): void {
    const policy = this.resourcePolicies.get(resourceArn) ?? { Version: '2012-10-17', Statement: [] };
    policy.Statement.push(statement);
    this.resourcePolicies.set(resourceArn, policy);
  }

  /** The policy of the resource a request acts on: an object's bucket, a function version's function, a managed key. */
  private resourcePolicyFor(resource: string): PolicyDocument | undefined {
    const s3Object = /^arn:aws:s3:::([^/]+)\/.+$/.exec(resource);
    if (s3Object) return this.resourcePolicies.get(`arn:aws:s3:::${s3Object[1]}`);
    const lambda = /^(arn:aws:lambda:[^:]+:[^:]+:function:[^:]+)(:.+)?$/.exec(resource);
    if (lambda) return this.resourcePolicies.get(lambda[1]!);
    const alias = /^arn:aws:kms:[^:]+:[^:]+:(alias\/.+)$/.exec(resource);
    if (alias) return managedKeyPolicy(alias[1]!);
    return this.resourcePolicies.get(resource);
  }

  /** Throws AccessDeniedException (with AWS's wording) unless the template allows the request. */
  async authorize(principal: Principal, request: AccessRequest): Promise<void> {
    const decision = await this.decide(principal, request);
    if (decision.allowed) return;
    const why = decision.explicitDeny
      ? `with an explicit deny in a ${principal.kind === 'service' ? 'resource' : 'identity'}-based policy`
      : principal.kind === 'service'
        ? `because no resource-based policy allows the ${request.action} action`
        : `because no identity-based policy allows the ${request.action} action`;
    throw new AwsError(
      'AccessDeniedException',
      `User: ${describe(principal)} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`,
      403,
    );
  }

  async decide(principal: Principal, request: AccessRequest): Promise<{ allowed: boolean; explicitDeny: boolean }> {
    const key = JSON.stringify([principalArn(principal), request.action, request.resource, request.context ?? {}]);
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = this.evaluate(principal, request);
      this.decisions.set(key, decision);
      void decision.then(
        (result) => this.distinct.push({ principal, request, allowed: result.allowed }),
        () => undefined,
      );
    }
    return decision;
  }

  private async evaluate(principal: Principal, request: AccessRequest): Promise<{ allowed: boolean; explicitDeny: boolean }> {
    const identityPolicies = principal.kind === 'role' ? (this.identity.get(principal.roleArn) ?? []) : [];
    if (principal.kind === 'role' && !this.identity.has(principal.roleArn))
      throw new Error(`the template has no role ${principal.roleArn}`);
    const resourcePolicy = this.resourcePolicyFor(request.resource);
    const simulation: Simulation = {
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy: resourcePolicy as never } : {}),
      request: {
        action: request.action,
        principal: principalArn(principal),
        resource: { accountId: LOCAL_ACCOUNT, resource: request.resource },
        contextVariables: {
          'aws:SecureTransport': 'true',
          'aws:CurrentTime': new Date(0).toISOString(),
          ...(principal.kind === 'role'
            ? { 'aws:PrincipalArn': principal.roleArn, 'aws:PrincipalAccount': LOCAL_ACCOUNT, 'aws:PrincipalType': 'AssumedRole' }
            : { 'aws:SourceAccount': LOCAL_ACCOUNT }),
          ...request.context,
        },
      },
    } as Simulation;
    if (RUNTIME_RESOURCE_ACTIONS.has(request.action) || request.resource.includes(':alias/')) {
      const result = runUnsafeSimulation(simulation, {});
      return { allowed: result === 'Allowed', explicitDeny: result === 'ExplicitlyDenied' };
    }
    const response = await runSimulation(simulation, {});
    if (response.resultType === 'error') {
      throw new Error(`cannot evaluate ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`);
    }
    return { allowed: response.overallResult === 'Allowed', explicitDeny: response.overallResult === 'ExplicitlyDenied' };
  }

  /** Every distinct request decided so far (the enforcement test replays them against a template with a statement removed). */
  requestsSeen(): AccessRecord[] {
    return [...this.distinct];
  }
}
