"""``python -m formkit …``: the same as the ``formkit`` command."""

from formkit.cli import main

if __name__ == "__main__":
    main(prog_name="formkit")
