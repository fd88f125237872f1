rule train_reference:
    input:
        unpack(lambda w: prepared(w.dataset)),
        labels=f"{R}/labels/{{dataset}}.parquet",
        code=pkg("reference_models"),
    output:
        f"{R}/models/{{dataset}}/{{model}}.tsv",
    log:
        "logs/models/{dataset}.{model}.log",
    conda:
        "../../envs/deep.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        spec=lambda w: MODELS[w.model],
        seed_keys=lambda w: (config["seed"], w.dataset, w.model),
    script:
        "../scripts/train_reference.py"


rule summarize_models:
    input:
        model_folds(),
    output:
        folds=f"{R}/models/folds.tsv",
        summary=report(
            f"{R}/models/summary.tsv",
            caption="../report/models.rst",
            category="Reference models",
        ),
    log:
        "logs/models/summary.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../scripts/summarize_models.py"
