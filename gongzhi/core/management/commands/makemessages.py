"""``makemessages`` — Django's, knowing the project's gettext aliases too: ``_t`` (gettext, in the shells'
panels), ``_lazy`` and ``_l`` (gettext_lazy), which the default keywords miss. Run it from ``gongzhi/`` so
the references read ``app/file.py``, then translate and compile:
``cd gongzhi && GONGZHI_DEV=1 python ../manage.py makemessages -l en --no-obsolete && msgfmt -o
locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po``."""

from django.core.management.commands.makemessages import Command as DjangoMakeMessages


class Command(DjangoMakeMessages):
    xgettext_options = [*DjangoMakeMessages.xgettext_options, "--keyword=_t", "--keyword=_lazy", "--keyword=_l"]
