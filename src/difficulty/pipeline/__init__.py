"""What the Snakemake workflow asks of the package at parse time: the resolved config and code inputs."""
