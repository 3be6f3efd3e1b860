/** A helper thread of NormalOperator: computes its share of each product when the control word says so. */
import { workerData } from 'node:worker_threads';
import { BLOCKS, CMD, EXIT, FAILED, GEN, PENDING, PRODUCT, READY, RowShare, type SharedState } from './normal-operator.js';

const { state, thread } = workerData as { state: SharedState; thread: number };
const { ctrl } = state;
try {
  const share = new RowShare(state, thread);
  // Read the generation before saying ready, so the first command cannot be missed.
  let gen = Atomics.load(ctrl, GEN);
  Atomics.add(ctrl, READY, 1);
  Atomics.notify(ctrl, READY);
  for (;;) {
    Atomics.wait(ctrl, GEN, gen);
    gen = Atomics.load(ctrl, GEN);
    const cmd = Atomics.load(ctrl, CMD);
    if (cmd === EXIT) break;
    if (cmd === PRODUCT) share.product();
    else if (cmd === BLOCKS) share.blocks();
    Atomics.sub(ctrl, PENDING, 1);
    Atomics.notify(ctrl, PENDING);
  }
} catch (e) {
  process.stderr.write(`anmin: conjugate-gradient helper thread ${thread}: ${(e as Error).stack}\n`);
  Atomics.store(ctrl, FAILED, 1);
  Atomics.notify(ctrl, PENDING);
  Atomics.notify(ctrl, READY);
}
