"""The layout's boundaries (docs/decisions.md §1) hold, and the contract really catches a crossing."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_code_keeps_every_boundary():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


@pytest.fixture
def tree_copy(tmp_path):
    for package in ("domain", "integrations", "portal", "sandbox"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        ("domain/leak.py", "import django.db\n", "domain is pure"),
        ("domain/leak.py", "from integrations import whmcs\n", "domain is pure"),
        ("integrations/leak.py", "from django.conf import settings\n", "integrations use domain"),
        ("integrations/leak.py", "import portal.accounts.models\n", "integrations use domain"),
        ("sandbox/leak.py", "from portal.accounts import models\n", "sandbox emulates providers"),
        ("portal/core/leak.py", "from portal.sim import selectors\n", "portal.core sits below every app"),
        ("portal/core/leak.py", "import portal.dashboard.selectors\n", "portal.core sits below every app"),
        ("portal/billing/leak.py", "from portal.dashboard import selectors\n", "portal.core sits below every app"),
        ("portal/orders/leak.py", "from portal import urls\n", "portal.core sits below every app"),
        ("portal/core/leak.py", "import sandbox.common.clock\n", "only portal.demo imports the sandbox"),
        ("portal/billing/leak.py", "from sandbox.whmcs import start_whmcs_sandbox\n",
         "only portal.demo imports the sandbox"),
        ("portal/accounts/leak.py", "import sandbox.demo_identities\n", "only portal.demo imports the sandbox"),
    ],
)
def test_a_crossed_boundary_fails_the_contract(tree_copy, module, source, contract):
    (tree_copy / module).write_text(source)

    result = lint_imports(tree_copy)

    assert result.returncode != 0, result.stdout
    assert f"{contract}" in result.stdout
    assert "BROKEN" in result.stdout


def test_a_new_package_of_the_portal_must_be_given_a_layer(tree_copy):
    (tree_copy / "portal" / "newapp").mkdir()
    (tree_copy / "portal" / "newapp" / "__init__.py").write_text("")

    result = lint_imports(tree_copy)

    assert result.returncode != 0
    assert "portal.newapp" in result.stdout + result.stderr
