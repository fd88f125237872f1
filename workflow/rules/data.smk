rule prepare:
    input:
        files=lambda w: PLAN.entry("datasets", w.root).files(PLAN.datasets[w.root]),
        code=lambda w: code("prepare.py", "datasets", w.root),
    output:
        **prepared("{root}"),
    log:
        "logs/prepare/{root}.log",
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        spec=lambda w: {k: v for k, v in PLAN.datasets[w.root].items() if k != "label_noise"},
        seed=lambda w: derive_seed(config["seed"], w.root, "prepare"),
        plugins=lambda w: PLAN.plugins_of("datasets", w.root),
    script:
        "../scripts/prepare.py"


rule labels:
    input:
        cases=labels_input,
        code=code("labels.py"),
    output:
        f"{RESULTS}/labels/{{dataset}}.parquet",
    log:
        "logs/labels/{dataset}.log",
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        noise=lambda w: PLAN.datasets[w.dataset]["label_noise"],
        seed=lambda w: derive_seed(config["seed"], w.dataset, "label_noise"),
    script:
        "../scripts/labels.py"


if config["downloads"]:

    rule download_medmnist:
        output:
            "{folder}/{flag}.npz",
        log:
            "logs/download/{folder}/{flag}.log",
        wildcard_constraints:
            flag=r"[a-z]+mnist3d(_64)?",
        conda:
            "../../envs/data.yaml"
        threads: 1
        resources:
            mem_mb=500,
        script:
            "../scripts/download_medmnist.py"
