"""The bench report reads honestly (issue 15): differences within seed noise are
marked, plots are titled and stay inside the metric's range, PR curves use every
seed, tuned parameters are listed, and missing values are imputed inside the
pipeline from the command line."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sklearn.datasets import make_classification

from balancekit.bench import _pr_curves as bench_pr_curves
from balancekit.bench import plots as bench_plots
from balancekit.bench._compare import run_comparison
from balancekit.bench._report import (
    METRIC_RANGES,
    markdown_report,
    summary_markdown,
)
from balancekit.bench._rundir import RunFolder
from balancekit.bench._stats import compare_to_best
from balancekit.bench._summary import summarize
from balancekit.cli import main
from balancekit.metrics import average_precision_score


def _records(values: dict[str, list[float]], metric: str = "pr_auc") -> list[dict]:
    """Tidy records of one data set and model: per strategy, one value per seed."""
    records = []
    for strategy, per_seed in values.items():
        for seed, value in enumerate(per_seed):
            records.append(
                {
                    "dataset": "d",
                    "model": "m",
                    "strategy": strategy,
                    "kind": "none",
                    "seed": seed,
                    "status": "ok",
                    "reason": "",
                    metric: value,
                    "fit_time_s": 0.01,
                    "n_train": 300,
                    "n_test": 100,
                    "resampled_counts": '{"a": 270, "b": 30}',
                    "params": "{}",
                }
            )
    return records


# ------------------------------------------------------------------ noise marking


def test_strategies_closer_than_the_noise_are_both_marked():
    # b trails a by 0.005 on average while the seeds swing by +-0.05: noise.
    records = _records(
        {
            "a": [0.60, 0.70, 0.55, 0.65, 0.58],
            "b": [0.62, 0.66, 0.57, 0.64, 0.565],
        }
    )
    summary = summarize(records)
    verdicts = {r["strategy"]: r["pr_auc_vs_best"] for r in summary}
    assert verdicts == {"a": "best", "b": "within noise"}
    table = summary_markdown(summary, dataset="d", model="m", metrics=["pr_auc"])
    assert "| b | 0.611 ± 0.042 | ≈ best (p = " in table
    assert (
        "Differences from the best (a) are within noise for 1 strategy (marked ≈ "
        "best; paired t-test over 5 seeds, corrected for overlapping training sets, "
        "p > 0.05): the ranking among them is not meaningful."
    ) in table
    assert "little power" not in table  # 5 seeds


def test_a_clear_gap_is_not_marked():
    records = _records(
        {
            "a": [0.80, 0.85, 0.78, 0.83, 0.81],
            "c": [0.50, 0.56, 0.47, 0.52, 0.51],
        }
    )
    summary = summarize(records)
    row = next(r for r in summary if r["strategy"] == "c")
    assert row["pr_auc_vs_best"] == "worse"
    assert row["pr_auc_p_vs_best"] < 0.001
    table = summary_markdown(summary, dataset="d", model="m", metrics=["pr_auc"])
    assert "| c | 0.512 ± 0.033 | worse (p = " in table
    assert "≈ best" not in table.split("\n\n")[0]
    assert "Every other strategy is worse than the best (a)" in table


def test_three_seeds_say_the_test_is_weak_and_one_seed_says_no_test():
    three = summarize(_records({"a": [0.6, 0.7, 0.65], "b": [0.58, 0.71, 0.6]}))
    text = summary_markdown(three, dataset="d", model="m", metrics=["pr_auc"])
    assert "over 3 seeds" in text
    assert "little power" in text
    one = summarize(_records({"a": [0.6], "b": [0.5]}))
    text = summary_markdown(one, dataset="d", model="m", metrics=["pr_auc"])
    assert "With 1 seed, no test can tell a difference from noise" in text
    assert "≈ best" not in text


def test_lower_is_better_metric_marks_the_lowest_as_best():
    records = _records(
        {"a": [0.10, 0.12, 0.11, 0.09], "b": [0.30, 0.33, 0.31, 0.29]}, "brier"
    )
    summary = summarize(records)
    verdicts = {r["strategy"]: r["brier_vs_best"] for r in summary}
    assert verdicts == {"a": "best", "b": "worse"}


def test_the_corrected_test_equals_scipy_without_correction():
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(0)
    scores = rng.normal(0.6, 0.05, size=(6, 3))
    plain = compare_to_best(scores)
    best = plain.best
    for j in range(3):
        if j != best:
            expected = ttest_rel(scores[:, best], scores[:, j]).pvalue
            assert plain.p_values[j] == pytest.approx(expected, rel=1e-10)
    corrected = compare_to_best(scores, test_fraction=1 / 3)
    others = [j for j in range(3) if j != best]
    assert (corrected.p_values[others] > plain.p_values[others]).all()
    assert math.isnan(corrected.p_values[best])


def test_failed_runs_are_left_out_of_the_pairing():
    scores = np.array([[0.8, 0.5], [0.82, np.nan], [0.79, 0.52], [0.81, 0.49]])
    result = compare_to_best(scores)
    assert result.n_seeds.tolist() == [4, 3]
    assert not result.within_noise[1]
    with pytest.raises(ValueError, match="no successful run"):
        compare_to_best(np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="`test_fraction`"):
        compare_to_best(scores, test_fraction=-1)


# -------------------------------------------------------- the files of a real run


@pytest.fixture(scope="module")
def tuned_run(tmp_path_factory):
    pytest.importorskip("matplotlib")
    X, y = make_classification(
        400, n_features=5, weights=[0.9], flip_y=0.02, random_state=0
    )
    result = run_comparison(
        X,
        y,
        strategies=["none", "SMOTE", "RandomUnderSampler"],
        models=["logistic_regression"],
        seeds=3,
        tune="grid",
        cv=2,
        dataset="toy",
    )
    out = tmp_path_factory.mktemp("honest")
    figures = {}
    original = bench_plots.save_figure
    drawing_modules = (bench_plots, bench_pr_curves)  # the PR curves draw there

    def keep(figure, path, dpi):
        figures[path.name] = figure
        original(figure, path, dpi)

    for module in drawing_modules:
        module.save_figure = keep
    try:
        RunFolder(out).finish(
            result, arguments={}, datasets=(), metric="pr_auc", plots=True, partial=None
        )
    finally:
        for module in drawing_modules:
            module.save_figure = original
    return result, out, figures


def test_plots_are_titled_and_inside_the_metric_range(tuned_run):
    _, _, figures = tuned_run
    assert set(figures) == {
        "pr_auc_toy_logistic_regression.png",
        "pr_curves_toy_logistic_regression.png",
    }
    for figure in figures.values():
        assert figure.axes[0].get_title()
    bars = figures["pr_auc_toy_logistic_regression.png"].axes[0]
    assert bars.get_title().startswith("PR-AUC by strategy: toy, logistic_regression")
    low, high = bars.get_xlim()
    assert low >= 0.0
    assert high <= 1.0 + 0.021
    for segment in bars.collections[0].get_segments():  # error bars, clipped
        for x, _ in segment:
            assert 0.0 <= x <= 1.0
    curves = figures["pr_curves_toy_logistic_regression.png"].axes[0]
    assert curves.get_ylim()[1] <= 1.02 + 1e-12
    assert "averaged over 3 seeds" in curves.get_title()


def test_bars_of_a_score_near_one_stay_below_one():
    pytest.importorskip("matplotlib")
    figure = bench_plots.plot_metric_by_strategy(
        ["a", "b"], [0.97, 0.9], [0.08, 0.02], metric="PR-AUC", limits=(0, 1)
    )
    axes = figure.axes[0]
    assert axes.get_xlim()[1] == pytest.approx(1.02)
    ends = [x for seg in axes.collections[0].get_segments() for x, _ in seg]
    assert max(ends) == pytest.approx(1.0)  # 0.97 + 0.08 clipped at 1
    assert axes.texts[0].get_text() == "0.970 ± 0.080"  # the value is not clipped
    mcc = bench_plots.plot_metric_by_strategy(
        ["a", "b"], [0.3, -0.2], [0.1, 0.1], metric="MCC", limits=METRIC_RANGES["mcc"]
    )
    low, high = mcc.axes[0].get_xlim()
    assert -1.04 <= low < -0.3
    assert high == pytest.approx(1.04)


def test_pr_curve_legend_agrees_with_the_table(tuned_run):
    result, _, figures = tuned_run
    legend = [
        t.get_text()
        for t in figures["pr_curves_toy_logistic_regression.png"]
        .axes[0]
        .get_legend()
        .get_texts()
    ]
    summary = {r["strategy"]: r for r in summarize(result.records)}
    for strategy in ("none", "SMOTE", "RandomUnderSampler"):
        mean = summary[strategy]["pr_auc_mean"]
        assert f"{strategy} (mean AP over 3 seeds = {mean:.3f})" in legend
        # ... and that mean is the mean of the seeds' curves' APs.
        seeds = [
            result.curves[("toy", "logistic_regression", strategy, s)] for s in range(3)
        ]
        aps = [float(average_precision_score(y, s)) for y, s in seeds]
        assert np.mean(aps) == pytest.approx(mean, abs=1e-12)


def test_pooled_curves_say_so():
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(1)
    seeds = [(rng.integers(0, 2, 40), rng.random(40)) for _ in range(2)]
    figure = bench_plots.plot_pr_curves_over_seeds({"x": seeds}, pool="concatenate")
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    y_all = np.concatenate([y for y, _ in seeds])
    s_all = np.concatenate([s for _, s in seeds])
    ap = float(average_precision_score(y_all, s_all))
    assert legend[0] == f"x (pooled AP of 2 seeds = {ap:.3f})"
    with pytest.raises(ValueError, match="`pool`"):
        bench_plots.plot_pr_curves_over_seeds({"x": seeds}, pool="median")


def test_tuned_parameters_are_in_the_report(tuned_run):
    result, out, _ = tuned_run
    report = (out / "report.md").read_text()
    assert "## Tuned parameters" in report
    section = report.split("## Tuned parameters")[1].split("\n## ")[0]
    smote = [r for r in result.records if r["strategy"] == "SMOTE"]
    row = next(line for line in section.splitlines() if "| SMOTE |" in line)
    for r in smote:
        params = json.loads(r["params"])
        chosen = ", ".join(
            f"{k.split('__', 1)[1]}={v}" for k, v in sorted(params.items())
        )
        assert f"{r['seed']}: {chosen}" in row
    assert "of 3)" in row
    assert "Nothing to tune (no search space; defaults): none." in section
    # Untuned runs have no such section.
    untuned = run_comparison(
        *make_classification(200, weights=[0.9], random_state=0),
        strategies=["none", "SMOTE"],
        models=["logistic_regression"],
        seeds=2,
    )
    assert "Tuned parameters" not in markdown_report(untuned)


def test_report_explains_the_verdict_column(tuned_run):
    _, out, _ = tuned_run
    report = (out / "report.md").read_text()
    assert '"vs. best" tests each strategy against the best one on PR-AUC' in report
    assert "| strategy | PR-AUC | vs. best |" in report
    assert "paired t-test over 3 seeds" in report
    assert "pr_curves_toy_logistic_regression.png: PR curves" in report


# --------------------------------------------------------------- --impute, CLI


def _csv_with_holes(path, n=160, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    label = np.where(X[:, 0] + rng.normal(0, 0.5, n) > 1.2, "fraud", "ok")
    lines = ["a,b,c,label"]
    for i, (row, lab) in enumerate(zip(X, label, strict=True)):
        cells = ["" if (i + j) % 9 == 0 else f"{v:.5f}" for j, v in enumerate(row)]
        lines.append(",".join(cells) + f",{lab}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_impute_through_the_command_line(tmp_path, capsys):
    path = _csv_with_holes(tmp_path / "holes.csv")
    base = [
        "bench",
        "--data",
        str(path),
        "--target",
        "label",
        "--models",
        "logistic_regression",
        "--strategies",
        "none,SMOTE",
        "--seeds",
        "2",
        "--no-progress",
        "--no-plots",
    ]
    # Without --impute: a clear refusal that names the option.
    try:
        code = main([*base, "--out", str(tmp_path / "refused")])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    error = capsys.readouterr().err
    assert "--impute median" in error
    assert "['a', 'b', 'c']" in error
    # With it: every run succeeds, and the protocol says where the imputer sits.
    out = tmp_path / "imputed"
    assert main([*base, "--impute", "median", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["protocol"]["impute"] == "median"
    assert {r["status"] for r in results["runs"]} == {"ok"}
    report = (out / "report.md").read_text()
    assert "the imputer (SimpleImputer, median of each column)" in report
    assert "fitted on the training part only" in report
