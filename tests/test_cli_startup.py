"""Start-up cost of the ``portalroi`` command: importing the CLI loads no heavy library.

Every command module is imported to assemble the app, so a module-level import of a heavy
library (scikit-learn, statsmodels, alembic, ...) slows down every command, even
``portalroi metrics list``. Commands import what they need inside their function instead.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: Modules that must not be loaded by ``import portalroi.cli.main``.
HEAVY_MODULES: tuple[str, ...] = (
    "sklearn",
    "statsmodels",
    "alembic",
    "sqlalchemy",
    "argon2",
    "lifetimes",
    "pyspark",
    "weasyprint",
    "fastapi",
    "portalroi.health",
    "portalroi.impact",
)

_PROBE = (
    "import json, sys\n"
    "import portalroi.cli.main\n"
    f"heavy = {HEAVY_MODULES!r}\n"
    "print(json.dumps([name for name in heavy if name in sys.modules]))\n"
)


def test_importing_the_cli_loads_no_heavy_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"import portalroi.cli.main loaded heavy modules: {', '.join(loaded)}"


def test_expansion_help_matches_the_model_fields() -> None:
    # the CLI copies these descriptions so that building it does not import portalroi.health
    from portalroi.cli.health_history import EXPANSION_HELP
    from portalroi.health.expansion import ExpansionParams

    for name, text in EXPANSION_HELP.items():
        assert text == ExpansionParams.model_fields[name].description, name
