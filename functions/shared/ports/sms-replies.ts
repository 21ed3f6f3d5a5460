/** Which survey attempt a reply to a text answers: remembered when the text goes out, found when a reply comes in. */
export interface SmsReplyRef {
  followUpId: string;
  attempt: number;
}

export interface SmsReplies {
  /** The latest text to this number from this origination number wins: the customer answers the last one they got. */
  remember(customerNumber: string, originationNumber: string, ref: SmsReplyRef, until: Date): Promise<void>;
  find(customerNumber: string, originationNumber: string): Promise<SmsReplyRef | undefined>;
}
