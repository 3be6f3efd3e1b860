import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnminError } from './errors.js';

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
 * Writes `data` to `path` through a temp file beside it: every byte written (one write may take only
 * part of a buffer on a nearly full disk, and must not pass for all of it), fsync, the size checked on
 * disk, then a rename, so readers see the old file or the whole new one. On any failure the temp file
 * goes and the error names `path`, never the temp file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDir(dirname(path));
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = tempPath(path);
  let fd: number | undefined;
  try {
    // An existing file keeps its permissions; a new one gets the umask's.
    fd = openSync(tmp, 'wx', existsSync(path) ? statSync(path).mode & 0o7777 : 0o666);
    for (let done = 0; done < bytes.byteLength; ) {
      const n = writeSync(fd, bytes, done, bytes.byteLength - done);
      if (n <= 0) throw new AnminError(`${path}: cannot write: the disk took no more bytes after ${done} of ${bytes.byteLength}; free some space and run the same command again`);
      done += n;
    }
    fsyncSync(fd);
    const size = fstatSync(fd).size;
    if (size !== bytes.byteLength) throw new AnminError(`${path}: cannot write: ${size} of ${bytes.byteLength} bytes reached the disk; free some space and run the same command again`);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw target(e, path);
  } finally {
    settled(tmp);
  }
}

/**
 * Fails now, as writing `path` would fail later (a read-only or missing folder, a folder in the file's
 * place), by creating and removing a temp file beside it: long work is not thrown away for want of a
 * writable output. A full disk can only show when the bytes are written.
 */
export function checkWritable(path: string): void {
  makeDir(dirname(path));
  const tmp = tempPath(path);
  try {
    if (existsSync(path) && statSync(path).isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR', syscall: 'open' });
    closeSync(openSync(tmp, 'wx'));
    rmSync(tmp);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw target(e, path);
  } finally {
    settled(tmp);
  }
}

/** The real path of `path`, also of one not yet written: its nearest existing folder's real path, then the rest. */
export function realPath(path: string): string {
  let dir = resolve(path);
  const rest: string[] = [];
  while (!existsSync(dir) && dirname(dir) !== dir) {
    rest.unshift(basename(dir));
    dir = dirname(dir);
  }
  return join(realpathSync(dir), ...rest);
}

/** A failure on the temp file is a failure to write the target: the temp file is gone, the target is what the user named. */
function target(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err !== null && typeof err === 'object' && typeof err.code === 'string') {
    err.path = path;
    if (err.syscall === 'open') err.syscall = 'write';
  }
  return e;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The sha256 of a file read whole, or one line naming `what` (the file as the user knows it) and why it cannot be read. */
export function sha256FileSync(path: string, what: string): string {
  try {
    return sha256(readFileSync(path));
  } catch (e) {
    throw new AnminError(`${what}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
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
