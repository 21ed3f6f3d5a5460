import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FollowUpData } from './constructs/follow-up-data.js';
import { OutcomeApi } from './constructs/outcome-api.js';
import { FollowUpWorkflow, type ContactSettings } from './constructs/follow-up-workflow.js';
import { Ingest } from './constructs/ingest.js';
import { Escalation } from './constructs/escalation.js';
import { Reports } from './constructs/reports.js';
import { OperationsAlarms } from './constructs/operations-alarms.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import { escalationConfig } from '../functions/shared/config/escalation.js';
import { policyConfig } from '../functions/shared/config/policies.js';

export interface FollowUpStackProps extends StackProps {
  contact: ContactSettings;
}

/** The whole follow-up system, one construct per capability. */
export class FollowUpStack extends Stack {
  constructor(scope: Construct, id: string, props: FollowUpStackProps) {
    super(scope, id, props);
    // Loading the policy file validates it: a bad key fails the synth with its name.
    void policyConfig;
    void escalationConfig;
    const data = new FollowUpData(this, 'Data');
    const outcomeApi = new OutcomeApi(this, 'OutcomeApi', { table: data.table });
    const workflow = new FollowUpWorkflow(this, 'FollowUp', {
      table: data.table,
      bus: data.bus,
      signingSecret: outcomeApi.signingSecret,
      outcomeBaseUrl: outcomeApi.baseUrl,
      contact: props.contact,
    });
    outcomeApi.resumes(workflow.stateMachine);
    const ingest = new Ingest(this, 'Ingest', { bus: data.bus, table: data.table, stateMachine: workflow.stateMachine });
    const escalation = new Escalation(this, 'Escalation', {
      table: data.table,
      bus: data.bus,
      signingSecret: outcomeApi.signingSecret,
      outcomeBaseUrl: outcomeApi.baseUrl,
      contact: props.contact,
      deadLetters: ingest.deadLetters,
    });
    outcomeApi.resumes(escalation.stateMachine);
    new OperationsAlarms(this, 'Alarms', { deadLetters: [ingest.deadLetters], stateMachines: { FollowUp: workflow.stateMachine, Escalation: escalation.stateMachine } });
    new Reports(this, 'Reports', { table: data.table, bus: data.bus, senderEmail: props.contact.senderEmail, config: reportConfig, deadLetters: ingest.deadLetters });

  }
}
