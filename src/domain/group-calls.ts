// Group commit for calls that take many items at once (a Durable Object's batched RPC, a queue's
// sendBatch): an item submitted while no call is running goes out at the end of the current turn,
// together with every item submitted in that turn; items submitted while a call is running wait for
// it and go out together in the next one. An idle caller adds no delay; a busy one makes one call per
// burst instead of one per item. Each item's promise settles with its own answer, or with the call's
// error (a failed call fails every item it carried, nothing else).

export type GroupedCall<I, O> = (item: I) => Promise<O>;

/**
 * `call` gets the items of one group (at most `maxItems`, in submission order) and answers one result
 * per item, in the same order.
 */
export function groupCalls<I, O>(call: (items: I[]) => Promise<O[]>, maxItems = 100): GroupedCall<I, O> {
  type Waiting = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  let waiting: Waiting[] = [];
  let busy = false;

  const drain = async (): Promise<void> => {
    busy = true;
    while (waiting.length) {
      const group = waiting.slice(0, maxItems);
      waiting = waiting.slice(group.length);
      try {
        const results = await call(group.map((w) => w.item));
        if (results.length !== group.length) throw new Error(`grouped call answered ${results.length} results for ${group.length} items`);
        group.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    busy = false;
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (busy) return;
      busy = true;
      // the rest of this turn's items join the first call
      queueMicrotask(() => void drain());
    });
}
