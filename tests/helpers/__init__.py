"""What several test folders share: rosters, workbooks and printing made for tests.

A helper lives here, not beside one test folder, once tests of two packages build on it
(`tests.helpers.workbooks` feeds the xlsx reader's tests, the report writers' and the
command line's); it is imported as `tests.helpers.<name>`, never loaded by path.
"""
