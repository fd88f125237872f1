rule correlate:
    input:
        metrics=f"{R}/metrics/summary.tsv",
        models=f"{R}/models/summary.tsv",
        code=pkg("correlation"),
    output:
        report(
            f"{R}/correlation/table.tsv",
            caption="../report/correlation.rst",
            category="Correlation",
        ),
    log:
        "logs/correlation/table.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        bootstrap=config["correlation"]["bootstrap"],
        seed=derive_seed(config["seed"], "correlation"),
    script:
        "../scripts/correlate.py"


rule correlate_study:
    input:
        scores=f"{R}/metrics/scores.parquet",
        folds=f"{R}/models/folds.tsv",
        code=pkg("correlation"),
    output:
        report(
            f"{R}/correlation/study_compat.tsv",
            caption="../report/study_compat.rst",
            category="Correlation",
        ),
    log:
        "logs/correlation/study_compat.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        seed=derive_seed(config["seed"], "correlation", "study"),
    script:
        "../scripts/correlate_study.py"


rule scatter:
    input:
        metrics=f"{R}/metrics/summary.tsv",
        models=f"{R}/models/summary.tsv",
        table=f"{R}/correlation/table.tsv",
        code=pkg("plots"),
    output:
        report(
            f"{R}/correlation/scatter/{{feature}}.{{metric}}.{{model}}.png",
            caption="../report/scatter.rst",
            category="Correlation",
            subcategory="Scatter plots",
            labels={"feature": "{feature}", "metric": "{metric}", "model": "{model}"},
        ),
    log:
        "logs/correlation/scatter.{feature}.{metric}.{model}.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../scripts/scatter.py"


rule heatmap:
    input:
        table=f"{R}/correlation/table.tsv",
        code=pkg("plots"),
    output:
        report(
            f"{R}/correlation/heatmap.png",
            caption="../report/heatmap.rst",
            category="Correlation",
        ),
    log:
        "logs/correlation/heatmap.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../scripts/heatmap.py"
