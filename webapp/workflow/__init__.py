"""The shared workflow layer: one choke point for every stateful object (see docs/decisions.md)."""
