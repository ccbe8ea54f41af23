"""The ``progress(stage, fraction)`` callback a job's work receives (the engines' signature)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from webapp.jobs import services
from webapp.jobs.errors import JobCancelled

Progress = Callable[[str, float], None]

MIN_INTERVAL = 0.5  # seconds between writes that do not change the integer percent
RUNNING_MAX = 99  # 100 % is written only with the result

STAGE_LABELS = {
    "load": "Загрузка данных",
    "bounds": "Расчёт оценок",
    "assign": "Распределение",
    "improve": "Улучшение распределения",
    "exact": "Точная проверка",
    "pair": "Подбор пар школ",
    "report": "Подготовка отчёта",
    "save": "Сохранение результата",
    "done": "Завершение",
}
STAGE_DEFAULT = "Выполняется"


def stage_message(stage: str, labels: Mapping[str, str] = STAGE_LABELS) -> str:
    return labels.get(stage, STAGE_DEFAULT)


def to_percent(fraction: float) -> int:
    """0.0–1.0 to a whole percent shown while running (0–99)."""
    return max(0, min(RUNNING_MAX, int(fraction * 100)))


def band(progress: Progress, low: float, high: float) -> Progress:
    """A callback mapping an engine's 0–1 onto ``low``–``high`` of the job's bar."""

    def report(stage: str, fraction: float) -> None:
        progress(stage, low + (high - low) * max(0.0, min(1.0, fraction)))

    return report


class ProgressReporter:
    """Writes a job's progress, throttled, and raises JobCancelled once cancel is requested.

    A write happens when the integer percent grows; a new stage message alone is written at most
    every MIN_INTERVAL seconds, and so is the cancel flag read between writes. Percent never
    goes down. IllegalJobMove (the job stopped running, e.g. failed as stale) propagates.
    """

    def __init__(
        self,
        job_id: int,
        *,
        interval: float = MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.interval = interval
        self.clock = clock
        self.percent = 0
        self.message = ""
        self.writes = 0
        self._last_write = self._last_check = float("-inf")

    def __call__(self, stage: str, fraction: float) -> None:
        percent = max(self.percent, to_percent(fraction))
        message = stage_message(stage)
        now = self.clock()
        due = now - self._last_write >= self.interval
        if percent != self.percent or (message != self.message and due):
            cancel = self._write(percent, message, now)
        elif now - self._last_check >= self.interval:
            self._last_check = now
            cancel = services.is_cancel_requested(self.job_id)
        else:
            cancel = False
        if cancel:
            raise JobCancelled(self.job_id)

    def _write(self, percent: int, message: str, now: float) -> bool:
        cancel = services.report_progress(self.job_id, percent, message)
        self.percent, self.message = percent, message
        self._last_write = self._last_check = now
        self.writes += 1
        return cancel
