import { ExecutionAlreadyExists, SFNClient, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { requireEnv } from '../env.js';
import { sdkClientConfig } from './sdk-config.js';

const sfn = new SFNClient(sdkClientConfig());

export interface Workflow {
  /** Starts the follow-up's execution; starting it again under the same name is harmless. */
  startFollowUp(followUpId: string): Promise<void>;
  /** Hands an attempt's result back to the waiting workflow. */
  completeTask(taskToken: string, output: Record<string, unknown>): Promise<void>;
}

export const awsWorkflow: Workflow = {
  async startFollowUp(followUpId) {
    try {
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: requireEnv('FOLLOW_UP_STATE_MACHINE_ARN'),
          name: followUpId,
          // Ids only: the execution history must not hold personal data.
          input: JSON.stringify({ followUpId }),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as { name?: string }).name === 'ExecutionAlreadyExists') return;
      throw error;
    }
  },
  async completeTask(taskToken, output) {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  },
};
