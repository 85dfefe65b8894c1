/**
 * Many waiters on one AbortSignal through one listener. A run has one signal and hundreds of checks
 * that each wait on it (for a connection slot, a retry backoff, their exchange): one `abort`
 * listener each would trip Node's MaxListenersExceededWarning at 11 and cost a listener per waiter.
 * Here the signal gets a single listener, added with the first waiter and removed with the last.
 */
type Callback = () => void;

const waiters = new WeakMap<AbortSignal, { callbacks: Set<Callback>; listener: () => void }>();

/** Call `fn` once when `signal` aborts; the returned function unsubscribes (idempotent). */
export function onAbort(signal: AbortSignal, fn: Callback): () => void {
  let entry = waiters.get(signal);
  if (!entry) {
    const callbacks = new Set<Callback>();
    const listener = (): void => {
      waiters.delete(signal);
      for (const cb of [...callbacks]) cb();
      callbacks.clear();
    };
    entry = { callbacks, listener };
    waiters.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  const callbacks = entry.callbacks;
  const own: Callback = () => fn();
  callbacks.add(own);
  return () => {
    if (!callbacks.delete(own) || callbacks.size > 0) return;
    const current = waiters.get(signal);
    if (current && current.callbacks === callbacks) {
      signal.removeEventListener('abort', current.listener);
      waiters.delete(signal);
    }
  };
}
