import { vi } from "vitest";

// vi.waitFor gives up after 1 s by default. Most waits here are for a queue hop (the relay, Meta's
// webhooks, deliveries), which takes milliseconds, except on a loaded 2-core CI machine, where a
// consumer batch can lag past a second. Every wait gets 10 s unless it asks for something else.
const waitFor = vi.waitFor.bind(vi);
vi.waitFor = ((callback, options) => waitFor(callback, typeof options === "number" ? options : { timeout: 10_000, interval: 50, ...options })) as typeof vi.waitFor;
