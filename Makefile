# The README's Quick start. `make run`: the dashboard on http://localhost:8501; `make test`: ruff, then the
# whole suite. Both build the virtual environment .venv once (again only when a requirements file or
# pyproject.toml changes): the pinned requirements and this package, installed editable.
#   make run PYTHON=python3.13     choose the Python that builds .venv (3.11 to 3.13; `rm -r .venv` to switch)
#   make test PYTEST_ARGS='-m "not slow and not browser"'      the fast loop
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check
PYTEST_ARGS ?=

run: $(VENV)/.app
	$(PY) -m streamlit run dashboard/streamlit_app.py --server.showEmailPrompt false --browser.gatherUsageStats false

test: $(VENV)/.test
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

$(VENV)/.app: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || \
	  { echo "error: RepNet lab needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1): make ... PYTHON=python3.12" >&2; exit 2; }
	$(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)    # none yet, or a broken one
	$(PIP) -r requirements.txt -e .
	touch $@

$(VENV)/.test: $(VENV)/.app requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	touch $@

.PHONY: run test
