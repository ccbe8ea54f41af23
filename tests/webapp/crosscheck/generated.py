"""Generated cross-check lists (seeded): a district's or a region's works and experts as CSV.

Subjects by grade as in ВПР (4: russian, math, surrounding_world; 5: russian, math, history,
biology; 6–8: russian, math; 10–11: physics, history); 30–90 works per school, subject and grade
depending on the school's size; experts about one per 45 works, 2–3 subjects, capacity 30–90.
"""

from __future__ import annotations

import random
from pathlib import Path

from webapp.tabular import write_csv

SUBJECTS = {
    4: ("russian", "math", "surrounding_world"),
    5: ("russian", "math", "history", "biology"),
    6: ("russian", "math"),
    7: ("russian", "math"),
    8: ("russian", "math"),
    10: ("physics", "history"),
    11: ("physics", "history"),
}
TASKS_PER_WORK = 8
MAX_POINTS = (1, 1, 2, 2, 2, 3, 1, 2)


def skills(grades=None) -> list[tuple[str, int]]:
    return [
        (s, g) for g, subjects in SUBJECTS.items() if not grades or g in grades for s in subjects
    ]


def tasks_csv(folder: Path, grades=None) -> Path:
    rows = [
        (s, g, t, MAX_POINTS[t - 1])
        for s, g in skills(grades)
        for t in range(1, TASKS_PER_WORK + 1)
    ]
    return write_csv(folder / "tasks.csv", ["subject", "grade", "task", "max_points"], rows)


def works_csv(
    folder: Path, school_codes: list[str], per_package: tuple[int, int], grades=None, seed=1
) -> tuple[Path, int]:
    rng = random.Random(seed)
    header = ["school_code", "subject", "grade", "participant_code"] + [
        f"task_{i}" for i in range(1, TASKS_PER_WORK + 1)
    ]
    count = 0

    def rows():
        nonlocal count
        for s_index, code in enumerate(school_codes):
            for subject, grade in skills(grades):
                for w in range(rng.randint(*per_package)):
                    count += 1
                    points = [rng.randint(0, m) for m in MAX_POINTS]
                    yield (code, subject, grade, f"{s_index:04d}{grade:02d}{w:04d}", *points)

    path = write_csv(folder / "works.csv", header, rows())
    return path, count


def experts_csv(
    folder: Path, school_codes: list[str], per_school: tuple[int, int], grades=None, seed=2
) -> tuple[Path, int]:
    rng = random.Random(seed)
    all_subjects = sorted({s for s, _ in skills(grades)})
    all_grades = sorted({g for _, g in skills(grades)})
    rows = []
    for code in school_codes:
        for i in range(rng.randint(*per_school)):
            subjects = rng.sample(all_subjects, min(len(all_subjects), rng.randint(2, 3)))
            chosen = sorted(rng.sample(all_grades, min(len(all_grades), rng.randint(2, 4))))
            rows.append(
                (
                    code,
                    f"Учитель {code} {i}",
                    f"t{i}.{code.lower()}@example.ru",
                    ";".join(subjects),
                    ";".join(str(g) for g in chosen),
                    rng.randint(30, 90),
                )
            )
    header = ["school_code", "full_name", "email", "subjects", "grades", "capacity"]
    return write_csv(folder / "experts.csv", header, rows), len(rows)
