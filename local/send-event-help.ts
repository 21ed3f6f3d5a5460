/**
 * How to send an event to the local stack, as `npm start` prints it: commands that work when
 * pasted as they are (tests/e2e/send-event.test.ts runs them).
 */
export interface SendEventTarget {
  /** The AWS endpoint, e.g. http://127.0.0.1:4010. */
  awsUrl: string;
  webUrl: string;
  busName: string;
  /** When the sample service was completed: an hour before now, so it is accepted as it stands. */
  completedAt: string;
  /** Makes the sample's serviceId new at each start (one follow-up per business key, ever). */
  serial: string;
}

/** A single-quoted shell word: the JSON inside needs no escaping but for quotes, which it has none of. */
const shellQuoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function sendEventHelp(target: SendEventTarget): string {
  const detail = {
    serviceId: `RO-${target.serial}`,
    serviceType: 'vehicle-repair',
    completedAt: target.completedAt,
    customer: { id: 'C-1', name: 'Zhang San', phone: '+8613800138000' },
  };
  // What --entries takes: a list of entries, each Detail a string of JSON.
  const entries = [{ EventBusName: target.busName, Source: 'dealer.dms', DetailType: 'Service Completed', Detail: JSON.stringify(detail) }];
  return `Send a "Service Completed" event (the AWS CLI wants credentials and a region; any credentials will do here):
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws events put-events --endpoint-url ${target.awsUrl} --region us-east-1 --entries \\
    ${shellQuoted(JSON.stringify(entries))}
Without the AWS CLI, with a file such as the README's event.json (the same format as --entries file://):
  npm run send-event -- event.json
Events the system could not use, and fields it dropped, are listed at ${target.webUrl}/rejections`;
}
