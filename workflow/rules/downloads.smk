# Downloads for users with internet: on only with `downloads: true` (the Snakefile includes this file then).
# Each fetched file is checked against its published checksum before it lands; a failed transfer is retried.


localrules:
    download_medmnist,  # compute nodes often have no internet
    download_weights,


rule download_medmnist:
    output:
        "{folder}/{flag}.npz",
    log:
        f"{LOGS}/download/{{folder}}/{{flag}}.log",
    benchmark:
        f"{LOGS}/benchmarks/download_medmnist/{{folder}}/{{flag}}.tsv"
    wildcard_constraints:
        flag=r"[a-z]+mnist3d(_64)?",
    retries: 3
    conda:
        "../../envs/data.yaml"
    resources:
        **TABLE_JOB,
    script:
        "../scripts/download_medmnist.py"


rule download_weights:
    output:
        "{folder}/resnet_{depth}_23dataset.pth",
    log:
        f"{LOGS}/download/{{folder}}/resnet_{{depth}}.log",
    benchmark:
        f"{LOGS}/benchmarks/download_weights/{{folder}}/resnet_{{depth}}.tsv"
    wildcard_constraints:
        depth="10|18|34|50",
    retries: 3
    conda:
        "../../envs/features.yaml"
    resources:
        **TABLE_JOB,
    script:
        "../scripts/download_weights.py"
