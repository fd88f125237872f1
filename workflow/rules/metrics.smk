rule bootstrap:
    input:
        features=feature_table,
        labels=f"{R}/labels/{{dataset}}.parquet",
        code=pkg("metrics"),
    output:
        f"{R}/metrics/{{dataset}}/{{feature}}/{{metric}}/seed{{seed}}.parquet",
    log:
        "logs/metrics/{dataset}.{feature}.{metric}.seed{seed}.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        sessions=METRICS["sessions_per_seed"],
        fraction=METRICS["fraction"],
        patient_wise=METRICS["patient_wise"],
        rng_seed=lambda w: derive_seed(config["seed"], w.dataset, w.feature, w.metric, w.seed),
    script:
        "../scripts/bootstrap.py"


rule summarize_metrics:
    input:
        metric_chunks(),
    output:
        scores=f"{R}/metrics/scores.parquet",
        summary=report(
            f"{R}/metrics/summary.tsv",
            caption="../report/metrics.rst",
            category="Metrics",
        ),
    log:
        "logs/metrics/summary.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    script:
        "../scripts/summarize_metrics.py"
