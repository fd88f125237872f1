rule prepare_shard:
    input:
        files=lambda w: FILES.shard_files(w.root, w.shard),
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
    resources:
        **PREPARE_JOB,
    params:
        **entry_job("prepare_shard.py", "datasets", "prepare"),
    script:
        "../scripts/prepare_shard.py"


rule merge_cases:
    input:
        shards=lambda w: FILES.prepared(w.root)["shard_cases"],
        skipped=lambda w: FILES.prepared(w.root)["skipped"],
    output:
        cases=f"{RESULTS}/prepared/{{root}}/cases.parquet",
        source=f"{RESULTS}/prepared/{{root}}/source.json",
        qc=in_report(f"{RESULTS}/qc/{{root}}.tsv", "qc", "Quality control", subcategory="{root}"),
    log:
        f"{LOGS}/prepare/{{root}}.merge.log",
    benchmark:
        f"{LOGS}/benchmarks/merge_cases/{{root}}.merge.tsv"
    conda:
        "../../envs/data.yaml"
    resources:
        **TABLE_JOB,
    params:
        **entry_job("merge_cases.py", "datasets", "prepare"),
    script:
        "../scripts/merge_cases.py"


rule labels:
    input:
        parent=lambda w: FILES.parent_labels(w.dataset),
        root=lambda w: FILES.of_dataset(w.dataset)["cases"],
        inputs=lambda w: list(FILES.variant_inputs(w.dataset).values()),
    output:
        f"{RESULTS}/labels/{{dataset}}.parquet",
    log:
        f"{LOGS}/labels/{{dataset}}.log",
    benchmark:
        f"{LOGS}/benchmarks/labels/{{dataset}}.tsv"
    conda:
        "../../envs/data.yaml"
    resources:
        **TABLE_JOB,
    params:
        **entry_job("labels.py", "variants", "variant"),
    script:
        "../scripts/labels.py"
