"""Assignment engines: who checks whom (pure Python, no Flask, no database)."""
