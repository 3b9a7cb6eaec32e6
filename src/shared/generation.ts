/**
 * The generation number: which opening of a (dataset, model) pair something belongs to. The service
 * mints a new one every time the dataset or the model changes (service/workspace.ts) and stamps it on
 * every event and result that depends on what is open; each layer drops what carries another one
 * through one helper, `GenerationGate.isCurrent`, instead of guards of its own.
 *
 * Imports only zod: contract.ts re-exports this file.
 */
import { z } from 'zod';

export const GenerationSchema = z.number().int().nonnegative().brand<'Generation'>();
/** A number that only the service mints (a plain number is not one). */
export type Generation = z.infer<typeof GenerationSchema>;

export const FIRST_GENERATION = 0 as Generation;

/** A value stamped with the generation it was computed for. */
export type Stamped<T> = T & { generation: Generation };

/**
 * The current generation as one layer knows it. The service mints (`next`); the renderer adopts what
 * the service reports (its status, the `generationChanged` event). Equality, not order: a restarted
 * service counts from the start again, and what it says is the truth.
 */
export class GenerationGate {
  private value: Generation;

  constructor(initial: Generation = FIRST_GENERATION) {
    this.value = initial;
  }

  get current(): Generation {
    return this.value;
  }

  /** Whether something stamped with `generation` still describes what is open. */
  isCurrent(generation: Generation): boolean {
    return generation === this.value;
  }

  /** Something else is open now: everything stamped before is stale. */
  next(): Generation {
    this.value = (this.value + 1) as Generation;
    return this.value;
  }

  /** The service said which generation is open. True when it changed. */
  adopt(generation: Generation): boolean {
    const changed = generation !== this.value;
    this.value = generation;
    return changed;
  }
}
