/**
 * The service's event stream (the contract's events): every event is checked against its schema
 * before it leaves, and a listener that throws (a closed socket) does not stop the others.
 */
import type { z } from 'zod';
import { events, type EventData, type EventName } from '../shared/contract';

export type Listener = <E extends EventName>(name: E, data: EventData<E>) => void;

export class ServiceEvents {
  private readonly listeners = new Set<Listener>();

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, data: EventData<E>): void {
    const parsed = (events[name] as z.ZodType).safeParse(data);
    if (!parsed.success) {
      // A bug in the service: report it loudly rather than send something outside the contract.
      process.stderr.write(
        `latentscape: event ${name} does not match the contract: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`,
      );
      return;
    }
    for (const l of this.listeners) {
      try {
        l(name, parsed.data as EventData<E>);
      } catch {
        // A listener's failure (a closed socket) must not stop the others.
      }
    }
  }

  /** A message for the user (the renderer shows it as a notice). */
  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.emit('notice', { level, message });
  }
}
