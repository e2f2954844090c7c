# fieldapp — `make demo` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYBABEL := $(VENV)/bin/pybabel
STAMP := $(VENV)/.installed
# tests/test_i18n_catalogs.py reads EXTRACT_OPTS from here: one definition of the extraction.
EXTRACT_OPTS := -F babel.cfg --sort-by-file --omit-header --no-location -k _l -k N_ -k lazy_gettext -k ngettext:1,2 --project=fieldapp
EXTRACT := $(PYBABEL) extract $(EXTRACT_OPTS) -o translations/messages.pot .

.PHONY: demo test install fonts system-deps translations extract update-catalogs check-catalogs bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# apt-get as root, or through sudo: `$(APT_INSTALL) package`.
SUDO = $$( [ "$$(id -u)" = 0 ] || echo sudo )
APT_INSTALL = $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq

# Debian's Noto fonts, when missing: the app serves their Ethiopic face for Tigrinya
# (fieldapp/field/fonts.py) and does not start without it.
fonts:
	@if ! test -f /usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf; then \
		echo "Installing fonts-noto-core (apt)"; \
		$(APT_INSTALL) fonts-noto-core >/dev/null; \
	fi

# Debian's Chromium for the browser tests, and the fonts, when missing.
system-deps: fonts
	@if ! command -v chromium >/dev/null; then \
		echo "Installing chromium (apt)"; \
		$(APT_INSTALL) chromium >/dev/null; \
	fi

translations: $(STAMP)
	$(PYBABEL) compile -d translations --statistics 2>&1 | grep -v '^$$' || true

demo: install fonts
	$(VENV)/bin/fieldapp demo

test: install system-deps
	@# Bytecode written even where the environment says not to: each of the run's processes (the
	@# two workers, `make demo`, the CLI) would otherwise compile every module again.
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest -q -n 2 --dist loadgroup

# Re-extract the template and merge new msgids into the four catalogs (then translate them).
update-catalogs: $(STAMP)
	$(EXTRACT)
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

# The template is current, every locale 100 % translated, no fuzzy, placeholders and glossary kept.
check-catalogs: $(STAMP)
	$(VENV)/bin/pytest -q tests/test_i18n_catalogs.py

bench: install fonts
	$(PY) bench/ingest.py
	$(PY) bench/dashboard.py

clean:
	rm -rf $(VENV) instance test-artifacts
