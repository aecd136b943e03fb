// Lets the bulk_operations/finish webhook wake a job that is waiting for that bulk operation, instead of letting it
// sleep until its next poll. Works within one process (web and worker together, the default deployment); with
// separate worker processes the waiter simply polls, so nothing depends on the webhook arriving.

const REMEMBERED = 1000; // finishes nobody waited for yet; old ones are dropped (the poll still sees them)

export class BulkFinishNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Finishes announced while nobody was waiting (between two polls): the next wait returns at once. */
  private readonly announced = new Set<string>();

  /** Called by the bulk_operations/finish webhook handler with the shop and `admin_graphql_api_id`. */
  notify(shop: string, operationId: string): void {
    const key = keyOf(shop, operationId);
    const waiting = this.waiters.get(key);
    if (waiting?.size) {
      for (const wake of waiting) wake();
      return;
    }
    this.announced.add(key);
    if (this.announced.size > REMEMBERED) this.announced.delete(this.announced.values().next().value as string);
  }

  /** A promise that resolves when the operation is announced finished; `cancel` forgets the wait. */
  wait(shop: string, operationId: string): { finished: Promise<void>; cancel: () => void } {
    const key = keyOf(shop, operationId);
    if (this.announced.delete(key)) return { finished: Promise.resolve(), cancel: () => {} };
    let wake!: () => void;
    const finished = new Promise<void>((resolve) => (wake = resolve));
    const set = this.waiters.get(key) ?? new Set();
    set.add(wake);
    this.waiters.set(key, set);
    const cancel = () => {
      set.delete(wake);
      if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
    };
    return { finished, cancel };
  }
}

function keyOf(shop: string, operationId: string): string {
  return `${shop.toLowerCase()} ${operationId}`;
}

/** The process-wide notifier the webhook route and the jobs share. */
export const bulkFinishNotifier = new BulkFinishNotifier();
