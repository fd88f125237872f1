#!/usr/bin/env bash
# Post-deploy script of every env (envs/<group>.post-deploy.sh link here): Snakemake runs it inside a new conda
# environment (--sdm conda), in its working folder, the project folder. It installs this package from there, as
# `make setup` does; the .yaml already pins its dependencies.
set -euo pipefail
project=$PWD
[ -f "$project/pyproject.toml" ] || { echo "run snakemake from the project folder (no pyproject.toml in $project)" >&2; exit 1; }
pip install --no-deps -e "$project"
