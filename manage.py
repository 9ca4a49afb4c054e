#!/usr/bin/env python
import os
import sys


def main():
    # Checking for missing migrations signs nothing, so it needs no SECRET_KEY: it runs on the test settings.
    signs_nothing = sys.argv[1:2] == ["makemigrations"] and "SECRET_KEY" not in os.environ
    default = "intervisie.settings_test" if signs_nothing else "intervisie.settings"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
