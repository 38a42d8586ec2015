"""What matters_shell adds to the shell (see gongzhi.core.registry)."""


def register() -> None:
    pass
