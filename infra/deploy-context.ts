import * as z from 'zod';

/**
 * What a deployment must be told (CDK context, `-c key=value` or cdk.json): nothing about an AWS
 * account is guessed, so a missing or malformed key stops the synth with the key named.
 * Each key is documented in README.md (Deploy to AWS).
 */
export const REQUIRED_CONTEXT_KEYS = ['connectInstanceId', 'senderEmail', 'alarmEmail'] as const;

const email = (key: string, what: string) =>
  z.email({
    error: (issue) =>
      issue.input === undefined ? `missing: ${what} (-c ${key}=...)` : `"${String(issue.input)}" is not an email address (${what})`,
  });

const deployContextSchema = z.object({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'a CloudFormation stack name: letters, digits and hyphens, starting with a letter' })
    .default('CustomerFollowUp'),
  connectInstanceId: z.uuid({
    error: (issue) =>
      issue.input === undefined
        ? 'missing: the id of the Amazon Connect instance that receives agent tasks (-c connectInstanceId=<uuid>, the last part of ' +
          'the instance ARN)'
        : `"${String(issue.input)}" is not an Amazon Connect instance id (a UUID, the last part of the instance ARN)`,
  }),
  senderEmail: email('senderEmail', 'the SES-verified address survey and report emails are sent from'),
  alarmEmail: email('alarmEmail', 'the address subscribed to the operations alarm topic'),
  eventBusName: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,256}$/, { error: 'an EventBridge bus name: letters, digits, ".", "_" and "-"' })
    .optional(),
});

/** Missing or malformed deployment settings: the operator's to fix, named key by key. */
export class DeployContextError extends Error {
  override readonly name = 'DeployContextError';
}

export type DeployContext = Omit<z.infer<typeof deployContextSchema>, 'eventBusName'> & { eventBusName: string };

/** "CustomerFollowUp-Staging" → "customer-follow-up-staging": one bus per stack, so two stacks fit one account. */
export function busNameFor(stackName: string): string {
  return stackName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/-+/g, '-')
    .toLowerCase();
}

/** Reads and checks the deployment settings; the error names every missing or invalid key. */
export function readDeployContext(tryGetContext: (key: string) => unknown): DeployContext {
  const keys = [...REQUIRED_CONTEXT_KEYS, 'stackName', 'eventBusName'];
  const raw = Object.fromEntries(keys.map((key) => [key, tryGetContext(key)]).filter(([, value]) => value !== undefined));
  const parsed = deployContextSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  context key "${issue.path.join('.')}": ${issue.message}`);
    throw new DeployContextError(
      `Cannot synthesize the follow-up stack:\n${problems.join('\n')}\nSee README.md (Deploy to AWS) for every context key.`,
    );
  }
  return { ...parsed.data, eventBusName: parsed.data.eventBusName ?? busNameFor(parsed.data.stackName) };
}
