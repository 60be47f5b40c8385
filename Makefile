# formkit — `make demo` runs the main job on the sample data, `make test` runs the tests,
# `make fuzz` runs the loaders' fuzz test with many more examples (FUZZ_EXAMPLES, default 2000),
# `make pictures` draws the README's pictures again: the forms (docs/img/) from the sample data, the desk's
# screenshots (docs/img/desk/) by its browser tests.
# Each sets everything up first: system packages (as root; otherwise the exact command is
# printed), a virtualenv in .venv and the Python dependencies.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup system demo test fuzz pictures bench clean

FUZZ_EXAMPLES ?= 2000

setup: system $(VENV)/.installed

system:
	@bash scripts/ensure-system.sh
	@bash scripts/setup-fonts.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

demo: setup
	$(BIN)/formkit check data/
	$(BIN)/formkit explain data/cases/bai-zhongrong.yaml
	$(BIN)/formkit render data/cases/*.yaml --out output
	@echo "文书已生成在 output/ 下（每人一个目录）"

test: setup
	$(BIN)/python -m pytest

fuzz: setup
	FORMKIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_hostile_input.py -k fuzz -q

pictures: setup
	$(BIN)/python scripts/pictures.py
	FORMKIT_DESK_SCREENSHOTS=docs/img/desk $(BIN)/python -m pytest tests/test_desk_browser.py -q

clean:
	rm -rf $(VENV) output/*/ .pytest_cache
