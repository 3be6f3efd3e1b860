#!/usr/bin/env python3
"""scikit-learn peers for `anmin compare`.

`sklearn_peers.py --version` prints {"sklearn": VERSION} (or fails: no scikit-learn here).
`sklearn_peers.py DIR` reads DIR/job.json: {"n", "d", "c", "methods": [names], "splits": [{"split": k,
"train": [row indices], "test": [row indices], "unseen": [input columns zeroed in the test rows]}]}, and the raw table as native float64, row-major:
DIR/x.f64 (n*d inputs) and DIR/y.f64 (n*c targets); it prints one JSON line per (method, split) as
each fit ends. The rows are the ones anmin drew, passed as
indices, so the peers never re-derive a split; inputs are standardized on the training rows with the
sample sd (ddof=1, a constant column left unscaled) and targets centred on the training mean, as
anmin's Regressor does, so the MSEs are on the same scale.
"""
import json
import os
import sys
import time
import warnings

# MLPRegressor's lbfgs stops at max_iter=200 by default, short of convergence on most regression data:
# 1000 lets it finish, so the peer is not held back by a cap anmin does not have.
LBFGS_MAX_ITER = 1000


def build(method, split):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import RidgeCV
    from sklearn.neural_network import MLPRegressor
    import numpy as np

    if method == 'sk-mlp-lbfgs':
        return MLPRegressor(hidden_layer_sizes=(64,), solver='lbfgs', max_iter=LBFGS_MAX_ITER, random_state=split)
    if method == 'sk-mlp-adam':
        return MLPRegressor(hidden_layer_sizes=(64,), solver='adam', early_stopping=True, random_state=split)
    if method == 'sk-ridge':
        # Efficient leave-one-out over a grid: a fixed alpha would favour data of one scale.
        return RidgeCV(alphas=np.logspace(-3, 3, 13))
    if method == 'sk-hgb':
        return HistGradientBoostingRegressor(random_state=split)
    raise SystemExit(f'sklearn_peers.py: unknown method {method!r}')


def plain_sum(values):
    # Left to right in float64, as the caller sums: numpy's pairwise sum and Python 3.12's compensated
    # sum() would round differently, and the checksum must match bit for bit.
    s = 0.0
    for v in values:
        s += v
    return s


def finite_or_none(v):
    return v if v == v and abs(v) != float('inf') else None


def main():
    if sys.argv[1:] == ['--version']:
        import sklearn
        print(json.dumps({'sklearn': sklearn.__version__}))
        return
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.multioutput import MultiOutputRegressor

    warnings.simplefilter('ignore', ConvergenceWarning)
    folder = sys.argv[1]
    with open(os.path.join(folder, 'job.json')) as f:
        job = json.load(f)
    n, d, c = job['n'], job['d'], job['c']
    x = np.fromfile(os.path.join(folder, 'x.f64'), dtype=np.float64).reshape(n, d)
    y = np.fromfile(os.path.join(folder, 'y.f64'), dtype=np.float64).reshape(n, c)
    for method in job['methods']:
        for s in job['splits']:
            train = np.asarray(s['train'], dtype=np.intp)
            test = np.asarray(s['test'], dtype=np.intp)
            x_test_raw = x[test]
            # Categories this split's training rows lack: an all-zero code in its test rows, as anmin's side.
            x_test_raw[:, s.get('unseen', [])] = 0
            mean = x[train].mean(axis=0)
            sd = x[train].std(axis=0, ddof=1)
            sd[~(np.isfinite(sd) & (sd > 0))] = 1.0
            y_mean = y[train].mean(axis=0)
            x_train, x_test = (x[train] - mean) / sd, (x_test_raw - mean) / sd
            y_train, y_test = y[train] - y_mean, y[test] - y_mean
            model = build(method, s['split'])
            # Gradient boosting fits one target at a time; the others take all targets at once.
            if c > 1 and method == 'sk-hgb':
                model = MultiOutputRegressor(model)
            fit_y = y_train[:, 0] if c == 1 else y_train
            t0 = time.perf_counter()
            model.fit(x_train, fit_y)
            seconds = time.perf_counter() - t0
            mse = lambda xs, ys: float(np.mean((model.predict(xs).reshape(-1, c) - ys) ** 2))
            print(json.dumps({
                'method': method,
                'split': s['split'],
                'test_mse': finite_or_none(mse(x_test, y_test)),
                'train_mse': finite_or_none(mse(x_train, y_train)),
                'seconds': seconds,
                'train_rows': int(train.size),
                'test_rows': int(test.size),
                'test_target_sum': plain_sum(y[test].ravel().tolist()),
            }), flush=True)


if __name__ == '__main__':
    main()
