"""JSON API of matters_api."""

from ninja import Router

router = Router(tags=["meetings"])
