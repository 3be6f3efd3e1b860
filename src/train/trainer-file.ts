import { isAbsolute, resolve } from 'node:path';
import { sha256FileSync } from '../util/fsx.js';

/** A trainer named by a module's path (`./ridge-features.mjs`, `/abs/x.js`) rather than a built-in name. */
export function isTrainerFile(name: string): boolean {
  return /^\.{1,2}[/\\]|^[/\\]/.test(name) || /\.[cm]?js$/.test(name) || isAbsolute(name);
}

/** A trainer module on disk: where it is and the sha256 of its bytes (part of every record's identity). */
export interface TrainerFile {
  file: string;
  sha256: string;
}

/** Resolves a module path (relative to `base`) and hashes it, without running it. */
export function locateTrainerFile(name: string, base: string, where: string): TrainerFile {
  const file = resolve(base, name);
  return { file, sha256: sha256FileSync(file, `${where}: trainer module ${file}`) };
}
