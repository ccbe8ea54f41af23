"""Print the mutation score per module from `mutmut results --all true`; list the survivors.

Killed and timed-out mutants count as caught; "no tests" and survivors count against the score.
Exits 1 when a module scores under ``--min`` (default 90).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

CAUGHT = {"killed", "timeout"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min", type=float, default=90.0)
    args = parser.parse_args()
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run(  # noqa: S603 (our own venv binary, fixed arguments)
        [str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    total: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    survivors = []
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name:
            continue
        module = name.split(".x", 1)[0]
        total[module] += 1
        if status in CAUGHT:
            caught[module] += 1
        else:
            survivors.append(f"{status:10} {name}")
    failing = False
    for module in sorted(total):
        score = 100 * caught[module] / total[module]
        failing |= score < args.min
        print(f"{module:32} {caught[module]:4}/{total[module]:4}  {score:5.1f} %")
    overall = 100 * sum(caught.values()) / max(sum(total.values()), 1)
    print(f"{'total':32} {sum(caught.values()):4}/{sum(total.values()):4}  {overall:5.1f} %")
    print("\n".join(["", "not caught:", *survivors]) if survivors else "")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
