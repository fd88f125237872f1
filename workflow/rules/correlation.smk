rule correlate:
    input:
        scores=f"{RESULTS}/metrics/scores.parquet",
        folds=f"{RESULTS}/models/folds.tsv",
        code=code("correlate.py"),
    output:
        table=report(
            f"{RESULTS}/correlation/table.tsv",
            caption="../report/correlation.rst",
            category="Correlation",
        ),
        ranking=report(
            f"{RESULTS}/correlation/ranking.tsv",
            caption="../report/ranking.rst",
            category="Answer",
        ),
    log:
        f"{LOGS}/correlation/table.log",
    benchmark:
        f"{LOGS}/benchmarks/correlate/table.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        n_boot=config["correlation"]["bootstrap"],
        rank_by=config["correlation"]["rank_by"],
        seed=derive_seed(config["seed"], "correlation"),
    script:
        "../scripts/correlate.py"


rule answer:
    input:
        labels=expand(f"{RESULTS}/labels/{{dataset}}.parquet", dataset=PLAN.datasets),
        scores=f"{RESULTS}/metrics/scores.parquet",
        models=f"{RESULTS}/models/summary.tsv",
        ranking=f"{RESULTS}/correlation/ranking.tsv",
        predictions=f"{RESULTS}/prediction/predicted_auc.tsv",
        code=code("answer.py"),
    output:
        report(
            f"{RESULTS}/answer.tsv",
            caption="../report/answer.rst",
            category="Answer",
        ),
    log:
        f"{LOGS}/correlation/answer.log",
    benchmark:
        f"{LOGS}/benchmarks/answer/answer.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        datasets=list(PLAN.datasets),
    script:
        "../scripts/answer.py"


rule ranking_plot:
    input:
        ranking=f"{RESULTS}/correlation/ranking.tsv",
        code=code("ranking_plot.py"),
    output:
        report(
            f"{RESULTS}/correlation/ranking.png",
            caption="../report/ranking_plot.rst",
            category="Answer",
        ),
    log:
        f"{LOGS}/correlation/ranking_plot.log",
    benchmark:
        f"{LOGS}/benchmarks/ranking_plot/ranking_plot.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/ranking_plot.py"


rule distributions:
    input:
        scores=f"{RESULTS}/metrics/scores.parquet",
        code=code("distributions.py"),
    output:
        report(
            f"{RESULTS}/metrics/distributions/{{metric}}.png",
            caption="../report/distributions.rst",
            category="Metrics",
            labels={"metric": "{metric}"},
        ),
    log:
        f"{LOGS}/metrics/distributions.{{metric}}.log",
    benchmark:
        f"{LOGS}/benchmarks/distributions/{{metric}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/distributions.py"


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
        f"{LOGS}/correlation/study_compat.log",
    benchmark:
        f"{LOGS}/benchmarks/correlate_study/study_compat.tsv"
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
        scores=f"{RESULTS}/metrics/scores.parquet",
        folds=f"{RESULTS}/models/folds.tsv",
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
        f"{LOGS}/correlation/scatter.{{feature}}.{{metric}}.{{model}}.log",
    benchmark:
        f"{LOGS}/benchmarks/scatter/scatter.{{feature}}.{{metric}}.{{model}}.tsv"
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
        f"{LOGS}/correlation/heatmap.log",
    benchmark:
        f"{LOGS}/benchmarks/heatmap/heatmap.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/heatmap.py"
