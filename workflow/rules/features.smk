rule extract_features:
    input:
        unpack(lambda w: FILES.prepared_data(w.root)),
        extra=lambda w: FILES.entry_inputs("features", w.feature),
    output:
        f"{RESULTS}/features/{{root}}/{{feature}}/shard{{shard}}.parquet",
    log:
        f"{LOGS}/features/{{root}}.{{feature}}.shard{{shard}}.log",
    benchmark:
        f"{LOGS}/benchmarks/extract_features/{{root}}.{{feature}}.shard{{shard}}.tsv"
    conda:
        "../../envs/features.yaml"
    threads: lambda w: PLAN.features[w.feature].threads  # capped at --cores; GPU jobs feed the GPU with them
    resources:
        **EXTRACT_JOB,
    params:
        **entry_job("extract_features.py", "features", "features"),
        prepared=lambda w: FILES.prepared_folder(w.root),
    script:
        "../scripts/extract_features.py"


rule merge_features:
    input:
        shards=lambda w: FILES.feature_shards(w.root, w.feature),
    output:
        f"{RESULTS}/features/{{root}}/{{feature}}_raw.parquet",
    log:
        f"{LOGS}/features/{{root}}.{{feature}}.merge.log",
    benchmark:
        f"{LOGS}/benchmarks/merge_features/{{root}}.{{feature}}.merge.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        code=code("merge_features.py"),
    script:
        "../scripts/merge_features.py"


rule zscore_features:
    input:
        raw=f"{RESULTS}/features/{{root}}/{{plain}}_raw.parquet",
        icc=lambda w: FILES.stable_icc(w.root, w.plain),
    output:
        table=f"{RESULTS}/features/{{root}}/{{plain}}.parquet",
    log:
        f"{LOGS}/features/{{root}}.{{plain}}.log",
    benchmark:
        f"{LOGS}/benchmarks/zscore_features/{{root}}.{{plain}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        pca=None,
        code=code("postprocess_features.py"),
    script:
        "../scripts/postprocess_features.py"


# Standardise and reduce: the PCA job's memory grows with the components and the cases.
use rule zscore_features as pca_features with:
    input:
        raw=f"{RESULTS}/features/{{root}}/{{pcafeat}}_raw.parquet",
        icc=lambda w: FILES.stable_icc(w.root, w.pcafeat),
    output:
        table=f"{RESULTS}/features/{{root}}/{{pcafeat}}.parquet",
        variance=f"{RESULTS}/features/{{root}}/{{pcafeat}}_variance.tsv",
    log:
        f"{LOGS}/features/{{root}}.{{pcafeat}}.log",
    benchmark:
        f"{LOGS}/benchmarks/pca_features/{{root}}.{{pcafeat}}.tsv"
    resources:
        mem_mb=lambda w, input, attempt: res.pca_mem_mb(
            input.size_mb, PLAN.features[w.pcafeat].pca, res.case_sizes(FILES.prepared(w.root)["cases"])[0], attempt
        ),
        runtime=TABLE_JOB["runtime"],
    params:
        pca=lambda w: PLAN.features[w.pcafeat].pca,
        code=code("postprocess_features.py"),
