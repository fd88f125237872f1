rule bootstrap:
    input:
        features=lambda w: FILES.features(w.dataset, w.feature),
        labels=f"{RESULTS}/labels/{{dataset}}.parquet",
    output:
        f"{RESULTS}/metrics/{{dataset}}/{{feature}}/{{metric}}/chunk{{chunk}}.parquet",
    log:
        f"{LOGS}/metrics/{{dataset}}.{{feature}}.{{metric}}.chunk{{chunk}}.log",
    benchmark:
        f"{LOGS}/benchmarks/bootstrap/{{dataset}}.{{feature}}.{{metric}}.chunk{{chunk}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **BOOTSTRAP_JOB,
    params:
        **entry_job("bootstrap.py", "metrics", "bootstrap"),
    script:
        "../scripts/bootstrap.py"


rule summarize_metrics:
    input:
        chunks=FILES.metric_chunks(),
    output:
        scores=f"{RESULTS}/metrics/scores.parquet",
        summary=in_report(f"{RESULTS}/metrics/summary.tsv", "metrics", "Metrics"),
    log:
        f"{LOGS}/metrics/summary.log",
    benchmark:
        f"{LOGS}/benchmarks/summarize_metrics/summary.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        code=code("summarize_metrics.py"),
    script:
        "../scripts/summarize_metrics.py"


rule distributions:
    input:
        scores=f"{RESULTS}/metrics/scores.parquet",
    output:
        in_report(f"{RESULTS}/metrics/distributions/{{metric}}.png", "distributions", "Metrics"),
    log:
        f"{LOGS}/metrics/distributions.{{metric}}.log",
    benchmark:
        f"{LOGS}/benchmarks/distributions/{{metric}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        code=code("distributions.py"),
    script:
        "../scripts/distributions.py"
