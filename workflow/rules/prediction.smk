rule calibration_points:
    input:
        scores=f"{RESULTS}/metrics/summary.tsv",
        folds=f"{RESULTS}/models/folds.tsv",
        tables=[relative(path) for path in PLAN.calibration_tables],
    output:
        **({"export": PLAN.calibration["export"]} if PLAN.calibration["export"] else {}),
        points=f"{RESULTS}/prediction/points.tsv",
    log:
        f"{LOGS}/prediction/points.log",
    benchmark:
        f"{LOGS}/benchmarks/calibration_points/points.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        **{key: PLAN.calibration[key] for key in ("trained", "performance", "predictors")},
        entries=PLAN.comparable_entries(),
        datasets=PLAN.calibration_datasets(),
        plugins=PLAN.plugins_of("metrics", *PLAN.metrics),
        code=code("calibration_points.py"),
    script:
        "../scripts/calibration_points.py"


rule predict_auc:
    input:
        points=f"{RESULTS}/prediction/points.tsv",
        scores=f"{RESULTS}/metrics/summary.tsv",
        models=f"{RESULTS}/models/summary.tsv",
    output:
        predictions=in_report(f"{RESULTS}/prediction/predicted_auc.tsv", "predicted_auc", "Answer"),
        predictors=in_report(f"{RESULTS}/prediction/predictors.tsv", "predictors", "Answer"),
        calibration=in_report(f"{RESULTS}/prediction/calibration.png", "calibration", "Answer"),
        forest=in_report(f"{RESULTS}/prediction/forest.svg", "forest", "Answer"),
    log:
        f"{LOGS}/prediction/predicted_auc.log",
    benchmark:
        f"{LOGS}/benchmarks/predict_auc/predicted_auc.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        **PLAN.prediction_params(),
        code=code("predict_auc.py"),
    script:
        "../scripts/predict_auc.py"
