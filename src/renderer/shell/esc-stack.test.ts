/** Esc closes the top-most open thing only, and the view's own Esc runs only when nothing was open. */
import { describe, expect, it } from 'vitest';
import { EscStack } from './esc-stack';

function esc(target: EventTarget): Event {
  const e = Object.assign(new Event('keydown', { cancelable: true }), { key: 'Escape' });
  target.dispatchEvent(e);
  return e;
}

describe('EscStack', () => {
  it('closes the latest opened first, one per press', () => {
    const stack = new EscStack();
    const closed: string[] = [];
    stack.push(() => void closed.push('help'));
    stack.push(() => void closed.push('dialog'));
    expect(stack.press()).toBe(true);
    expect(closed).toEqual(['dialog']);
    expect(stack.press()).toBe(true);
    expect(closed).toEqual(['dialog', 'help']);
    expect(stack.press()).toBe(false);
  });

  it('a removed layer (closed by its button) is not closed again', () => {
    const stack = new EscStack();
    const closed: string[] = [];
    stack.push(() => void closed.push('help'));
    const remove = stack.push(() => void closed.push('dialog'));
    remove();
    stack.press();
    expect(closed).toEqual(['help']);
  });

  it('a layer that cannot close stays on top and still takes the key', () => {
    const stack = new EscStack();
    let busy = true;
    const closed: string[] = [];
    stack.push(() => void closed.push('help'));
    stack.push(() => (busy ? false : void closed.push('export')));
    expect(stack.press()).toBe(true);
    expect(closed).toEqual([]);
    busy = false;
    stack.press();
    expect(closed).toEqual(['export']);
  });

  it("on the window, an Esc that closed something never reaches the view's own handler", () => {
    const stack = new EscStack();
    const target = new EventTarget();
    const viewSaw: string[] = [];
    // Node's EventTarget has no capture phase, so the stack listens first here; in the page its
    // capture-phase listener on the window runs before the view's (the e2e spec first-hour.spec.ts).
    const stop = stack.listen(target);
    target.addEventListener('keydown', (e) => void viewSaw.push((e as KeyboardEvent).key));
    const removeDialog = stack.push(() => removeDialog());
    const first = esc(target);
    expect(first.defaultPrevented).toBe(true);
    expect(viewSaw).toEqual([]);
    expect(stack.depth).toBe(0);
    // Nothing open: the view handles Esc itself.
    esc(target);
    expect(viewSaw).toEqual(['Escape']);
    stop();
    stack.push(() => {});
    esc(target);
    expect(viewSaw).toEqual(['Escape', 'Escape']);
  });
});
