from difficulty.prediction.entries import run_entries
from difficulty.prediction.options import calibration_tables

CALIBRATION_TABLES = [relative(p) for p in calibration_tables(PLAN.calibration)]
RUN_ENTRIES = run_entries(PLAN)


rule calibration_points:
    input:
        scores=f"{RESULTS}/metrics/summary.tsv",
        folds=f"{RESULTS}/models/folds.tsv",
        tables=CALIBRATION_TABLES,
        code=code("calibration_points.py"),
    output:
        f"{RESULTS}/prediction/points.tsv",
    log:
        f"{LOGS}/prediction/points.log",
    benchmark:
        f"{LOGS}/benchmarks/calibration_points/points.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        entries=RUN_ENTRIES,
        families=PLAN.families,
        trained=PLAN.calibration["trained"],
        performance=PLAN.calibration["performance"],
        predictors=PLAN.calibration["predictors"],
    script:
        "../scripts/calibration_points.py"


rule predict_auc:
    input:
        points=f"{RESULTS}/prediction/points.tsv",
        scores=f"{RESULTS}/metrics/summary.tsv",
        models=f"{RESULTS}/models/summary.tsv",
        code=code("predict_auc.py"),
    output:
        predictions=report(
            f"{RESULTS}/prediction/predicted_auc.tsv",
            caption="../report/predicted_auc.rst",
            category="Answer",
        ),
        predictors=report(
            f"{RESULTS}/prediction/predictors.tsv",
            caption="../report/predictors.rst",
            category="Answer",
        ),
    log:
        f"{LOGS}/prediction/predicted_auc.log",
    benchmark:
        f"{LOGS}/benchmarks/predict_auc/predicted_auc.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        models=SCORED_MODELS,
        model_entries={name: PLAN.models.get(name) for name in SCORED_MODELS},
        families=PLAN.families,
        coverage=PLAN.calibration["coverage"],
        fits=PLAN.calibration["fits"],
        rivals=PLAN.calibration["rivals"],
        plugins=PLAN.plugins_of("models", *(m for m in SCORED_MODELS if m in PLAN.models)),
    script:
        "../scripts/predict_auc.py"


rule calibration_plot:
    input:
        points=f"{RESULTS}/prediction/points.tsv",
        predictions=f"{RESULTS}/prediction/predicted_auc.tsv",
        predictors=f"{RESULTS}/prediction/predictors.tsv",
        scores=f"{RESULTS}/metrics/summary.tsv",
        code=code("calibration_plot.py"),
    output:
        report(
            f"{RESULTS}/prediction/calibration.png",
            caption="../report/calibration.rst",
            category="Answer",
        ),
    log:
        f"{LOGS}/prediction/calibration_plot.log",
    benchmark:
        f"{LOGS}/benchmarks/calibration_plot/calibration.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/calibration_plot.py"


if PLAN.calibration["export"]:

    rule export_calibration:
        input:
            scores=f"{RESULTS}/metrics/summary.tsv",
            folds=f"{RESULTS}/models/folds.tsv",
            code=code("export_calibration.py"),
        output:
            PLAN.calibration["export"],
        log:
            f"{LOGS}/prediction/export.log",
        benchmark:
            f"{LOGS}/benchmarks/export_calibration/export.tsv"
        conda:
            "../../envs/metrics.yaml"
        threads: 1
        resources:
            mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
            runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
        params:
            entries=RUN_ENTRIES,
            families=PLAN.families,
            trained=PLAN.calibration["trained"],
            performance=PLAN.calibration["performance"],
        script:
            "../scripts/export_calibration.py"
