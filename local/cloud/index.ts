import { smsConfig } from '../../functions/shared/config/sms.js';
import type { Template } from '../template.js';
import type { VirtualClock } from '../virtual-clock.js';
import { AsyncDelivery } from './async-delivery.js';
import { AwsError } from './aws-error.js';
import { currentCaller } from './caller.js';
import { type AgentTaskRecord, LocalConnect, type TaskContactRequest } from './connect.js';
import { CloudCore, type FaultInjector, type Invoker } from './core.js';
import { type EventEntry, LocalEventBridge } from './eventbridge.js';
import { LocalLambda } from './lambda.js';
import { StatePersistence, savedClock } from './persistence.js';
import { LocalS3 } from './s3.js';
import { LocalScheduler } from './scheduler.js';
import { LocalSecrets } from './secrets.js';
import { LocalSes, type SendEmailRequest, type SentEmail } from './ses.js';
import type { SesAccount } from './ses-account.js';
import { LocalSms, type SendTextMessageRequest, type SentSms } from './sms.js';
import { LocalSmsReplies } from './sms-replies.js';
import { LocalSmsReports } from './sms-reports.js';
import { type ExecutionRecord, LocalStepFunctions } from './step-functions.js';

/**
 * The AWS services the follow-up system uses, run in-process over the real engines: Lambda
 * (handlers imported and invoked), Step Functions (aws-local-stepfunctions running the
 * synthesized definitions), EventBridge (the template's rules and targets), EventBridge
 * Scheduler, S3, Amazon Connect (tasks on a local agent desk), SES (a local outbox) and Secrets
 * Manager. Each service is its own module around a shared core; this class is the one face the
 * local stack, the web pages and the tests use.
 */

export type { AgentTaskRecord, ExecutionRecord, FaultInjector, Invoker, SentEmail };
export { AwsError };

export class LocalCloud {
  readonly iam: CloudCore['iam'];
  readonly apiCalls: CloudCore['apiCalls'];
  readonly refusedRequests: CloudCore['refusedRequests'];
  readonly functions: LocalLambda['functions'];
  readonly invocations: LocalLambda['invocations'];
  readonly runtimeDenials: LocalLambda['runtimeDenials'];
  readonly executions: LocalStepFunctions['executions'];
  readonly publishedEvents: LocalEventBridge['publishedEvents'];
  readonly deadLetters: AsyncDelivery['deadLetters'];
  readonly objects: LocalS3['objects'];
  readonly agentTasks: LocalConnect['agentTasks'];
  readonly contactStarts: LocalConnect['contactStarts'];
  readonly connectTasks: LocalConnect['connectTasks'];
  readonly outbox: LocalSes['outbox'];
  readonly rejectedMail: LocalSes['rejectedMail'];
  readonly sentSms: LocalSms['sent'];
  /** E.164 numbers both SMS providers refuse, as a carrier refuses an invalid number. */
  readonly refusedSmsNumbers: LocalSms['refusedNumbers'];
  /** E.164 numbers a provider accepts texts for but the carrier never delivers to (a receipt or report says so). */
  readonly undeliverableSmsNumbers: LocalSms['undeliverableNumbers'];
  /** Alibaba's delivery reports pushed to the outcome API, with the status each was answered with. */
  readonly smsReportPushes: LocalSmsReports['pushes'];
  private readonly core: CloudCore;
  private readonly lambda: LocalLambda;
  private readonly stepFunctions: LocalStepFunctions;
  private readonly eventBridge: LocalEventBridge;
  private readonly scheduler: LocalScheduler;
  private readonly s3: LocalS3;
  private readonly connect: LocalConnect;
  private readonly mail: LocalSes;
  private readonly sms: LocalSms;
  private readonly smsReplies: LocalSmsReplies;
  private readonly smsReports: LocalSmsReports;
  private readonly secrets: LocalSecrets;
  private readonly persistence: StatePersistence;

  constructor(
    readonly template: Template,
    readonly clock: VirtualClock,
    projectRoot: string,
    secretSeed = 'local',
  ) {
    this.core = new CloudCore(template, clock);
    this.lambda = new LocalLambda(this.core, projectRoot);
    this.stepFunctions = new LocalStepFunctions(this.core, this.lambda);
    const delivery = new AsyncDelivery(this.core, this.lambda, this.stepFunctions);
    this.scheduler = new LocalScheduler(this.core, delivery);
    this.eventBridge = new LocalEventBridge(this.core, delivery);
    this.s3 = new LocalS3(this.core);
    this.connect = new LocalConnect(this.core);
    this.mail = new LocalSes(this.core);
    this.secrets = new LocalSecrets(this.core, secretSeed);
    // The local Alibaba account has registered the sign name and template the configuration names.
    const { signName, surveyTemplate } = smsConfig.alibaba;
    this.sms = new LocalSms(this.core, () => ({ signName, templates: { [surveyTemplate.code]: surveyTemplate.text } }));
    this.smsReplies = new LocalSmsReplies(this.core, template, delivery);
    // A carrier's receipt for an undeliverable number comes a minute after End User Messaging accepted the text.
    this.sms.onSms((sent) => {
      if (sent.provider === 'alibaba' && this.sms.undeliverableNumbers.has(`+86${sent.to}`)) this.smsReports.undelivered(sent);
      if (sent.provider !== 'aws' || !this.sms.undeliverableNumbers.has(sent.to)) return;
      clock.timer(clock.nowMs() + 60_000, () => void clock.track(() => this.smsReplies.deliveryEvent(sent, 'TEXT_UNREACHABLE')));
    });
    // Alibaba's console holds the report URL made from the link key (README "Alibaba delivery reports").
    this.smsReports = new LocalSmsReports(this, () => {
      const arn = this.lambda.mergedEnvironment().SIGNING_SECRET_ARN;
      return arn ? this.secrets.valueOf(arn) : undefined;
    });
    this.smsReportPushes = this.smsReports.pushes;
    const alibabaSecret = this.lambda.mergedEnvironment().ALIBABA_SMS_SECRET_ARN;
    if (alibabaSecret) this.secrets.preset(alibabaSecret, JSON.stringify({ accessKeyId: 'local', accessKeySecret: 'local' }));
    this.persistence = new StatePersistence(this.core, { stepFunctions: this.stepFunctions, connect: this.connect, ses: this.mail });
    ({ iam: this.iam, apiCalls: this.apiCalls, refusedRequests: this.refusedRequests } = this.core);
    ({ functions: this.functions, invocations: this.invocations, runtimeDenials: this.runtimeDenials } = this.lambda);
    this.executions = this.stepFunctions.executions;
    this.publishedEvents = this.eventBridge.publishedEvents;
    this.deadLetters = delivery.deadLetters;
    this.objects = this.s3.objects;
    ({ agentTasks: this.agentTasks, contactStarts: this.contactStarts, connectTasks: this.connectTasks } = this.connect);
    ({ outbox: this.outbox, rejectedMail: this.rejectedMail } = this.mail);
    this.sentSms = this.sms.sent;
    this.refusedSmsNumbers = this.sms.refusedNumbers;
    this.undeliverableSmsNumbers = this.sms.undeliverableNumbers;
  }

  /** Fails chosen API calls (throttling, permanent errors) as a scenario asks. */
  get faults(): FaultInjector | undefined {
    return this.core.faults;
  }

  set faults(faults: FaultInjector | undefined) {
    this.core.faults = faults;
  }

  /** The SES account's standing: a new account is in the sandbox (startLocalStack configures it). */
  get ses(): SesAccount {
    return this.mail.account;
  }

  set ses(account: SesAccount) {
    this.mail.account = account;
  }

  // ── Shared core ───────────────────────────────────────────────────────────────────────────

  count(service: string, operation: string, key = ''): void {
    this.core.count(service, operation, key);
  }

  /**
   * DynamoDB calls by the function that made them (its logical id; "" for the local pages' own
   * reads), counted where they leave the function's SDK client: where a simulated month's calls go.
   */
  readonly dynamoCallsByFunction: Record<string, Record<string, number>> = {};

  countDynamoCall(operation: string): void {
    this.count('DynamoDB', operation);
    const caller = currentCaller()?.sessionName ?? '';
    const calls = this.dynamoCallsByFunction[caller] ?? {};
    calls[operation] = (calls[operation] ?? 0) + 1;
    this.dynamoCallsByFunction[caller] = calls;
  }

  nextId(prefix: string): string {
    return this.core.nextId(prefix);
  }

  // ── Lambda ────────────────────────────────────────────────────────────────────────────────

  mergedEnvironment(): Record<string, string> {
    return this.lambda.mergedEnvironment();
  }

  loadHandlers(): Promise<void> {
    return this.lambda.loadHandlers();
  }

  invokeFunction(arnOrName: string, payload: unknown, invoker?: Invoker): Promise<unknown> {
    return this.lambda.invokeFunction(arnOrName, payload, invoker);
  }

  // ── Step Functions ────────────────────────────────────────────────────────────────────────

  stateMachineArns(): string[] {
    return this.stepFunctions.stateMachineArns();
  }

  ready(): Promise<void> {
    return this.stepFunctions.ready();
  }

  startExecution(stateMachineArn: string, name: string | undefined, input: string): ExecutionRecord {
    return this.stepFunctions.startExecution(stateMachineArn, name, input);
  }

  sendTaskSuccess(token: string, output: string): void {
    this.stepFunctions.tokens.sendTaskSuccess(token, output);
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    this.stepFunctions.tokens.sendTaskFailure(token, error, cause);
  }

  stateMachineOfToken(token: string): string | undefined {
    return this.stepFunctions.stateMachineOfToken(token);
  }

  openTokens(): number {
    return this.stepFunctions.tokens.open();
  }

  // ── EventBridge and its Scheduler ─────────────────────────────────────────────────────────

  putEvents(entries: EventEntry[]) {
    return this.eventBridge.putEvents(entries);
  }

  delivered(eventId: string): Promise<void> {
    return this.eventBridge.delivered(eventId);
  }

  startSchedules(): void {
    this.scheduler.start();
  }

  scheduleNames(): string[] {
    return this.scheduler.names();
  }

  // ── S3, Amazon Connect, SES, Secrets Manager ──────────────────────────────────────────────

  putObject(bucket: string, key: string, body: string, contentType: string) {
    return this.s3.putObject(bucket, key, body, contentType);
  }

  onObject(listener: (bucket: string, key: string, body: string) => void): void {
    this.s3.onObject(listener);
  }

  startTaskContact(request: TaskContactRequest) {
    return this.connect.startTaskContact(request);
  }

  stopContact(contactId: string): Record<string, never> {
    return this.connect.stopContact(contactId);
  }

  linkAnswered(path: string): void {
    this.connect.linkAnswered(path);
  }

  onAgentTask(listener: (task: AgentTaskRecord) => void): void {
    this.connect.onAgentTask(listener);
  }

  sendEmail(request: SendEmailRequest) {
    return this.mail.sendEmail(request);
  }

  onEmail(listener: (email: SentEmail) => void): void {
    this.mail.onEmail(listener);
  }

  sendTextMessage(request: SendTextMessageRequest) {
    return this.sms.sendTextMessage(request);
  }

  alibabaSendSms(params: URLSearchParams) {
    return this.sms.alibabaSendSms(params);
  }

  /** A customer's reply to one of our numbers, as End User Messaging publishes it to the two-way topic. */
  smsReply(from: string, to: string, body: string): Promise<void> {
    return this.smsReplies.reply(from, to, body);
  }

  onSms(listener: (sms: SentSms) => void): void {
    this.sms.onSms(listener);
  }

  getSecretValue(secretId: string) {
    return this.secrets.getSecretValue(secretId);
  }

  // ── Restart without loss ──────────────────────────────────────────────────────────────────

  persistTo(file: string): void {
    this.persistence.persistTo(file);
  }

  persistNow(): void {
    this.persistence.persistNow();
  }

  resumeFrom(file: string): { executions: number } {
    return this.persistence.resumeFrom(file);
  }

  static savedClock(file: string): number | undefined {
    return savedClock(file);
  }
}
