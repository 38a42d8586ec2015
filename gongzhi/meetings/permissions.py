"""rules permissions of permissions."""

import rules  # noqa: F401
