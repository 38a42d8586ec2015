"""JSON API of api."""

from ninja import Router

router = Router(tags=["meetings"])
