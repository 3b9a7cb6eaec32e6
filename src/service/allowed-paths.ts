/**
 * The folders the user chose: a dialog, a drag-and-drop, an opened project, or the serve host's
 * --allow list. Every path that arrives through the contract must lie under one of them; anything
 * else is refused with a clear error. Paths are compared after resolving symlinks, so a link inside
 * an allowed folder cannot reach outside it.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ContractError } from '../shared/contract';

export class PathNotAllowedError extends ContractError {
  constructor(message: string) {
    super('path-not-allowed', message);
    this.name = 'PathNotAllowedError';
  }
}

/** The real path of `p`, resolving symlinks of the deepest part that exists (the rest may not exist yet). */
export async function canonicalPath(p: string): Promise<string> {
  const absolute = resolve(p);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length ? join(real, ...missing.reverse()) : real;
    } catch {
      const parent = dirname(current);
      if (parent === current) return absolute;
      missing.push(basename(current));
      current = parent;
    }
  }
}

export function isWithin(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

export class AllowedPaths {
  private readonly roots = new Set<string>();

  /** `hint` ends the refusal message: how to make a folder allowed on this transport. */
  constructor(private readonly hint: string) {}

  async add(path: string): Promise<string> {
    if (!isAbsolute(path)) throw new PathNotAllowedError(`"${path}" is not an absolute path`);
    const real = await canonicalPath(path);
    this.roots.add(real);
    return real;
  }

  /** Takes back a grant made by `add` (a project from the recent list that then failed to open). */
  remove(real: string): void {
    this.roots.delete(real);
  }

  list(): string[] {
    return [...this.roots];
  }

  async isAllowed(path: string): Promise<boolean> {
    if (!isAbsolute(path)) return false;
    const real = await canonicalPath(path);
    return [...this.roots].some((root) => isWithin(root, real));
  }

  /** Returns the canonical path, or throws PathNotAllowedError saying which folders are allowed. */
  async check(path: string, what: string): Promise<string> {
    if (!isAbsolute(path)) throw new PathNotAllowedError(`${what} "${path}" is not an absolute path`);
    const real = await canonicalPath(path);
    if ([...this.roots].some((root) => isWithin(root, real))) return real;
    const roots = this.list();
    const allowed = roots.length ? `the folders you chose are: ${roots.join(', ')}` : 'no folder has been chosen yet';
    throw new PathNotAllowedError(`${what} "${path}" is outside the folders you chose (${allowed}); ${this.hint}`);
  }
}
