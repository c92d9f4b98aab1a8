import { z } from "zod";

const Id = z.string().regex(/^[0-9a-f]{24}$/);

/** One delivery of one event to one integrator endpoint; the delivery, in its WABA's object, holds the rest. */
export const WebhookDeliveryJobSchema = z.object({ wabaId: Id, deliveryId: Id, mode: z.literal("test").optional() });

export type WebhookDeliveryJob = z.infer<typeof WebhookDeliveryJobSchema>;
