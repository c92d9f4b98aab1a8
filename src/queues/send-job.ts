/** A send waiting to be relayed to Meta. The message row in D1 holds everything else. */
export type SendJob = { messageId: string; keyHash: string; notify: boolean };
