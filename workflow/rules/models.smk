rule train_reference:
    input:
        unpack(lambda w: prepared_data(PLAN.roots[w.dataset])),
        labels=f"{RESULTS}/labels/{{dataset}}.parquet",
        extra=lambda w: model_inputs(w.model),
        code=lambda w: code("train_reference.py", "models", w.model),
    output:
        folds=f"{RESULTS}/models/{{dataset}}/{{model}}.tsv",
        predictions=f"{RESULTS}/models/{{dataset}}/{{model}}.predictions.parquet",
    log:
        f"{LOGS}/models/{{dataset}}.{{model}}.log",
    benchmark:
        f"{LOGS}/benchmarks/train_reference/{{dataset}}.{{model}}.tsv"
    conda:
        "../../envs/models.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: train_resources(w, input, attempt)[0],
        runtime=lambda w, input, attempt: train_resources(w, input, attempt)[1],
        gpu=1,
    params:
        prepared=lambda w: prepared_folder(PLAN.roots[w.dataset]),
        spec=lambda w: PLAN.models[w.model],
        seed=lambda w: (config["seed"], w.dataset, w.model),
        plugins=lambda w: PLAN.plugins_of("models", w.model),
    script:
        "../scripts/train_reference.py"


rule roc:
    input:
        predictions=f"{RESULTS}/models/{{dataset}}/{{model}}.predictions.parquet",
        code=code("roc.py"),
    output:
        report(
            f"{RESULTS}/models/{{dataset}}/{{model}}.roc.png",
            caption="../report/roc.rst",
            category="Reference models",
            subcategory="ROC curves",
            labels={"dataset": "{dataset}", "model": "{model}"},
        ),
    log:
        f"{LOGS}/models/{{dataset}}.{{model}}.roc.log",
    benchmark:
        f"{LOGS}/benchmarks/roc/{{dataset}}.{{model}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/roc.py"


rule summarize_models:
    input:
        tables=model_folds(),
        performance=PLAN.performance,
        code=code("summarize_models.py"),
    output:
        folds=f"{RESULTS}/models/folds.tsv",
        summary=report(
            f"{RESULTS}/models/summary.tsv",
            caption="../report/models.rst",
            category="Reference models",
        ),
    log:
        f"{LOGS}/models/summary.log",
    benchmark:
        f"{LOGS}/benchmarks/summarize_models/summary.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        datasets=list(PLAN.datasets),
    script:
        "../scripts/summarize_models.py"
