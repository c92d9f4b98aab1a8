/** One delivery of one event to one integrator endpoint. */
export type WebhookDeliveryJob = { deliveryId: string };
