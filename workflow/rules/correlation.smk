SCATTER = f"{RESULTS}/correlation/scatter/{{feature}}.{{metric}}.{{model}}.png"  # one per measure and model
# The original study's pooled test, where the config asks for it (correlation.study_compat).
STUDY_COMPAT = {"study": in_report(f"{RESULTS}/correlation/study_compat.tsv", "study_compat", "Correlation")}


rule correlate:
    input:
        scores=f"{RESULTS}/metrics/scores.parquet",
        folds=f"{RESULTS}/models/folds.tsv",
    output:
        **(STUDY_COMPAT if config["correlation"]["study_compat"] else {}),
        table=in_report(f"{RESULTS}/correlation/table.tsv", "correlation", "Correlation"),
        ranking=in_report(f"{RESULTS}/correlation/ranking.tsv", "ranking", "Answer"),
        heatmap=in_report(f"{RESULTS}/correlation/heatmap.png", "heatmap", "Correlation"),
        ranking_plot=in_report(f"{RESULTS}/correlation/ranking.png", "ranking_plot", "Answer"),
    log:
        f"{LOGS}/correlation/table.log",
    benchmark:
        f"{LOGS}/benchmarks/correlate/table.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        options=config["correlation"],
        seed=PLAN.seed_for("correlation"),
        study_seed=PLAN.seed_for("study_compat"),
        code=code("correlate.py"),
    script:
        "../scripts/correlate.py"


rule answer:
    input:
        labels=expand(f"{RESULTS}/labels/{{dataset}}.parquet", dataset=PLAN.datasets),
        scores=f"{RESULTS}/metrics/scores.parquet",
        models=f"{RESULTS}/models/summary.tsv",
        ranking=f"{RESULTS}/correlation/ranking.tsv",
        predictions=f"{RESULTS}/prediction/predicted_auc.tsv",
        sources=[FILES.of_dataset(dataset)["source"] for dataset in PLAN.datasets],
    output:
        in_report(f"{RESULTS}/answer.tsv", "answer", "Answer"),
    log:
        f"{LOGS}/correlation/answer.log",
    benchmark:
        f"{LOGS}/benchmarks/answer/answer.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        datasets=list(PLAN.datasets),
        code=code("answer.py"),
    script:
        "../scripts/answer.py"


rule scatter:
    input:
        scores=f"{RESULTS}/metrics/scores.parquet",
        folds=f"{RESULTS}/models/folds.tsv",
        table=f"{RESULTS}/correlation/table.tsv",
    output:
        in_report(SCATTER, "scatter", "Correlation", "Scatter plots"),
    log:
        f"{LOGS}/correlation/scatter.{{feature}}.{{metric}}.{{model}}.log",
    benchmark:
        f"{LOGS}/benchmarks/scatter/scatter.{{feature}}.{{metric}}.{{model}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        n_boot=config["correlation"]["bootstrap"],
        seed=PLAN.seed_for("correlation"),
        code=code("scatter.py"),
    script:
        "../scripts/scatter.py"
