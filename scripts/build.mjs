// The whole build, for `npm run build`, `prepare` and `make build` alike: each SIMD kernel of
// assembly/ (AssemblyScript → dist/wasm/NAME.wasm) when its source is newer, then the TypeScript.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -Infinity);
// A kernel is rebuilt when its source, the shared code or this script's flags are newer than it.
const shared = Math.max(mtime(join(root, 'assembly', 'common.ts')), mtime(fileURLToPath(import.meta.url)));

// Modules whose memory threads share (their helpers' instances import the main thread's memory):
// shared WebAssembly memory needs a maximum, here the 4 GiB a 32-bit memory can address (src/util/wasm.ts
// creates the memory with the same maximum).
const SHARED_MEMORY = new Set(['cholesky.ts']);
const sharedFlags = ['--enable', 'threads', '--importMemory', '--sharedMemory', '--maximumMemory', '65536'];

mkdirSync(join(root, 'dist', 'wasm'), { recursive: true });
for (const file of readdirSync(join(root, 'assembly'))) {
  if (!file.endsWith('.ts') || file === 'common.ts') continue;
  const src = join(root, 'assembly', file);
  const out = join(root, 'dist', 'wasm', file.replace(/\.ts$/, '.wasm'));
  if (mtime(out) > Math.max(mtime(src), shared)) continue;
  execFileSync(bin('asc'), [src, '-o', out, '-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert', ...(SHARED_MEMORY.has(file) ? sharedFlags : [])], { stdio: 'inherit' });
}
execFileSync(bin('tsc'), ['-p', root], { stdio: 'inherit' });
