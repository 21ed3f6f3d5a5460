/**
 * The task contact flow, in the Amazon Connect flow language (Version 2019-10-30): set the working
 * queue from the task's `queue` attribute (a queue ARN, put there by the function that created
 * the task), transfer to it; if the attribute is missing or unusable, or that queue is at
 * capacity, route to the default queue instead; if even that fails, end the task.
 * https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html
 */

/** The contact attribute that carries the target queue's ARN. */
export const TASK_QUEUE_ATTRIBUTE = 'queue';

export interface FlowAction {
  Identifier: string;
  Type: 'UpdateContactTargetQueue' | 'TransferContactToQueue' | 'DisconnectParticipant';
  Parameters: Record<string, unknown>;
  Transitions: { NextAction?: string; Errors?: { NextAction: string; ErrorType: string }[] };
}

export interface Flow {
  Version: '2019-10-30';
  StartAction: string;
  Actions: FlowAction[];
}

// Identifiers: ≤ 50 characters, none of % : ( \ / ) = $ , ; [ ] { }.
const SET_TASK_QUEUE = 'set-queue-from-task-attribute';
const TRANSFER = 'transfer-to-task-queue';
const SET_DEFAULT_QUEUE = 'set-default-queue';
const TRANSFER_DEFAULT = 'transfer-to-default-queue';
const END = 'end-task';

export function taskRoutingFlow({ defaultQueueArn }: { defaultQueueArn: string }): Flow {
  const onError = (next: string, ...errorTypes: string[]) => errorTypes.map((ErrorType) => ({ NextAction: next, ErrorType }));
  return {
    Version: '2019-10-30',
    StartAction: SET_TASK_QUEUE,
    Actions: [
      {
        Identifier: SET_TASK_QUEUE,
        Type: 'UpdateContactTargetQueue',
        // A single JSONPath identifier: the queue is chosen per task, at run time.
        Parameters: { QueueId: `$.Attributes.${TASK_QUEUE_ATTRIBUTE}` },
        Transitions: { NextAction: TRANSFER, Errors: onError(SET_DEFAULT_QUEUE, 'NoMatchingError') },
      },
      {
        Identifier: TRANSFER,
        Type: 'TransferContactToQueue',
        Parameters: {},
        Transitions: { NextAction: END, Errors: onError(SET_DEFAULT_QUEUE, 'QueueAtCapacity', 'NoMatchingError') },
      },
      {
        Identifier: SET_DEFAULT_QUEUE,
        Type: 'UpdateContactTargetQueue',
        Parameters: { QueueId: defaultQueueArn },
        Transitions: { NextAction: TRANSFER_DEFAULT, Errors: onError(END, 'NoMatchingError') },
      },
      {
        Identifier: TRANSFER_DEFAULT,
        Type: 'TransferContactToQueue',
        Parameters: {},
        Transitions: { NextAction: END, Errors: onError(END, 'QueueAtCapacity', 'NoMatchingError') },
      },
      { Identifier: END, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
    ],
  };
}
