rule prepare:
    input:
        files=lambda w: ds.source_files(DATASETS[w.root]),
        code=pkg("datasets", "preprocess", "masks", "medmnist", "sheet", "synthetic"),
    output:
        cases=f"{R}/prepared/{{root}}/cases.parquet",
        images=f"{R}/prepared/{{root}}/images.npy",
        masks=f"{R}/prepared/{{root}}/masks.npy",
    log:
        "logs/prepare/{root}.log",
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        spec=lambda w: DATASETS[w.root],
        seed=lambda w: derive_seed(config["seed"], w.root, "prepare"),
    script:
        "../scripts/prepare.py"


rule labels:
    input:
        cases=labels_input,
        code=pkg("labels"),
    output:
        f"{R}/labels/{{dataset}}.parquet",
    log:
        "logs/labels/{dataset}.log",
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        noise=lambda w: DATASETS[w.dataset].get("label_noise", 0.0),
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
