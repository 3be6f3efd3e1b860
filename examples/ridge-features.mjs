// A trainer of your own, as one file: random ReLU features with a ridge output layer (an "extreme
// learning machine": ANMIN's iteration 0 alone, with no hidden-layer solve). Name it in a protocol
// ("trainer": "./ridge-features.mjs") or on the command line (anmin train data.csv --method ./ridge-features.mjs).
import { defineTrainer, TraceRecorder, RandomState, hiddenPre, ridgeWithIntercept, integer, number, SEED } from 'anmin';

export default defineTrainer(
  'ridge-features',
  // Defaults: every option a run may set, and the seed (each run passes its split as the seed).
  { hidden: 64, lambda: 1e-3, scale: 1, seed: 0 },
  // What each option accepts: anmin refuses anything else, in a protocol or on the command line, with one line.
  { hidden: integer(1, 16384), lambda: number(0, Infinity), scale: number(0, Infinity, true), seed: SEED },
  (data, o, onStep) => {
    // data.train: n rows of p = d + 1 inputs (a leading ones column, then the standardized inputs) and c centred targets.
    const { n, p, c, x, y } = data.train;
    // The recorder keeps the trace and the clock; it pauses the clock while it scores the test rows.
    const trace = new TraceRecorder(data, onStep, false);
    const rng = new RandomState(o.seed);
    const A = rng.fillNormal(new Float64Array(p * o.hidden)).map((v) => (v * o.scale) / Math.sqrt(p));
    const net = { p, h: o.hidden, c, alpha: 0, A, B: new Float64Array(o.hidden * c), b0: new Float64Array(c) };
    trace.record(net, 0);
    // The output layer and intercept by ridge least squares on the features max(XA, 0).
    const W = ridgeWithIntercept(hiddenPre(net, x, n), 0, y, n, o.hidden, c, o.lambda);
    net.B = W.slice(0, o.hidden * c);
    net.b0 = W.slice(o.hidden * c);
    trace.record(net, 1);
    return { method: 'ridge-features', network: net, trace: trace.points, selected: 1, seconds: trace.seconds() };
  },
);
