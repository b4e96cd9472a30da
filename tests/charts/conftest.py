"""The chart tests draw with the real `dot` and the real CJK font: `make test` installs both
(`make system`), so their absence is a failure here, never a skip."""

from __future__ import annotations

import pytest

from orgmodel.charts import MissingProgram, require_graphviz


@pytest.fixture(scope="session", autouse=True)
def graphviz_installed() -> None:
    try:
        require_graphviz()
    except MissingProgram as exc:
        pytest.fail(f"the chart tests need graphviz and the CJK font; run `make system`:\n{exc}")
