import { join } from 'node:path';
import { EXPERIMENTS_DIR, readJson } from '../../experiments/protocol.js';

/** The paper's numbers, as experiments/published.json holds them. */
export interface Published {
  table3: Record<'mse_train' | 'mse_test' | 'r2_train' | 'r2_test', Record<string, Record<string, [number, number]>>>;
  table4_seconds_per_run: Record<string, Record<string, number>>;
  table5_ablation_bike_sharing: { columns: string[]; rows: Record<string, [boolean, boolean, number, number, number, number]> };
}

let cached: Published | undefined;

/** Read once per process: every table and check of one report consults it. */
export function published(): Published {
  return (cached ??= readJson<Published>(join(EXPERIMENTS_DIR(), 'published.json')));
}
