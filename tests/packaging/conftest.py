"""Frozen-bundle fixtures; measurements go to build/frozen-report.json."""

from __future__ import annotations

import json

import pytest

from .helpers import REPORT, REPORT_DATA, write_report


@pytest.fixture(scope="session", autouse=True)
def _frozen_report():
    yield
    write_report()


def pytest_terminal_summary(terminalreporter):
    if REPORT_DATA and REPORT.is_file():
        terminalreporter.section("frozen bundle measurements")
        terminalreporter.write_line(json.dumps(REPORT_DATA, indent=2, sort_keys=True))
