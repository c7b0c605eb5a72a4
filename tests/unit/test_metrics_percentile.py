"""percentile_cont in Python: linear interpolation between the rows around p * (n - 1), as PostgreSQL."""

from __future__ import annotations

import pytest

from webcare.services.metrics_sql import percentile_cont


@pytest.mark.parametrize(("values", "fraction", "expected"), [
    ([], 0.5, None),
    ([7], 0.5, 7.0),
    ([7], 0.9, 7.0),
    ([1, 2], 0.5, 1.5),
    ([1, 2, 3, 4], 0.5, 2.5),
    ([1, 2, 3, 4], 0.9, 3.7),  # position 2.7: 3 + 0.7 * (4 - 3)
    ([10, 20, 30, 40, 50], 0.9, 46.0),  # position 3.6
    ([3600, 5400, 7200, 12600, 30600], 0.5, 7200.0),
    ([3600, 5400, 7200, 12600, 30600], 0.9, 23400.0),  # position 3.6: 12600 + 0.6 * 18000
    ([0, 0, 100, 100], 0.5, 50.0),
])
def test_percentile_cont(values, fraction, expected):
    assert percentile_cont(values, fraction) == expected
