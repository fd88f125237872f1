"""The ``difficulty`` console command (installed with the package): ``difficulty init PATH``, ``--version``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .errors import DataError


def main(argv=None) -> int:
    """Run the ``difficulty`` command; returns its exit status (0: no problem found, 1: problems, 2: refused)."""
    parser = argparse.ArgumentParser(prog="difficulty", description="Estimate how hard a 3D classification task is.")
    parser.add_argument("--version", action="version", version=f"difficulty {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser(
        "init",
        help="look at a dataset and write a starter config",
        description="Print what a dataset holds (cases per class, patients, shapes, spacings, modalities) and every "
        "problem the pipeline would stop at, then write a starter config for it.",
    )
    init.add_argument("path", help="a sample sheet (.csv, .tsv) or a folder with one subfolder per class")
    init.add_argument("-o", "--output", default="config.yaml", help="the config to write (default: config.yaml)")
    init.add_argument("--force", action="store_true", help="overwrite the output if it exists")
    init.add_argument("--name", help="the dataset's name (default: from the path)")
    init.add_argument("--masks", help="class folders: a parallel tree of class folders holding the masks")
    init.add_argument("--mask-pattern", help="class folders: the mask's file name, e.g. '{case}_mask.nii.gz'")
    init.add_argument("--patient-pattern", help="class folders: a regular expression giving the patient id")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s", stream=sys.stderr)

    from .starter import dataset_entry, inspect, summary, write_starter

    output = Path(args.output)
    if output.exists() and not args.force:
        print(f"difficulty init: {output} exists; give another --output or --force to overwrite it", file=sys.stderr)
        return 2
    options = {"masks": args.masks, "mask_pattern": args.mask_pattern, "patient_pattern": args.patient_pattern}
    try:
        entry = dataset_entry(args.path, args.name, **options)
    except DataError as err:
        print(f"difficulty init: {err}", file=sys.stderr)
        return 2
    found = inspect(entry)
    print(summary(found))
    if found.cases is None:
        print(f"no config written: fix the problem above, then run `difficulty init {args.path}` again")
        return 1
    write_starter(entry, output, found)
    print(f"wrote {output}; run the pipeline with: snakemake --cores all --configfile {output}")
    return 1 if found.problems else 0


if __name__ == "__main__":
    sys.exit(main())
