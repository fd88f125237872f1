rule curate:
    input:
        unpack(lambda w: prepared_data(PLAN.roots[w.dataset])),
        labels=f"{RESULTS}/labels/{{dataset}}.parquet",
        features=lambda w: list(curation_features(w).values()),
        predictions=lambda w: list(curation_predictions(w).values()),
        code=code("curate.py"),
    output:
        table=report(
            f"{RESULTS}/curation/{{dataset}}.tsv",
            caption="../report/curation_table.rst",
            category="Curation",
            subcategory="{dataset}",
        ),
        thumbnails=report(
            f"{RESULTS}/curation/{{dataset}}.png",
            caption="../report/curation_thumbnails.rst",
            category="Curation",
            subcategory="{dataset}",
        ),
    log:
        f"{LOGS}/curation/{{dataset}}.log",
    benchmark:
        f"{LOGS}/benchmarks/curate/{{dataset}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.curation_mem_mb(input.size_mb, res.table_rows(input.labels), attempt),
        runtime=lambda w, input, attempt: res.curation_runtime(input.size_mb, res.table_rows(input.labels), attempt),
    params:
        features=curation_features,
        predictions=curation_predictions,
        prepared=lambda w: prepared_folder(PLAN.roots[w.dataset]),
        options=PLAN.curation,
        seed=lambda w: derive_seed(config["seed"], w.dataset, "curation"),
        left_out=curation_sources(PLAN.features, PLAN.models)[2],
    script:
        "../scripts/curate.py"


rule summarize_curation:
    input:
        tables=expand(f"{RESULTS}/curation/{{dataset}}.tsv", dataset=PLAN.datasets),
        code=code("summarize_curation.py"),
    output:
        summary=report(
            f"{RESULTS}/curation/summary.tsv",
            caption="../report/curation_summary.rst",
            category="Curation",
            subcategory="all datasets",
        ),
        figure=report(
            f"{RESULTS}/curation/detection.png",
            caption="../report/curation_detection.rst",
            category="Curation",
            subcategory="all datasets",
        ),
    log:
        f"{LOGS}/curation/summary.log",
    benchmark:
        f"{LOGS}/benchmarks/summarize_curation/summary.tsv"
    conda:
        "../../envs/metrics.yaml"
    threads: 1
    resources:
        mem_mb=lambda w, input, attempt: res.table_mem_mb(input.size_mb, attempt),
        runtime=lambda w, input, attempt: res.table_runtime(input.size_mb, attempt),
    params:
        tables={d: f"{RESULTS}/curation/{d}.tsv" for d in PLAN.datasets},
    script:
        "../scripts/summarize_curation.py"
