import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { unzipSync } from 'fflate';
import { AnminError } from '../util/errors.js';
import { makeDir, settled, sha256File, tempPath, writeFileAtomic } from '../util/fsx.js';
import { logger } from '../util/log.js';
import { startProgress } from '../util/progress.js';
import { pinnedSha, registry, type FileSpec } from './registry.js';

export interface FetchOptions {
  /** Cache folder; default $ANMIN_CACHE, else $XDG_CACHE_HOME/anmin, else ~/.cache/anmin. */
  cache?: string;
  /** A local folder laid out like shared/data; default $ANMIN_MIRROR. Used instead of the network. */
  mirror?: string;
  /** Refuse the network (a mirror or the cache must have the file). */
  offline?: boolean;
}

export function cacheDir(opts: FetchOptions = {}): string {
  return (
    opts.cache ??
    process.env.ANMIN_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'anmin')
  );
}

function mirrorDir(opts: FetchOptions): string | undefined {
  return opts.mirror ?? (process.env.ANMIN_MIRROR || undefined);
}

/** The cached copy of a file if one is there (any accepted basename), without touching the network. */
export function cachedPath(dataset: string, spec: FileSpec, opts: FetchOptions = {}): string | undefined {
  const dir = join(cacheDir(opts), dataset);
  const names = [spec.name, ...spec.mirror.map((m) => basename(m))];
  return names.map((n) => join(dir, n)).find((p) => existsSync(p));
}

/**
 * Makes one raw file of a dataset present in the cache and returns its path: the cache if it has it,
 * else the mirror, else the network. Every new file is verified (pinned sha256, or structure) before
 * it is renamed into place, so a failed or interrupted fetch leaves nothing behind.
 */
export async function fetchFile(dataset: string, spec: FileSpec, opts: FetchOptions = {}): Promise<string> {
  const have = cachedPath(dataset, spec, opts);
  if (have) {
    if (await stillValid(have, spec)) return have;
    // A cached file that changed since it was verified (a bad disk, an edit) is fetched again.
    logger().warn({ dataset, file: have }, 'cached file no longer matches its checksum; fetching it again');
    process.stderr.write(`anmin: ${have}: no longer matches its checksum; fetching it again\n`);
    rmSync(have, { force: true });
    rmSync(stampPath(have), { force: true });
  }
  const dir = join(cacheDir(opts), dataset);
  makeDir(dir);
  const mirror = mirrorDir(opts);
  if (mirror && !existsSync(mirror)) throw new AnminError(`--mirror ${mirror}: no such folder (ANMIN_MIRROR or --mirror names the local copy of the data)`);
  if (mirror) {
    const found = spec.mirror.map((m) => join(mirror, m)).find((p) => existsSync(p));
    if (found) {
      const dest = join(dir, basename(found));
      const tmp = tempPath(dest);
      copyFileSync(found, tmp);
      await verifyAndPlace(tmp, dest, spec, found);
      logger().info({ dataset, from: found, to: dest }, 'copied from mirror');
      return dest;
    }
    if (opts.offline) {
      throw new AnminError(`${dataset}: none of ${spec.mirror.join(', ')} is in the mirror ${mirror}`);
    }
  }
  if (opts.offline) throw new AnminError(`${dataset}: not cached and no --mirror given (offline)`);
  const dest = join(dir, spec.name);
  const body = await download(spec.url);
  const bytes = spec.member ? extractMember(body, spec.member, spec.url) : body;
  const tmp = tempPath(dest);
  writeFileSync(tmp, bytes);
  await verifyAndPlace(tmp, dest, spec, spec.url);
  return dest;
}

async function verifyAndPlace(tmp: string, dest: string, spec: FileSpec, origin: string): Promise<void> {
  try {
    const digest = await sha256File(tmp);
    const want = pinnedSha(spec, basename(dest));
    if (want && digest !== want) {
      throw new AnminError(`${origin}: sha256 ${digest} does not match the pinned ${want}`);
    }
    if (!want) {
      if (spec.structure) await checkStructure(tmp, spec.structure, origin);
      // Unpinned bytes: say what they were so the registry can pin them.
      process.stderr.write(`anmin: ${basename(dest)} sha256 ${digest} (not pinned; structure verified)\n`);
    }
    renameSync(tmp, dest);
    stamp(dest, digest);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    settled(tmp);
  }
}

/** Beside each cached file: its size, mtime and sha256 when it was placed and verified. */
interface Stamp {
  size: number;
  mtimeMs: number;
  sha256: string;
}

const stampPath = (file: string) => `${file}.verified.json`;

function stamp(file: string, sha256: string): void {
  const st = statSync(file);
  writeFileAtomic(stampPath(file), JSON.stringify({ size: st.size, mtimeMs: st.mtimeMs, sha256 } satisfies Stamp));
}

function readStamp(file: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(stampPath(file), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/**
 * Whether a cached file is still what was verified: unchanged size and mtime since its stamp are
 * trusted (a cheap check on every load); otherwise, or without a stamp, its sha256 is computed again and
 * held to the pinned one (or, unpinned, to the stamp's), and the stamp renewed when it agrees.
 */
async function stillValid(file: string, spec: FileSpec): Promise<boolean> {
  const st = statSync(file);
  const s = readStamp(file);
  if (s && s.size === st.size && s.mtimeMs === st.mtimeMs) return true;
  const digest = await sha256File(file);
  const want = pinnedSha(spec, basename(file)) ?? s?.sha256;
  if (want && digest !== want) return false;
  stamp(file, digest);
  return true;
}

async function checkStructure(path: string, want: { rows: number; columns: number }, origin: string) {
  const { readNumericTable } = await import('./csv.js');
  const t = await readNumericTable(path, { columns: want.columns, label: origin });
  if (t.rows !== want.rows) {
    throw new AnminError(`${origin}: expected ${want.rows} rows of ${want.columns} numbers, found ${t.rows}`);
  }
}

/** GET over HTTP(S) into memory with a progress bar; any status but 200, or a short body, is an error. */
export async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (e) {
    throw new AnminError(`${url}: download failed: ${(e as Error).cause ?? (e as Error).message}`);
  }
  if (res.status !== 200 || !res.body) {
    throw new AnminError(`${url}: HTTP ${res.status} ${res.statusText}`);
  }
  const expected = Number(res.headers.get('content-length') ?? 0);
  const bar = startProgress(`download ${basename(new URL(url).pathname)}`, expected || 1, 'bytes');
  const chunks: Uint8Array[] = [];
  let got = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      got += chunk.length;
      bar.update(got);
    }
  } catch (e) {
    throw new AnminError(`${url}: connection lost after ${got} bytes (${(e as Error).message})`);
  } finally {
    bar.stop();
  }
  if (expected && got !== expected) {
    throw new AnminError(`${url}: truncated body, got ${got} of ${expected} bytes`);
  }
  const out = new Uint8Array(got);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** One member out of a zip archive, found by basename so archives with a top folder work too. */
export function extractMember(zip: Uint8Array, member: string, origin: string): Uint8Array {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, { filter: (f) => basename(f.name) === member });
  } catch (e) {
    throw new AnminError(`${origin}: not a readable zip archive (${(e as Error).message})`);
  }
  const key = Object.keys(files).find((k) => basename(k) === member);
  if (!key) throw new AnminError(`${origin}: the archive has no member named ${member}`);
  return files[key];
}

export interface FetchedDataset {
  name: string;
  files: Record<string, string>;
}

export async function fetchDataset(name: string, opts: FetchOptions = {}): Promise<FetchedDataset> {
  const spec = registry()[name];
  if (!spec) throw new AnminError(`unknown dataset "${name}" (downloadable: ${Object.keys(registry()).join(', ')})`);
  const files: Record<string, string> = {};
  for (const f of spec.files) files[f.id] = await fetchFile(name, f, opts);
  return { name, files };
}
