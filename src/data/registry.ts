import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/fsx.js';

/** One raw file of a dataset, as declared in datasets/registry.json. */
export interface FileSpec {
  id: string;
  /** Basename kept in the cache when downloaded from `url`. */
  name: string;
  url: string;
  /** The member to extract when `url` is a zip. */
  member?: string;
  /** Pinned digest of the kept file, or one per accepted basename. */
  sha256?: string | Record<string, string>;
  /** Checked instead of a digest where the published bytes are not known here. */
  structure?: { rows: number; columns: number };
  /** Candidate paths inside a mirror folder, tried in order. */
  mirror: string[];
}

export interface DatasetSpec {
  title: string;
  files: FileSpec[];
}

let cached: Record<string, DatasetSpec> | null = null;

export function registry(): Record<string, DatasetSpec> {
  if (!cached) {
    const raw = JSON.parse(readFileSync(join(packageRoot(), 'datasets', 'registry.json'), 'utf8')) as Record<
      string,
      DatasetSpec | string
    >;
    cached = Object.fromEntries(
      Object.entries(raw).filter((e): e is [string, DatasetSpec] => typeof e[1] === 'object'),
    );
  }
  return cached;
}

/** The digest a kept file with this basename must have, if one is pinned. */
export function pinnedSha(spec: FileSpec, basename: string): string | undefined {
  if (typeof spec.sha256 === 'string') return basename === spec.name ? spec.sha256 : undefined;
  return spec.sha256?.[basename];
}
