import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { escalationConfig } from '../functions/shared/config/escalation.js';
import { policyConfig } from '../functions/shared/config/policies.js';
import { reportConfig } from '../functions/shared/config/reports.js';
import { CareMessages } from './constructs/care-messages.js';
import { ContactCenter } from './constructs/contact-center.js';
import { EmailSending } from './constructs/email-sending.js';
import { Escalation } from './constructs/escalation.js';
import { FollowUpData } from './constructs/follow-up-data.js';
import { FollowUpWorkflow } from './constructs/follow-up-workflow.js';
import { Ingest } from './constructs/ingest.js';
import { OperationsAlarms } from './constructs/operations-alarms.js';
import { OutcomeApi } from './constructs/outcome-api.js';
import { Reports } from './constructs/reports.js';
import { SmsSending } from './constructs/sms-sending.js';

export interface ContactSettings {
  /** The existing Amazon Connect instance the queues, hours and task flow are provisioned on. */
  connectInstanceId: string;
  /** The SES identity (address, or an address of a verified domain) email is sent from. */
  senderEmail: string;
}

export interface FollowUpStackProps extends StackProps {
  contact: ContactSettings;
  eventBusName: string;
  alarmEmail: string;
}

/** The whole follow-up system, one construct per capability. */
export class FollowUpStack extends Stack {
  constructor(scope: Construct, id: string, props: FollowUpStackProps) {
    super(scope, id, props);
    // Loading the configuration validates it: a bad key fails the synth with its name.
    const contactCenter = new ContactCenter(this, 'ContactCenter', {
      instanceId: props.contact.connectInstanceId,
      callingHours: policyConfig.defaults.callingHours,
      timeZone: policyConfig.defaults.timeZone,
      escalation: escalationConfig,
    });
    const email = new EmailSending(this, 'Email', { senderEmail: props.contact.senderEmail });
    const data = new FollowUpData(this, 'Data', { eventBusName: props.eventBusName });
    const outcomeApi = new OutcomeApi(this, 'OutcomeApi', { table: data.table });
    // Both workflows contact people: the same table, bus, signed links, Connect instance and sender.
    const contacting = {
      table: data.table,
      bus: data.bus,
      signingSecret: outcomeApi.signingSecret,
      outcomeBaseUrl: outcomeApi.baseUrl,
      contactCenter,
      email,
    };
    const workflow = new FollowUpWorkflow(this, 'FollowUp', contacting);
    outcomeApi.resumes(workflow.stateMachine);
    // The follow-up's Contact function texts surveys (the Notify function does not); the care function texts greetings.
    const sms = new SmsSending(this, 'Sms');
    sms.grantSend(workflow.functions.find((fn) => fn.node.id === 'Contact')!);
    const ingest = new Ingest(this, 'Ingest', { bus: data.bus, table: data.table, stateMachine: workflow.stateMachine });
    const escalation = new Escalation(this, 'Escalation', { ...contacting, deadLetters: ingest.deadLetters });
    const smsReplies = sms.receiveReplies({
      table: data.table,
      stateMachineArn: workflow.stateMachine.stateMachineArn,
      deadLetters: ingest.deadLetters,
    });
    outcomeApi.resumes(escalation.stateMachine);
    const reports = new Reports(this, 'Reports', { table: data.table, bus: data.bus, email, config: reportConfig });
    const careProps = {
      table: data.table,
      email,
      sms,
      deadLetters: reports.deadLetters,
      timeZone: policyConfig.defaults.timeZone,
      signingSecret: outcomeApi.signingSecret,
      outcomeBaseUrl: outcomeApi.baseUrl,
    };
    const care = new CareMessages(this, 'Care', careProps);
    const alarms = new OperationsAlarms(this, 'Alarms', {
      alarmEmail: props.alarmEmail,
      deadLetters: { Events: ingest.deadLetters, Schedules: reports.deadLetters },
      stateMachines: { FollowUp: workflow.stateMachine, Escalation: escalation.stateMachine },
      functions: [
        ...ingest.functions,
        ...workflow.functions,
        smsReplies.fn,
        ...escalation.functions,
        ...reports.functions,
        care.sender,
        outcomeApi.handler,
      ],
      api: outcomeApi.api,
    });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('EventBusName', data.bus.eventBusName, 'Upstream systems publish "Service Completed" events here');
    output('EventBusArn', data.bus.eventBusArn, 'Grant upstream publishers events:PutEvents on this bus');
    output('OutcomeApiUrl', outcomeApi.baseUrl, 'Base URL of the signed outcome and survey links');
    output(
      'SmsReportUrlBase',
      `${outcomeApi.baseUrl}/sms-reports/`,
      "Alibaba SmsReport push URL, without its token (README 'Alibaba delivery reports' prints the whole URL)",
    );
    output('AlarmTopicArn', alarms.topic.topicArn, 'Operations alarms (the alarmEmail subscription must be confirmed)');
    output('FollowUpStateMachineArn', workflow.stateMachine.stateMachineArn, 'One execution per follow-up');
    output('EscalationStateMachineArn', escalation.stateMachine.stateMachineArn, 'One execution per complaint escalation cycle');
    output('ConnectTaskFlowId', contactCenter.taskFlowId, 'The provisioned task flow every agent task starts in');
    output('ConnectFollowUpQueueArn', contactCenter.followUpQueue.attrQueueArn, "Add this queue to the follow-up agents' routing profile");
    output('SmsReplyTopicArn', smsReplies.topic.topicArn, "Set the two-way number's two-way channel to this topic");
    output('ConfigurationSetName', email.configurationSet.configurationSetName, 'SES configuration set of every email sent');
  }
}
