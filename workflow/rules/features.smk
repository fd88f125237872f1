rule radiomics_shard:
    input:
        unpack(lambda w: prepared(w.root)),
        params=lambda w: radiomics_params(),
        code=pkg("radiomics_features"),
    output:
        f"{R}/features/{{root}}/radiomics/shard{{shard}}.parquet",
    log:
        "logs/radiomics/{root}.shard{shard}.log",
    conda:
        "../../envs/radiomics.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        shards=lambda w: FEATURES["radiomics"].get("shards", 1),
    script:
        "../scripts/radiomics_shard.py"


rule radiomics_merge:
    input:
        lambda w: expand(
            f"{R}/features/{w.root}/radiomics/shard{{shard}}.parquet",
            shard=range(FEATURES["radiomics"].get("shards", 1)),
        ),
    output:
        f"{R}/features/{{root}}/radiomics_raw.parquet",
    log:
        "logs/radiomics/{root}.merge.log",
    conda:
        "../../envs/radiomics.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    script:
        "../scripts/merge_tables.py"


rule deep_features:
    input:
        unpack(lambda w: prepared(w.root)),
        weights=lambda w: [weights_file(w.deep)] if parse_deep(w.deep)[0] else [],
        code=pkg("medicalnet", "preprocess"),
    output:
        f"{R}/features/{{root}}/{{deep}}_raw.parquet",
    log:
        "logs/deep/{root}.{deep}.log",
    conda:
        "../../envs/deep.yaml"
    threads: 4  # capped at --cores; the extra threads feed the GPU (DataLoader workers)
    resources:
        mem_mb=8000,
        gpu=1,
    params:
        spec=lambda w: FEATURES[w.deep],
        seed=lambda w: derive_seed(config["seed"], w.deep, "init"),
    script:
        "../scripts/deep_features.py"


rule zscore_features:
    input:
        table=f"{R}/features/{{root}}/{{plain}}_raw.parquet",
        code=pkg("features"),
    output:
        table=f"{R}/features/{{root}}/{{plain}}.parquet",
    log:
        "logs/features/{root}.{plain}.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    script:
        "../scripts/postprocess_features.py"


rule pca_features:
    input:
        table=f"{R}/features/{{root}}/{{pcafeat}}_raw.parquet",
        code=pkg("features"),
    output:
        table=f"{R}/features/{{root}}/{{pcafeat}}.parquet",
        variance=f"{R}/features/{{root}}/{{pcafeat}}_variance.tsv",
    log:
        "logs/features/{root}.{pcafeat}.log",
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        components=lambda w: FEATURES[w.pcafeat]["pca"],
    script:
        "../scripts/postprocess_features.py"


if config["downloads"]:

    rule download_weights:
        output:
            "{folder}/resnet_{depth}_23dataset.pth",
        log:
            "logs/download/{folder}/resnet_{depth}.log",
        wildcard_constraints:
            depth="10|18|34|50",
        conda:
            "../../envs/deep.yaml"
        threads: 1
        resources:
            mem_mb=1000,
        script:
            "../scripts/download_weights.py"
