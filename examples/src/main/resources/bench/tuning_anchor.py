#!/usr/bin/python3
"""bin/bench tuning's Optuna anchor: the same test functions and spaces as io.omelet.tuning.TestFunction.

  tuning_anchor.py trace FUNCTION SAMPLER TRIALS SEED...
      One JSON line per seed: {"function", "sampler", "seed", "values": [objective value of each trial]}.
      SAMPLER is tpe (Optuna's TPESampler with its defaults) or random.
  tuning_anchor.py importance FUNCTION TRIALS SEED
      Runs Optuna's TPE for TRIALS trials, then prints one JSON line:
      {"trials": [{"params": {...}, "value": v}, ...], "importance": {param: share}} where importance is
      Optuna's FanovaImportanceEvaluator(seed=SEED) on those trials.
"""
import json
import math
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(trial):
    x = [trial.suggest_float("x%d" % (j + 1), 0, 1) for j in range(6)]
    return -sum(H6_ALPHA[i] * math.exp(-sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def mixed(trial):
    x = trial.suggest_float("x", -5, 5)
    flag = trial.suggest_categorical("flag", [True, False])
    model = trial.suggest_categorical("model", ["linear", "tree", "constant"])
    if model == "linear":
        lr = math.log10(trial.suggest_float("linear.lr", 1e-4, 1, log=True)) + 2
        f = (x - 1) ** 2 + lr ** 2
    elif model == "tree":
        d = trial.suggest_int("tree.depth", 1, 12) - 8
        criterion = trial.suggest_categorical("tree.criterion", ["gini", "entropy"])
        f = 0.5 + 0.5 * (x - 1) ** 2 + 0.05 * d * d + (0.2 if criterion == "entropy" else 0)
    else:
        f = 1.5 + 0.1 * (x - 1) ** 2
    return f + (0 if flag else 0.25)


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "mixed": mixed}


def sampler(name, seed):
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit("unknown sampler " + name)


def trace(function, sampler_name, trials, seeds):
    for seed in seeds:
        study = optuna.create_study(sampler=sampler(sampler_name, seed))
        study.optimize(FUNCTIONS[function], n_trials=trials)
        print(json.dumps({"function": function, "sampler": sampler_name, "seed": seed,
                          "values": [t.value for t in study.trials]}), flush=True)


def importance(function, trials, seed):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(FUNCTIONS[function], n_trials=trials)
    shares = optuna.importance.get_param_importances(
        study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=seed))
    print(json.dumps({"trials": [{"params": t.params, "value": t.value} for t in study.trials],
                      "importance": shares}), flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "trace":
        trace(sys.argv[2], sys.argv[3], int(sys.argv[4]), [int(s) for s in sys.argv[5:]])
    elif mode == "importance":
        importance(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit("usage: tuning_anchor.py trace|importance ...")
