"""The report (formats.md §4): its models (`model`), its figures (`figures`: status, summary,
the region roll-up and hiring plan), the JSON writer (`json`), and for people the tables
(`tables`) that the terminal (`text`), CSV (`csv`), HTML (`html`) and xlsx (`xlsx`) writers show.

Nothing here reads a roster: a report is built from a `CheckResult`.
"""
