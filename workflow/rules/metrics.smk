rule bootstrap:
    input:
        features=lambda w: f"{RESULTS}/features/{PLAN.roots[w.dataset]}/{w.feature}.parquet",
        labels=f"{RESULTS}/labels/{{dataset}}.parquet",
        code=lambda w: code("bootstrap.py", "metrics", w.metric),
    output:
        f"{RESULTS}/metrics/{{dataset}}/{{feature}}/{{metric}}/chunk{{chunk}}.parquet",
    log:
        f"{LOGS}/metrics/{{dataset}}.{{feature}}.{{metric}}.chunk{{chunk}}.log",
    benchmark:
        f"{LOGS}/benchmarks/bootstrap/{{dataset}}.{{feature}}.{{metric}}.chunk{{chunk}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.bootstrap_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.bootstrap_runtime(
            input.size_mb, PLAN.metrics[w.metric]["sessions_per_chunk"], attempt
        ),
    params:
        spec=lambda w: PLAN.metrics[w.metric],
        seed=lambda w: derive_seed(config["seed"], w.dataset, w.feature, w.metric, w.chunk),
        plugins=lambda w: PLAN.plugins_of("metrics", w.metric),
    script:
        "../scripts/bootstrap.py"


rule summarize_metrics:
    input:
        chunks=metric_chunks(),
        code=code("summarize_metrics.py"),
    output:
        scores=f"{RESULTS}/metrics/scores.parquet",
        summary=report(
            f"{RESULTS}/metrics/summary.tsv",
            caption="../report/metrics.rst",
            category="Metrics",
        ),
    log:
        f"{LOGS}/metrics/summary.log",
    benchmark:
        f"{LOGS}/benchmarks/summarize_metrics/summary.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/summarize_metrics.py"
