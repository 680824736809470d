/**
 * Deadline signals without a timer per invocation.
 *
 * Each invocation's `AbortController` is registered with the time it must abort; one shared, unref'd timer is armed
 * for the earliest such time and re-armed when it fires. Sequential invocations (the Lambda norm) have ever-later
 * deadlines, so the hot path neither sets nor clears a timer: setting and clearing one cost more than the rest of a
 * small invocation.
 *
 * @module
 */

interface Watch {
  readonly controller: AbortController;
  readonly abortAt: number;
}

const active = new Set<Watch>();
let timer: ReturnType<typeof setTimeout> | undefined;
let armedAt = Infinity;

/**
 * Aborts `controller` at `abortAt` (epoch ms) unless {@linkcode unwatch} is called first.
 *
 * @param controller The invocation's controller.
 * @param abortAt When to abort.
 * @returns The handle for {@linkcode unwatch}.
 */
export function watch(controller: AbortController, abortAt: number): Watch {
  const entry = { controller, abortAt };
  active.add(entry);
  if (abortAt < armedAt) arm(abortAt);
  return entry;
}

/**
 * Stops watching an invocation's deadline.
 *
 * @param entry The handle from {@linkcode watch}.
 */
export function unwatch(entry: Watch): void {
  active.delete(entry);
}

function arm(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  armedAt = at;
  timer = setTimeout(fire, Math.max(0, at - Date.now()));
  // The timer must never keep a process (or a test) alive on its own.
  const deno = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;
  if (typeof timer === "number") deno?.unrefTimer?.(timer);
  else (timer as { unref?(): void }).unref?.();
}

function fire(): void {
  timer = undefined;
  armedAt = Infinity;
  const now = Date.now();
  let next = Infinity;
  for (const entry of active) {
    if (entry.abortAt <= now) {
      active.delete(entry);
      entry.controller.abort(new DOMException("The Lambda invocation is about to time out.", "TimeoutError"));
    } else if (entry.abortAt < next) next = entry.abortAt;
  }
  if (next !== Infinity) arm(next);
}
