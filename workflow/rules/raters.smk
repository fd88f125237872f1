rule rater_features:
    input:
        unpack(lambda w: FILES.prepared_data(w.root)),
        extra=lambda w: FILES.entry_inputs("features", w.feature),
    output:
        f"{RESULTS}/raters/features/{{root}}/{{feature}}.{{rater}}.parquet",
    log:
        f"{LOGS}/raters/{{root}}.{{feature}}.{{rater}}.log",
    benchmark:
        f"{LOGS}/benchmarks/rater_features/{{root}}.{{feature}}.{{rater}}.tsv"
    conda:
        "../../envs/raters.yaml"
    resources:
        **EXTRACT_JOB,
    params:
        **entry_job("rater_features.py", "features", "features"),
        prepared=lambda w: FILES.prepared_folder(w.root),
    script:
        "../scripts/rater_features.py"


rule feature_icc:
    input:
        lambda w: FILES.rater_features(w.root, w.feature).values(),
    output:
        f"{RESULTS}/raters/features/{{root}}/{{feature}}.icc.tsv",
    log:
        f"{LOGS}/raters/{{root}}.{{feature}}.icc.log",
    benchmark:
        f"{LOGS}/benchmarks/feature_icc/{{root}}.{{feature}}.tsv"
    conda:
        "../../envs/raters.yaml"
    resources:
        **TABLE_JOB,
    params:
        tables=lambda w: FILES.rater_features(w.root, w.feature),
        threshold=lambda w: PLAN.features[w.feature].options["icc_threshold"],
        code=code("feature_icc.py"),
    script:
        "../scripts/feature_icc.py"


rule rater_cases:
    input:
        unpack(lambda w: FILES.prepared_data(w.root)),
    output:
        table=in_report(f"{RESULTS}/raters/{{root}}.tsv", "raters_cases", "Raters", "{root}"),
        thumbnails=in_report(f"{RESULTS}/raters/{{root}}.png", "raters_thumbnails", "Raters", "{root}"),
    log:
        f"{LOGS}/raters/{{root}}.log",
    benchmark:
        f"{LOGS}/benchmarks/rater_cases/{{root}}.tsv"
    conda:
        "../../envs/raters.yaml"
    resources:
        **PREPARE_JOB,
    params:
        prepared=lambda w: FILES.prepared_folder(w.root),
        code=code("rater_cases.py"),
    script:
        "../scripts/rater_cases.py"


rule summarize_raters:
    input:
        FILES.rater_summary_files(),
    output:
        **RATER_ICC,
        summary=in_report(f"{RESULTS}/raters/summary.tsv", "raters_summary", "Raters", "all datasets"),
    log:
        f"{LOGS}/raters/summary.log",
    benchmark:
        f"{LOGS}/benchmarks/summarize_raters/summary.tsv"
    conda:
        "../../envs/raters.yaml"
    resources:
        **TABLE_JOB,
    params:
        datasets=FILES.rater_summary_inputs(),
        seeds={name: PLAN.seed_for("raters", dataset=name) for name in PLAN.rater_datasets},
        fraction=config["bootstrap"]["fraction"],
        code=code("summarize_raters.py"),
    script:
        "../scripts/summarize_raters.py"
