# The two commands: `make run` and `make test`. Both create .venv on their own and install
# exactly what uv.lock pins: with uv (from PATH when it is of the locked release line,
# otherwise bootstrapped from PyPI into .tools/uv), or with pip from the hashed exports in
# requirements/ when uv cannot be had (or INSTALLER=pip).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
INSTALLER ?= uv
# The uv release the Makefile bootstraps (hashed in requirements/uv.txt, written by
# `make lock`); pyproject.toml's [tool.uv] required-version names the line it belongs to.
UV_VERSION := 0.13.9
TOOLS := .tools
# A second `make run` must not reinstall: a stamp per set, newer than the lock.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
LOCK_INPUTS := uv.lock pyproject.toml requirements/run.txt requirements/test.txt

ifeq ($(shell uv --version 2>/dev/null | grep -c '^uv 0\.13\.'),1)
UV := $(shell command -v uv)
else
UV := $(TOOLS)/uv/bin/uv
endif

# uv never downloads a Python of its own here: the machine's 3.11 is the one.
export UV_PYTHON_DOWNLOADS := never
# Hard links from uv's cache into .venv: copying the 270 MB the running set unpacks took
# about 3 s more of the first `make run` (issue 21; 4.3 s against 1.3 s from a warm
# cache on this machine). Where the cache is on another file system uv copies instead,
# silently under --quiet; UV_LINK_MODE=copy in the environment forces copies.
export UV_LINK_MODE ?= hardlink

.PHONY: run test lint format lock lock-upgrade lock-check export-lock serve clean

define need_python
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 / Python 3.11 is required"; exit 1; }
endef

# Prints the uv to use, bootstrapping it when missing; prints nothing when there is none.
uv_or_nothing = $$( [ "$(INSTALLER)" = uv ] || exit 0; [ -x "$(UV)" ] || $(PYTHON) -m pip install --quiet --disable-pip-version-check --no-warn-script-location --root-user-action=ignore --require-hashes --no-deps --target $(TOOLS)/uv -r requirements/uv.txt >&2 || { echo "uv 无法安装，改用 pip / uv could not be installed, using pip" >&2; exit 0; }; echo "$(UV)" )

# $(1): the extras (e.g. --extra dev), $(2): the hashed requirements for pip.
define install
	$(need_python)
	@uv="$(uv_or_nothing)"; set -e; \
	if [ -n "$$uv" ]; then \
	  "$$uv" sync --locked --python $(PYTHON) --quiet $(1); \
	else \
	  test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV); \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    --require-hashes --no-deps -r $(2); \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .; \
	fi
endef

# While the packages install (uv keeps about one of the two cores busy), the project's own
# modules are compiled to bytecode beside them, in the background: `make run`'s first
# import of each then reads it instead of compiling (issue 21). The files are written
# atomically, so an import that comes first compiles for itself; nothing waits for it.
$(RUN_STAMP): $(LOCK_INPUTS)
	@command -v $(PYTHON) >/dev/null 2>&1 && { $(PYTHON) -m compileall -q src/jiceng >/dev/null 2>&1 & } || true
	$(call install,,requirements/run.txt)
	rm -f $(TEST_STAMP)
	touch $(RUN_STAMP)

$(TEST_STAMP): $(LOCK_INPUTS)
	$(call install,--extra dev,requirements/test.txt)
	touch $(RUN_STAMP) $(TEST_STAMP)

# Background jobs (imports, large exports, ledgers) run in the request that submits them
# here, so that no `jiceng db_worker` is needed; JICENG_TASKS_BACKEND=database in the
# environment queues them for a worker instead, as in production.
TASKS_BACKEND = JICENG_TASKS_BACKEND=$${JICENG_TASKS_BACKEND:-immediate}

# Migrate, compile messages (only when a .po changed), load the demo once, print the
# logins, then serve, all in one process and without the auto-reloader (the first page
# sooner). `make run PORT=8001` serves elsewhere.
run: $(RUN_STAMP)
	$(TASKS_BACKEND) $(BIN)/jiceng prepare --serve $(HOST):$(PORT)

# Serves what is there, without preparing anything, reloading when the code changes.
serve: $(RUN_STAMP)
	$(TASKS_BACKEND) $(BIN)/jiceng runserver --insecure $(HOST):$(PORT)

# `make test PYTEST_ARGS="--durations=15"` passes options on to pytest.
test: $(TEST_STAMP) lock-check
	$(BIN)/jiceng compilemessages --ignore=.venv --ignore=.tools -v 0
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Run after changing dependencies in pyproject.toml: re-resolves only what changed and
# writes uv.lock and the hashed exports pip uses. `make lock-upgrade` takes the newest
# releases the bounds allow (then run `make test` before committing).
lock:
	@uv="$(uv_or_nothing)"; [ -n "$$uv" ] || { echo "make lock 需要 uv / make lock needs uv"; exit 1; }; \
	"$$uv" lock --python $(PYTHON) $(LOCK_FLAGS) && $(MAKE) --no-print-directory export-lock UVBIN="$$uv"

lock-upgrade:
	$(MAKE) --no-print-directory lock LOCK_FLAGS=--upgrade

EXPORT := export --frozen --no-emit-project --format requirements.txt --quiet
export-lock:
	@mkdir -p requirements
	echo "uv==$(UV_VERSION)" | $(UVBIN) pip compile - --generate-hashes --universal \
	  --python-version 3.11 --no-header --quiet -o requirements/uv.txt
	$(UVBIN) $(EXPORT) --no-header -o requirements/run.txt
	$(UVBIN) $(EXPORT) --no-header --extra dev -o requirements/test.txt

# The lock matches pyproject.toml and the hashed exports match the lock (skipped without uv).
lock-check:
	@grep -q "^uv==$(UV_VERSION) " requirements/uv.txt \
	  || { echo "requirements/uv.txt 不是 uv $(UV_VERSION)，运行 make lock / run make lock"; exit 1; }
	@uv="$(uv_or_nothing)"; [ -n "$$uv" ] || exit 0; set -e; \
	"$$uv" lock --check --python $(PYTHON) --quiet; \
	"$$uv" $(EXPORT) --no-header | diff -q - requirements/run.txt >/dev/null \
	  || { echo "requirements/run.txt 与 uv.lock 不一致，运行 make lock / out of date: run make lock"; exit 1; }; \
	"$$uv" $(EXPORT) --no-header --extra dev | diff -q - requirements/test.txt >/dev/null \
	  || { echo "requirements/test.txt 与 uv.lock 不一致，运行 make lock / out of date: run make lock"; exit 1; }

# Everything the project made, and nothing else: the environment, the bootstrapped uv,
# the database and files under var/, compiled messages, build metadata and caches.
clean:
	rm -rf $(VENV) $(TOOLS) var src/jiceng.egg-info .hypothesis .ruff_cache test-results bench/out
	find src tests bench -name '*.mo' -path '*/locale/*' -delete
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +
