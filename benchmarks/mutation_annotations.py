"""Mark the mutants of type annotations SKIPPED in a cosmic-ray session (run by benchmarks/mutation.sh).

    python benchmarks/mutation_annotations.py SESSION.sqlite

In a module with ``from __future__ import annotations`` no annotation is ever evaluated, so a mutant inside one
(``str | MetricFn`` → ``str + MetricFn``) is equivalent by construction. Elsewhere annotations run at import time
and their mutants are tested like any other.
"""

import ast
import sys
from functools import cache
from pathlib import Path

from cosmic_ray.work_db import use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult


@cache
def annotation_spans(path: Path) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """((start row, col), (end row, col)) of every annotation of a postponed-annotations module (rows 1-based)."""
    tree = ast.parse(path.read_text())
    postponed = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and "annotations" in {a.name for a in node.names}
        for node in tree.body
    )
    if not postponed:
        return ()
    nodes = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            nodes.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            nodes.append(node.returns)
    return tuple(((n.lineno, n.col_offset), (n.end_lineno, n.end_col_offset)) for n in nodes)


def in_annotation(mutation) -> bool:
    start, end = tuple(mutation.start_pos), tuple(mutation.end_pos)
    return any(a <= start and end <= b for a, b in annotation_spans(Path(mutation.module_path)))


def main(session: str) -> None:
    skipped = WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="a type annotation: never evaluated")
    with use_db(session) as db:
        items = [item.job_id for item in db.work_items if all(map(in_annotation, item.mutations))]
        if items:
            db.set_multiple_results(items, skipped)
    print(f"{session}: {len(items)} mutants of type annotations skipped (equivalent)")


if __name__ == "__main__":
    main(sys.argv[1])
