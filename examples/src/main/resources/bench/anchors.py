#!/usr/bin/python3
"""bin/bench automl's Python anchors, on the split Omelet used (train.csv and test.csv of one seed).

  anchors.py TRAIN_CSV TEST_CSV LABEL TASK POSITIVE SEED

TASK is binary, multiclass or regression. Prints one JSON line per anchor:
{"anchor": ..., "metric": ..., "value": ..., "seconds": ...}
  sklearn_hgb  scikit-learn's HistGradientBoosting{Classifier,Regressor} with its defaults
  xgb_optuna   XGBoost tuned by Optuna's TPE sampler: 30 trials, 3-fold CV on the training rows,
               then the best settings fit on all of them
Categorical columns are ordinal-encoded (unknown levels as missing), the usual input for both.
Metrics: binary AUC, multiclass log loss, regression RMSE, on the test rows.
"""
import json
import sys
import time

import numpy as np
import optuna
import pandas as pd
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.preprocessing import OrdinalEncoder


def load(train_csv, test_csv, label, na):
    kw = {"na_values": ["NA"], "keep_default_na": True} if na else {}
    train = pd.read_csv(train_csv, **kw)
    test = pd.read_csv(test_csv, **kw)
    y_train, y_test = train.pop(label), test.pop(label)
    cats = [c for c in train.columns if train[c].dtype == object]
    enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan)
    if cats:
        train[cats] = enc.fit_transform(train[cats].astype(str).where(train[cats].notna(), None))
        test[cats] = enc.transform(test[cats].astype(str).where(test[cats].notna(), None))
    mask = np.array([c in cats for c in train.columns])
    return train.astype(float), test.astype(float), y_train, y_test, mask


def score(task, model, X, y, classes, positive):
    if task == "regression":
        return "rmse", float(np.sqrt(mean_squared_error(y, model.predict(X))))
    p = model.predict_proba(X)
    if task == "binary":
        return "auc", float(roc_auc_score((y == positive).astype(int), p[:, list(classes).index(positive)]))
    return "logloss", float(log_loss(y, p, labels=classes))


def main():
    train_csv, test_csv, label, task, positive, seed = sys.argv[1:7]
    seed = int(seed)
    X, Xt, y, yt, cat_mask = load(train_csv, test_csv, label, na=True)
    classes = None if task == "regression" else sorted(y.unique())
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    t0 = time.time()
    hgb = (HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier)(
        categorical_features=cat_mask if cat_mask.any() else None, random_state=seed)
    hgb.fit(X, y)
    metric, value = score(task, hgb, Xt, yt, classes, positive)
    print(json.dumps({"anchor": "sklearn_hgb", "metric": metric, "value": value, "seconds": time.time() - t0}), flush=True)

    t0 = time.time()
    if task == "regression":
        y_fit, yt_fit, scoring, folds = y, yt, "neg_root_mean_squared_error", KFold(3, shuffle=True, random_state=seed)
    else:
        index = {c: i for i, c in enumerate(classes)}
        y_fit = y.map(index)
        scoring = "roc_auc" if task == "binary" else "neg_log_loss"
        folds = StratifiedKFold(3, shuffle=True, random_state=seed)

    def make(params):
        cls = xgb.XGBRegressor if task == "regression" else xgb.XGBClassifier
        return cls(tree_method="hist", n_jobs=2, random_state=seed, **params)

    def objective(trial):
        params = {
            "n_estimators": trial.suggest_int("n_estimators", 50, 1000, log=True),
            "max_depth": trial.suggest_int("max_depth", 2, 10),
            "learning_rate": trial.suggest_float("learning_rate", 0.005, 0.3, log=True),
            "subsample": trial.suggest_float("subsample", 0.5, 1.0),
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.4, 1.0),
            "min_child_weight": trial.suggest_float("min_child_weight", 0.5, 20, log=True),
            "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10, log=True),
            "reg_alpha": trial.suggest_float("reg_alpha", 1e-3, 10, log=True),
        }
        return cross_val_score(make(params), X, y_fit, cv=folds, scoring=scoring).mean()

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=30)
    best = make(study.best_params).fit(X, y_fit)
    if task == "regression":
        metric, value = score(task, best, Xt, yt, None, None)
    else:
        p = best.predict_proba(Xt)
        if task == "binary":
            metric, value = "auc", float(roc_auc_score((yt == positive).astype(int), p[:, classes.index(positive)]))
        else:
            metric, value = "logloss", float(log_loss(yt, p, labels=classes))
    print(json.dumps({"anchor": "xgb_optuna", "metric": metric, "value": value, "seconds": time.time() - t0}), flush=True)


if __name__ == "__main__":
    main()
