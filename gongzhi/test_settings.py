"""The test run's settings: the development path (published development keys, plain HTTP), then the project's
settings as they are. `make test` exports GONGZHI_DEV=1 itself; this lets a bare `pytest` work the same way."""

import os

os.environ.setdefault("GONGZHI_DEV", "1")

from .settings import *  # noqa: E402, F403
