"""Measures of the anti-risk programmes and the monitoring of their results (issue 11 §1)."""
