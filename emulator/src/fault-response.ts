import type { Context } from "hono";
import type { EmulatorEnv } from "./env";
import type { FaultRule } from "./faults";
import { graphErrorResponse, whatsappError } from "./graph-errors";
import { sleep } from "./webhooks";

/**
 * Applies a fault's synchronous part: an error or a hang answers now; a slow fault waits and lets the
 * request continue; an async failure, a lost answer and a hold change nothing here (the caller turns the
 * first into a `failed` status, delays its answer for the second and holds the statuses for the third).
 */
export async function faultResponse(c: Context<EmulatorEnv>, fault: FaultRule): Promise<Response | undefined> {
  switch (fault.action) {
    case "error":
      return graphErrorResponse(
        c,
        whatsappError(fault.code, {
          status: fault.status,
          subcode: fault.subcode,
          message: fault.message,
          details: fault.details,
          type: fault.errorType,
          isTransient: fault.isTransient,
        }),
      );
    case "hang":
      await sleep(fault.ms);
      return graphErrorResponse(c, whatsappError(2, { details: "The request timed out inside the emulator (hang fault)." }));
    case "slow":
      await sleep(fault.ms);
      return undefined;
    case "async_failure":
    case "lost_answer": // sendMessage accepts the send, then holds its answer back
    case "hold":
      return undefined;
  }
}
