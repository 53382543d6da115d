"""The benchmark's settings: the demo project plus the test app whose Order keeps sums, a Min and
a Max of its line items (the aggregates section measures them), and the shop whose purchases are
counted plainly and distinctly (the distinct section)."""

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp", "bench.shop"]
