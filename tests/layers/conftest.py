from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fresh_venv: builds a virtualenv of its own and installs the library into it "
                                       "(a minute or two; deselect with -m 'not fresh_venv')")
