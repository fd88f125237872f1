rule train_reference:
    input:
        unpack(lambda w: FILES.of_dataset(w.dataset)),
        labels=f"{RESULTS}/labels/{{dataset}}.parquet",
        extra=lambda w: FILES.entry_inputs("models", w.model),
    output:
        folds=f"{RESULTS}/models/{{dataset}}/{{model}}.tsv",
        predictions=f"{RESULTS}/models/{{dataset}}/{{model}}.predictions.parquet",
    log:
        f"{LOGS}/models/{{dataset}}.{{model}}.log",
    benchmark:
        f"{LOGS}/benchmarks/train_reference/{{dataset}}.{{model}}.tsv"
    conda:
        "../../envs/models.yaml"
    resources:
        **TRAIN_JOB,
    params:
        **entry_job("train_reference.py", "models", "train"),
        prepared=lambda w: FILES.prepared_folder(PLAN.roots[w.dataset]),
    script:
        "../scripts/train_reference.py"


rule roc:
    input:
        predictions=f"{RESULTS}/models/{{dataset}}/{{model}}.predictions.parquet",
    output:
        in_report(f"{RESULTS}/models/{{dataset}}/{{model}}.roc.png", "roc", "Reference models", "ROC curves"),
    log:
        f"{LOGS}/models/{{dataset}}.{{model}}.roc.log",
    benchmark:
        f"{LOGS}/benchmarks/roc/{{dataset}}.{{model}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        code=code("roc.py"),
    script:
        "../scripts/roc.py"


rule summarize_models:
    input:
        tables=FILES.model_folds(),
        performance=PLAN.performance,
    output:
        folds=f"{RESULTS}/models/folds.tsv",
        summary=in_report(f"{RESULTS}/models/summary.tsv", "models", "Reference models"),
    log:
        f"{LOGS}/models/summary.log",
    benchmark:
        f"{LOGS}/benchmarks/summarize_models/summary.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        datasets=list(PLAN.datasets),
        code=code("summarize_models.py"),
    script:
        "../scripts/summarize_models.py"
