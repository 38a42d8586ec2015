"""Meetings' data: the joint meetings (meeting.py) and the matters settled outside them — 支部先议 and
民主听证 (matter.py)."""

from .matter import *  # noqa: F401,F403
from .meeting import *  # noqa: F401,F403
