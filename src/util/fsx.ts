import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import atomic from 'write-file-atomic';

/** Temp files being written now: an interrupt removes them (see removeTemps), so nothing half-written stays. */
const liveTemps = new Set<string>();

/** A temp path beside `path`, so the final rename never crosses a file system; tracked until renamed or removed. */
export function tempPath(path: string): string {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  liveTemps.add(tmp);
  return tmp;
}

/** The temp file is gone (renamed into place or removed). */
export function settled(tmp: string): void {
  liveTemps.delete(tmp);
}

/** Removes every temp file still being written (on Ctrl-C or a kill), returning how many there were. */
export function removeTemps(): number {
  const n = liveTemps.size;
  for (const t of liveTemps) rmSync(t, { force: true });
  liveTemps.clear();
  return n;
}

/** Node's write errors (ENOSPC, EDQUOT) carry no path; the file being written is the one to name. */
export function naming(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err !== null && typeof err === 'object' && typeof err.code === 'string' && err.path === undefined) err.path = path;
  return e;
}

/**
 * mkdir -p. Node's recursive mkdir reports a read-only file system or a denied permission as ENOENT
 * ("no such file"); creating the first missing folder alone surfaces the real error.
 */
export function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    let first = dir;
    while (!existsSync(dirname(first)) && dirname(first) !== first) first = dirname(first);
    mkdirSync(first);
    mkdirSync(dir, { recursive: true });
  }
}

/**
 * Writes `data` to `path` through a temp file, fsync and a rename: readers never see half a file, and
 * the temp file goes on failure or a signal.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDir(dirname(path));
  try {
    atomic.sync(path, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (e) {
    throw naming(e, path);
  }
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The folder holding package.json, found from this module so it works from src/ and dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

let version: string | undefined;
/** The package version, recorded with every result so a number can be traced to the code that made it. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
