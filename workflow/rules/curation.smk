rule curate:
    input:
        unpack(lambda w: FILES.of_dataset(w.dataset)),
        labels=f"{RESULTS}/labels/{{dataset}}.parquet",
        features=lambda w: FILES.curation_features(w.dataset),
        predictions=lambda w: FILES.curation_predictions(w.dataset),
        raters=lambda w: FILES.rater_agreement(w.dataset),
    output:
        table=in_report(f"{RESULTS}/curation/{{dataset}}.tsv", "curation_table", "Curation", "{dataset}"),
        thumbnails=in_report(f"{RESULTS}/curation/{{dataset}}.png", "curation_thumbnails", "Curation", "{dataset}"),
    log:
        f"{LOGS}/curation/{{dataset}}.log",
    benchmark:
        f"{LOGS}/benchmarks/curate/{{dataset}}.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **CURATION_JOB,
    params:
        prepared=lambda w: FILES.prepared_folder(PLAN.roots[w.dataset]),
        options=PLAN.curation,
        seed=seed("curation"),
        left_out=PLAN.curation_sources()[2],
        code=code("curate.py"),
    script:
        "../scripts/curate.py"


rule summarize_curation:
    input:
        tables=expand(f"{RESULTS}/curation/{{dataset}}.tsv", dataset=PLAN.datasets),
    output:
        summary=in_report(f"{RESULTS}/curation/summary.tsv", "curation_summary", "Curation", subcategory="all datasets"),
        figure=in_report(
            f"{RESULTS}/curation/detection.png", "curation_detection", "Curation", subcategory="all datasets"
        ),
    log:
        f"{LOGS}/curation/summary.log",
    benchmark:
        f"{LOGS}/benchmarks/summarize_curation/summary.tsv"
    conda:
        "../../envs/metrics.yaml"
    resources:
        **TABLE_JOB,
    params:
        tables={d: f"{RESULTS}/curation/{d}.tsv" for d in PLAN.datasets},
        code=code("summarize_curation.py"),
    script:
        "../scripts/summarize_curation.py"
