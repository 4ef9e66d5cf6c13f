/**
 * The floor of the benchmark: read the whole file and count its line feeds, the least any analysis of
 * it must do. Run as `node --import tsx bench/count-lines.ts FILE`; prints the count.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function countLines(path: string): number {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let count = 0;
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const chunk = read === buffer.length ? buffer : buffer.subarray(0, read);
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const path = process.argv[2];
  if (!path) {
    console.error('usage: node --import tsx bench/count-lines.ts FILE');
    process.exit(2);
  }
  console.log(countLines(path));
}
