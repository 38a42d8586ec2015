"""The shell's pages: each role's home page (工作台) and a compound's public board (公示栏), both made of
what the apps registered (``gongzhi.core.registry``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from gongzhi.core.registry import registry
from gongzhi.places.models import Kind, Place


@login_required
def home(request):
    """The cards the apps registered, in order; each decides from the reader whether it shows."""
    shown = [(c, ctx) for c in registry.home_cards if (ctx := c.context(request)) is not None]
    return render(request, "site/home.html", {"cards": [(c.template, ctx) for c, ctx in shown],
                                              "card": {c.key: ctx for c, ctx in shown}})


def public_board(request, pk):
    """公示栏 of a compound, open to anyone (a QR code on the notice board): only what each app publishes
    there, at compound precision, with no names or phones."""
    compound = get_object_or_404(Place, pk=pk, kind=Kind.COMPOUND)
    sections = [(item, rows) for item in registry.public_items if (rows := item.items(compound))]
    return render(request, "site/public_board.html", {"compound": compound, "sections": sections})
