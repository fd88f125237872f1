#!/usr/bin/env bash
# Post-deploy script of every env (envs/<group>.post-deploy.sh link here): Snakemake runs it inside a new conda
# environment (--sdm conda). It installs this package from the workflow's own folder (the Snakefile puts its src/
# first on PYTHONPATH); the .yaml already pins its dependencies.
set -euo pipefail
project=$(dirname "${PYTHONPATH%%:*}")
pip install --no-deps -e "$project"
