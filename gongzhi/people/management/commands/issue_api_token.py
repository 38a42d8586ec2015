"""``manage.py issue_api_token <username> --name NAME [--scope read|write] [--days 30|90|180|365]`` — issue an API
token for an account (e.g. a 12345 gateway's, which files requests: ``--scope write``) and print its key once; only
the key's hash is stored."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.permissions import SYSTEM
from gongzhi.people.actions import issue_api_token
from gongzhi.people.models import DEFAULT_TOKEN_DAYS, TOKEN_DAYS, ApiToken


class Command(BaseCommand):
    help = "为账号签发 API 令牌，并只打印这一次密钥。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号的用户名")
        parser.add_argument("--name", required=True, help="令牌名称（用途），例如“12345 热线对接”")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ,
                            help="read 只读（默认）或 write 读写")
        parser.add_argument("--days", type=int, choices=TOKEN_DAYS, default=DEFAULT_TOKEN_DAYS, help="有效期（天）")

    def handle(self, *args, username, name, scope, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("账号 %(u)s 不存在") % {"u": username})
        try:
            token, key = issue_api_token(user, name=name, scope=scope, days=days, by=SYSTEM)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stderr.write(_("已为 %(u)s 签发令牌“%(n)s”（前缀 %(p)s）。密钥只显示这一次，请立即复制保存：") % {
            "u": username, "n": token.name, "p": token.prefix})
        self.stdout.write(key)
