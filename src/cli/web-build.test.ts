import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newestMtimeMs, webBuildNeeded } from './web-build.ts';

describe('webBuildNeeded', () => {
  it('builds when there is no build', () => {
    expect(webBuildNeeded(null, 1_000)).toBe('missing');
  });

  it('builds when a source changed after the build, and not otherwise', () => {
    expect(webBuildNeeded(1_000, 1_001)).toBe('stale');
    expect(webBuildNeeded(1_000, 1_000)).toBeNull();
    expect(webBuildNeeded(1_000, 999)).toBeNull();
  });
});

describe('newestMtimeMs', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  /** Sets a path's mtime to `seconds` after the epoch. */
  const touch = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  it('finds the newest file however deep, skipping paths that do not exist', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kamerton-web-build-'));
    folders.push(root);
    mkdirSync(join(root, 'src', 'features', 'accounts'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '');
    writeFileSync(join(root, 'src', 'features', 'accounts', 'list.tsx'), '');
    for (const path of ['index.html', 'src', 'src/features', 'src/features/accounts']) touch(join(root, path), 100);
    touch(join(root, 'src', 'features', 'accounts', 'list.tsx'), 500);
    const paths = [join(root, 'index.html'), join(root, 'src'), join(root, 'public')];
    expect(await newestMtimeMs(paths)).toBe(500_000);

    // Deleting a file changes only its folder's mtime: that counts too.
    touch(join(root, 'src', 'features'), 900);
    expect(await newestMtimeMs(paths)).toBe(900_000);
  });

  it('answers null when no path exists', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kamerton-web-build-'));
    folders.push(root);
    expect(await newestMtimeMs([join(root, 'missing'), join(root, 'src')])).toBeNull();
  });
});
