rule extract_features:
    input:
        unpack(lambda w: prepared_data(w.root)),
        extra=feature_inputs,
        code=lambda w: code("extract_features.py", "features", w.feature),
    output:
        f"{RESULTS}/features/{{root}}/{{feature}}/shard{{shard}}.parquet",
    log:
        f"{LOGS}/features/{{root}}.{{feature}}.shard{{shard}}.log",
    benchmark:
        f"{LOGS}/benchmarks/extract_features/{{root}}.{{feature}}.shard{{shard}}.tsv"
    conda:
        "../../envs/features.yaml"
    threads: lambda w: PLAN.entry("features", w.feature).threads  # capped at --cores; GPU jobs feed the GPU with them
    resources:
        mem_mb=lambda w, input, attempt: extract_resources(w, input, attempt)[0],
        runtime=lambda w, input, attempt: extract_resources(w, input, attempt)[1],
        gpu=lambda w: int(PLAN.entry("features", w.feature).gpu),
    params:
        prepared=lambda w: prepared_folder(w.root),
        spec=lambda w: PLAN.features[w.feature],
        seed=lambda w: derive_seed(config["seed"], w.feature, "init"),
        plugins=lambda w: PLAN.plugins_of("features", w.feature),
    script:
        "../scripts/extract_features.py"


rule merge_features:
    input:
        shards=lambda w: expand(
            f"{RESULTS}/features/{w.root}/{w.feature}/shard{{shard}}.parquet",
            shard=range(PLAN.features[w.feature].get("shards", 1)),
        ),
        code=code("merge_features.py"),
    output:
        f"{RESULTS}/features/{{root}}/{{feature}}_raw.parquet",
    log:
        f"{LOGS}/features/{{root}}.{{feature}}.merge.log",
    benchmark:
        f"{LOGS}/benchmarks/merge_features/{{root}}.{{feature}}.merge.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    script:
        "../scripts/merge_features.py"


rule zscore_features:
    input:
        raw=f"{RESULTS}/features/{{root}}/{{plain}}_raw.parquet",
        code=code("postprocess_features.py"),
    output:
        table=f"{RESULTS}/features/{{root}}/{{plain}}.parquet",
    log:
        f"{LOGS}/features/{{root}}.{{plain}}.log",
    benchmark:
        f"{LOGS}/benchmarks/zscore_features/{{root}}.{{plain}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        pca=None,
    script:
        "../scripts/postprocess_features.py"


rule pca_features:
    input:
        raw=f"{RESULTS}/features/{{root}}/{{pcafeat}}_raw.parquet",
        code=code("postprocess_features.py"),
    output:
        table=f"{RESULTS}/features/{{root}}/{{pcafeat}}.parquet",
        variance=f"{RESULTS}/features/{{root}}/{{pcafeat}}_variance.tsv",
    log:
        f"{LOGS}/features/{{root}}.{{pcafeat}}.log",
    benchmark:
        f"{LOGS}/benchmarks/pca_features/{{root}}.{{pcafeat}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.pca_mem_mb(
            input.size_mb, PLAN.features[w.pcafeat]["pca"], res.case_sizes(prepared(w.root)["cases"])[0], attempt
        ),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        pca=lambda w: PLAN.features[w.pcafeat]["pca"],
    script:
        "../scripts/postprocess_features.py"
