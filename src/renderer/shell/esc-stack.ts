/**
 * Esc closes the top-most thing only: a dialog, then the shortcut help, and only when nothing is open
 * does the view's own Esc (clear the search, then the selection and the decoded point) run. Each open
 * thing pushes its close here while it is open; one listener, in the capture phase of the window, runs
 * before any component's own key handler and uses the key up when it closed something, so a dialog's
 * Esc never reaches the view.
 */
export class EscStack {
  private readonly layers: { close: () => boolean | void }[] = [];

  /**
   * Registers what Esc closes while it is open (the latest on top); returns its removal. A `close`
   * that answers false could not close (an export running): its layer stays, and the key is still used up.
   */
  push(close: () => boolean | void): () => void {
    const layer = { close };
    this.layers.push(layer);
    return () => {
      const i = this.layers.indexOf(layer);
      if (i >= 0) this.layers.splice(i, 1);
    };
  }

  get depth(): number {
    return this.layers.length;
  }

  /** One Esc: closes the top-most layer; false when nothing was open. */
  press(): boolean {
    const top = this.layers.pop();
    if (top && top.close() === false) this.layers.push(top);
    return top !== undefined;
  }

  /** Handles Esc on `target` (the window) before anything else there sees it; returns the removal. */
  listen(target: EventTarget): () => void {
    const onKey = (e: Event): void => {
      if ((e as KeyboardEvent).key !== 'Escape' || e.defaultPrevented) return;
      if (!this.press()) return;
      e.preventDefault();
      e.stopImmediatePropagation();
    };
    target.addEventListener('keydown', onKey, { capture: true });
    return () => target.removeEventListener('keydown', onKey, { capture: true });
  }
}

/** The page's one stack: App.svelte listens on the window; dialogs and overlays push onto it. */
export const escStack = new EscStack();
