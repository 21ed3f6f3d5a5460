import { ExecutionAlreadyExists, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { requireEnv } from '../env.js';
import type { Workflow } from '../ports/workflow.js';
import { sdkClientConfig } from './sdk-config.js';

const sfn = new SFNClient(sdkClientConfig());

async function startNamed(stateMachineArn: string, name: string, input: Record<string, unknown>) {
  try {
    // Ids only: the execution history must not hold personal data.
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as { name?: string }).name === 'ExecutionAlreadyExists') return;
    throw error;
  }
}

export const awsWorkflow: Workflow = {
  startFollowUp: (followUpId, plan) => startNamed(requireEnv('FOLLOW_UP_STATE_MACHINE_ARN'), followUpId, plan),
  startEscalation: (name, input) => startNamed(requireEnv('ESCALATION_STATE_MACHINE_ARN'), name, input),
  async completeTask(taskToken, output) {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  },
};
