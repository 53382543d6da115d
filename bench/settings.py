"""The benchmark's settings: the demo project plus the test app whose Order keeps sums, a Min and
a Max of its line items (the aggregates section measures them)."""

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
