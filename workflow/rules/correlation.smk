rule correlate:
    input:
        metrics=f"{RESULTS}/metrics/summary.tsv",
        models=f"{RESULTS}/models/summary.tsv",
        code=code("correlate.py"),
    output:
        report(
            f"{RESULTS}/correlation/table.tsv",
            caption="../report/correlation.rst",
            category="Correlation",
        ),
    log:
        "logs/correlation/table.log",
    benchmark:
        "logs/benchmarks/correlate/table.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        n_boot=config["correlation"]["bootstrap"],
        seed=derive_seed(config["seed"], "correlation"),
    script:
        "../scripts/correlate.py"


rule correlate_study:
    input:
        scores=f"{RESULTS}/metrics/scores.parquet",
        folds=f"{RESULTS}/models/folds.tsv",
        code=code("correlate_study.py"),
    output:
        report(
            f"{RESULTS}/correlation/study_compat.tsv",
            caption="../report/study_compat.rst",
            category="Correlation",
        ),
    log:
        "logs/correlation/study_compat.log",
    benchmark:
        "logs/benchmarks/correlate_study/study_compat.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        seed=derive_seed(config["seed"], "correlation", "study"),
    script:
        "../scripts/correlate_study.py"


rule scatter:
    input:
        metrics=f"{RESULTS}/metrics/summary.tsv",
        models=f"{RESULTS}/models/summary.tsv",
        table=f"{RESULTS}/correlation/table.tsv",
        code=code("scatter.py"),
    output:
        report(
            f"{RESULTS}/correlation/scatter/{{feature}}.{{metric}}.{{model}}.png",
            caption="../report/scatter.rst",
            category="Correlation",
            subcategory="Scatter plots",
            labels={"feature": "{feature}", "metric": "{metric}", "model": "{model}"},
        ),
    log:
        "logs/correlation/scatter.{feature}.{metric}.{model}.log",
    benchmark:
        "logs/benchmarks/scatter/scatter.{feature}.{metric}.{model}.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/scatter.py"


rule heatmap:
    input:
        table=f"{RESULTS}/correlation/table.tsv",
        code=code("heatmap.py"),
    output:
        report(
            f"{RESULTS}/correlation/heatmap.png",
            caption="../report/heatmap.rst",
            category="Correlation",
        ),
    log:
        "logs/correlation/heatmap.log",
    benchmark:
        "logs/benchmarks/heatmap/heatmap.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/heatmap.py"
