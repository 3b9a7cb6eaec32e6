import { describe, expect, it } from 'vitest';
import { FIRST_GENERATION, GenerationGate, GenerationSchema, type Generation } from '../../../src/shared/generation';

describe('GenerationGate', () => {
  it('a value stamped with the current generation is current; after the next opening it is stale', () => {
    const gate = new GenerationGate();
    const stamped = gate.current;
    expect(gate.isCurrent(stamped)).toBe(true);
    const next = gate.next();
    expect(next).toBe(stamped + 1);
    expect(gate.isCurrent(stamped)).toBe(false);
    expect(gate.isCurrent(next)).toBe(true);
  });

  it('adopts what the service reports, an older number too (a restarted service counts from the start)', () => {
    const gate = new GenerationGate(5 as Generation);
    expect(gate.adopt(7 as Generation)).toBe(true);
    expect(gate.isCurrent(5 as Generation)).toBe(false);
    expect(gate.adopt(7 as Generation)).toBe(false);
    expect(gate.adopt(FIRST_GENERATION)).toBe(true);
    expect(gate.isCurrent(FIRST_GENERATION)).toBe(true);
    expect(gate.isCurrent(7 as Generation)).toBe(false);
  });

  it('the schema takes a whole non-negative number only', () => {
    expect(GenerationSchema.safeParse(3).success).toBe(true);
    expect(GenerationSchema.safeParse(-1).success).toBe(false);
    expect(GenerationSchema.safeParse(1.5).success).toBe(false);
    expect(GenerationSchema.safeParse('3').success).toBe(false);
  });
});
