rule prepare_shard:
    input:
        files=shard_files,
        code=lambda w: code("prepare_shard.py", "datasets", w.root) + image_code("prepare_shard.py", w.root),
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
        spec=lambda w: PLAN.preparation(w.root),
        seed=lambda w: dataset_seed(w.root),
        plugins=lambda w: PLAN.plugins_of("datasets", w.root),
    script:
        "../scripts/prepare_shard.py"


rule merge_cases:
    input:
        shards=lambda w: prepared(w.root)["shard_cases"],
        skipped=lambda w: prepared(w.root)["skipped"],
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
        spec=lambda w: PLAN.preparation(w.root),
        seed=lambda w: dataset_seed(w.root),
        plugins=lambda w: PLAN.plugins_of("datasets", w.root),
    script:
        "../scripts/merge_cases.py"


rule labels:
    input:
        parent=labels_input,
        root=lambda w: prepared(PLAN.roots[w.dataset])["cases"],
        inputs=lambda w: list(variant_inputs(w).values()),
        code=lambda w: code("labels.py", "variants", w.dataset),
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
        variant=lambda w: PLAN.variant(w.dataset)[0],
        options=lambda w: PLAN.variant(w.dataset)[1],
        seed=lambda w: derive_seed(config["seed"], w.dataset, PLAN.variant(w.dataset)[0]),
        inputs=variant_inputs,
        plugins=lambda w: PLAN.plugins_of("variants", w.dataset),
    script:
        "../scripts/labels.py"
