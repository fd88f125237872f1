rule prepare_shard:
    input:
        files=shard_files,
        code=lambda w: code("prepare_shard.py", "datasets", w.root),
    output:
        cases=f"{RESULTS}/prepared/{{root}}/shard{{shard}}/cases.parquet",
        images=f"{RESULTS}/prepared/{{root}}/shard{{shard}}/grid.npy",
        masks=f"{RESULTS}/prepared/{{root}}/shard{{shard}}/grid_masks.npy",
        skipped=f"{RESULTS}/prepared/{{root}}/shard{{shard}}/skipped.tsv",
    log:
        f"{LOGS}/prepare/{{root}}.shard{{shard}}.log",
    benchmark:
        f"{LOGS}/benchmarks/prepare_shard/{{root}}.shard{{shard}}.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.prepare_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.prepare_runtime(input.size_mb, attempt),
    params:
        spec=lambda w: {k: v for k, v in PLAN.datasets[w.root].items() if k != "label_noise"},
        seed=lambda w: dataset_seed(w.root),
        plugins=lambda w: PLAN.plugins_of("datasets", w.root),
    script:
        "../scripts/prepare_shard.py"


rule merge_cases:
    input:
        shards=lambda w: expand(
            f"{RESULTS}/prepared/{w.root}/shard{{shard}}/cases.parquet", shard=range(PLAN.datasets[w.root]["shards"])
        ),
        skipped=lambda w: expand(
            f"{RESULTS}/prepared/{w.root}/shard{{shard}}/skipped.tsv", shard=range(PLAN.datasets[w.root]["shards"])
        ),
        code=code("merge_cases.py"),
    output:
        cases=f"{RESULTS}/prepared/{{root}}/cases.parquet",
        source=f"{RESULTS}/prepared/{{root}}/source.json",
        qc=report(
            f"{RESULTS}/qc/{{root}}.tsv",
            caption="../report/qc.rst",
            category="Quality control",
            subcategory="{root}",
        ),
    log:
        f"{LOGS}/prepare/{{root}}.merge.log",
    benchmark:
        f"{LOGS}/benchmarks/merge_cases/{{root}}.merge.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        spec=lambda w: {k: v for k, v in PLAN.datasets[w.root].items() if k != "label_noise"},
        seed=lambda w: dataset_seed(w.root),
        plugins=lambda w: PLAN.plugins_of("datasets", w.root),
    script:
        "../scripts/merge_cases.py"


rule labels:
    input:
        cases=labels_input,
        code=code("labels.py"),
    output:
        f"{RESULTS}/labels/{{dataset}}.parquet",
    log:
        f"{LOGS}/labels/{{dataset}}.log",
    benchmark:
        f"{LOGS}/benchmarks/labels/{{dataset}}.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        noise=lambda w: PLAN.datasets[w.dataset]["label_noise"],
        seed=lambda w: derive_seed(config["seed"], w.dataset, "label_noise"),
    script:
        "../scripts/labels.py"


if config["downloads"]:

    localrules:
        download_medmnist,  # compute nodes often have no internet

    rule download_medmnist:
        output:
            "{folder}/{flag}.npz",
        log:
            f"{LOGS}/download/{{folder}}/{{flag}}.log",
        benchmark:
            f"{LOGS}/benchmarks/download_medmnist/{{folder}}/{{flag}}.tsv"
        wildcard_constraints:
            flag=r"[a-z]+mnist3d(_64)?",
        conda:
            "../../envs/data.yaml"
        threads: 1
        resources:
            mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
            runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
        script:
            "../scripts/download_medmnist.py"
