/**
 * package-lock.json agrees with package.json, so `npm ci` installs what package.json says and
 * `npm install` on a clean clone leaves the lock file as it is. (It once listed jpeg-turbo under the
 * root's `dependencies` while package.json had it under `optionalDependencies`.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  name: string;
  version: string;
  lockfileVersion: number;
  packages: Record<string, Record<string, unknown> & { version?: string; optional?: boolean; dev?: boolean }>;
};
const lockRoot = lock.packages[''] ?? {};
const GROUPS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

describe('package-lock.json ↔ package.json', () => {
  it('names the same package and version', () => {
    expect([lock.name, lock.version, lockRoot.name, lockRoot.version]).toEqual([pkg.name, pkg.version, pkg.name, pkg.version]);
    expect(lock.lockfileVersion).toBe(3);
  });

  it.each(GROUPS)('the root entry has exactly package.json’s %s', (group) => {
    expect(lockRoot[group] ?? {}).toEqual(pkg[group] ?? {});
  });

  it('the root entry has package.json’s engines and bin', () => {
    expect(lockRoot.engines).toEqual(pkg.engines);
    expect(lockRoot.bin).toEqual(pkg.bin);
  });

  it('every direct dependency is locked, and the optional ones are marked optional', () => {
    const groups = pkg as Record<(typeof GROUPS)[number], Record<string, string> | undefined>;
    for (const name of Object.keys(groups.dependencies ?? {})) expect(lock.packages[`node_modules/${name}`]?.version, name).toMatch(/^\d+\.\d+\.\d+/);
    for (const name of Object.keys(groups.optionalDependencies ?? {})) expect(lock.packages[`node_modules/${name}`]?.optional, name).toBe(true);
    for (const name of Object.keys(groups.devDependencies ?? {})) expect(lock.packages[`node_modules/${name}`]?.version, name).toMatch(/^\d+\.\d+\.\d+/);
  });
});
