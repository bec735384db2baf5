"""The `zhuanban` command: manage.py under the project's own name.

`zhuanban demo` loads the demo, `zhuanban runserver` serves it, and every Django
management command works the same way.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhuanban.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
