"""One line per cosmic-ray session: mutants killed of those tested, and every outcome counted.

    python benchmarks/mutation_summary.py MODULE SESSION.sqlite [--survivors]

With ``--survivors``, also each surviving mutant: its line, operator and occurrence.
"""

import collections
import sqlite3
import sys


def main(module: str, session: str, survivors: bool = False) -> None:
    db = sqlite3.connect(session)
    rows = db.execute("select worker_outcome, test_outcome from work_results").fetchall()
    pending = db.execute("select count(*) from work_items").fetchone()[0] - len(rows)
    count = collections.Counter(test or worker for worker, test in rows)
    tested = count["KILLED"] + count["SURVIVED"]
    outcomes = ", ".join(f"{k.lower()} {v}" for k, v in sorted(count.items()))
    rate = 100 * count["KILLED"] / max(tested, 1)
    print(f"{module}: {count['KILLED']}/{tested} killed ({rate:.1f} %); {outcomes}; pending {pending}")
    if survivors:
        query = (
            "select s.start_pos_row, s.operator_name, s.occurrence from mutation_specs s "
            "join work_results r on r.job_id = s.job_id where r.test_outcome = 'SURVIVED' order by s.start_pos_row"
        )
        for line, operator, occurrence in db.execute(query):
            print(f"  line {line}: {operator.removeprefix('core/')} #{occurrence}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--survivors" in sys.argv[3:])
