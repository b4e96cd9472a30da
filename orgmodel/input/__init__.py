"""Reading a roster: bytes → raw text tables (`readers`, `raw`) → the office layout filled in
(`office_layout`) → a typed `Roster` with every input error located (`normalize`, `cells`).

`schema` holds the roster document's models (formats.md §1), which JSON/YAML input and the
HTTP API share. Nothing here knows of rules, checks or reports.
"""
