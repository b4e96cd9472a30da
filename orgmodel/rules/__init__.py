"""Rule kinds in code, rules in packs: the kinds (`kinds/`), the packs that name them (`pack.py`, `packs/`)."""
