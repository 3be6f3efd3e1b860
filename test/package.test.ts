import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { planted } from '../src/data/generate.js';
import { ROOT, tempDir } from './helpers.js';

const npm = (cwd: string, ...args: string[]) => spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });

test('npm pack ships what a user needs, and the tarball installs and runs outside the repository', () => {
  const dir = tempDir('anmin-pack');
  const packed = npm(ROOT, 'pack', '--json', '--pack-destination', dir);
  assert.equal(packed.status, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const files = info.files.map((f) => f.path);
  for (const need of ['bin/anmin.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/wasm/network.wasm', 'dist/wasm/firing.wasm', 'experiments/table3.json', 'datasets/registry.json', 'package.json', 'README.md']) {
    assert.ok(files.includes(need), `the tarball lacks ${need}`);
  }
  const stray = files.filter((f) => /^(test|\.ci|src|assembly|dist\/test|results)\//.test(f) || f.endsWith('.map') || f.endsWith('.tmp'));
  assert.deepEqual(stray, []);

  const project = join(dir, 'project');
  spawnSync('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const installed = npm(project, 'install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, info.filename));
  assert.equal(installed.status, 0, installed.stderr);

  const p = planted({ d: 2, k: 3, n: 300, sigma: 0.1, seed: 3 });
  const lines = ['u,target,v', ...Array.from({ length: 300 }, (_, i) => `${p.x[2 * i]},${p.y[i]},${p.x[2 * i + 1]}`)];
  writeFileSync(join(project, 'data.csv'), lines.join('\n') + '\n');
  const trained = spawnSync('npx', ['--no-install', 'anmin', 'train', 'data.csv', '--target', 'target', '--method', 'anmin+lbfgs', '--hidden', '8', '--iterations', '5', '--save', 'model.json', '--json'], { cwd: project, encoding: 'utf8' });
  assert.equal(trained.status, 0, trained.stderr);
  assert.ok((JSON.parse(trained.stdout) as { train_r2: number }).train_r2 > 0.5);
  const predicted = spawnSync('npx', ['--no-install', 'anmin', 'predict', 'model.json', 'data.csv'], { cwd: project, encoding: 'utf8' });
  assert.equal(predicted.status, 0, predicted.stderr);
  assert.equal(predicted.stdout.trim().split('\n').length, 301);
  const evaluated = spawnSync('npx', ['--no-install', 'anmin', 'evaluate', 'model.json', 'data.csv', '--json'], { cwd: project, encoding: 'utf8' });
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal((JSON.parse(evaluated.stdout) as { rows: number }).rows, 300);

  writeFileSync(join(project, 'use.js'), `import { Anmin } from 'anmin';
const X = [[0, 1], [1, 0], [1, 1], [2, 1], [0, 2], [2, 2]];
const y = X.map(([a, b]) => a - b);
console.log(JSON.stringify({ score: new Anmin({ hidden: 4, iterations: 3 }).fit(X, y).score(X, y) }));
`);
  const used = spawnSync(process.execPath, ['use.js'], { cwd: project, encoding: 'utf8' });
  assert.equal(used.status, 0, used.stderr);
  assert.equal(typeof (JSON.parse(used.stdout) as { score: number }).score, 'number');
});
