"""rules permissions of matters_permissions."""

import rules  # noqa: F401
