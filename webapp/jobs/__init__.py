"""Background jobs: a row per long task, its progress, result and cancellation."""
