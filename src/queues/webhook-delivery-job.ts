import { z } from "zod";

/** One delivery of one event to one integrator endpoint; the row in webhook_deliveries holds the rest. */
export const WebhookDeliveryJobSchema = z.object({ deliveryId: z.string().regex(/^[0-9a-f]{24}$/) });

export type WebhookDeliveryJob = z.infer<typeof WebhookDeliveryJobSchema>;
