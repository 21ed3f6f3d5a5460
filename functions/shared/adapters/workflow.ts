import { ExecutionAlreadyExists, SFNClient, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { requireEnv } from '../env.js';
import { sdkClientConfig } from './sdk-config.js';

const sfn = new SFNClient(sdkClientConfig());

export interface Workflow {
  /** Starts the follow-up's execution; starting it again under the same name is harmless. */
  startFollowUp(followUpId: string): Promise<void>;
  /** Starts one escalation cycle of a complaint, named so a redelivered event starts nothing new. */
  startEscalation(name: string, input: { complaintId: string; cycle: number }): Promise<void>;
  /** Hands an attempt's result back to the waiting workflow. */
  completeTask(taskToken: string, output: Record<string, unknown>): Promise<void>;
}

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
  startFollowUp: (followUpId) => startNamed(requireEnv('FOLLOW_UP_STATE_MACHINE_ARN'), followUpId, { followUpId }),
  startEscalation: (name, input) => startNamed(requireEnv('ESCALATION_STATE_MACHINE_ARN'), name, input),
  async completeTask(taskToken, output) {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  },
};
