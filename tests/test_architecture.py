"""The floor plan holds: the neutral core and the web app know no engine; the library never imports its front ends."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.backend import BACKENDS, open_backend
from indexer.errors import IndexNotFoundError
from indexer.settings import SettingError

ROOT = Path(__file__).resolve().parent.parent
# The engines: the subpackages of indexer/ but its parsers.
ENGINES = {p.name for p in (ROOT / "indexer").iterdir() if (p / "__init__.py").exists() and p.name != "parsers"}
# The engine-neutral core: every module of indexer/ outside an engine's subpackage, but the pickled-path alias.
CORE = sorted(
    "indexer." + ".".join(path.relative_to(ROOT / "indexer").with_suffix("").parts).removesuffix(".__init__")
    for path in (ROOT / "indexer").rglob("*.py")
    if not any(part in ENGINES for part in path.relative_to(ROOT / "indexer").parts) and path.name != "analysis.py"
)
CORE = [name.removesuffix(".__init__") if name != "indexer.__init__" else "indexer" for name in CORE]


def loaded_after(imports: str) -> set[str]:
    """Return the top-level packages a fresh interpreter has loaded after running `imports`."""
    code = f"import sys\n{imports}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_the_core_list_is_the_neutral_modules() -> None:
    assert {target.split(":")[0].split(".")[1] for target in BACKENDS.values()} <= ENGINES
    assert {"indexer.backend", "indexer.build", "indexer.records", "indexer.request", "indexer.results",
            "indexer.parsers"} <= set(CORE)
    assert not [name for name in CORE if name.split(".")[1:2] and name.split(".")[1] in ENGINES]


def test_the_web_app_loads_no_engine() -> None:
    loaded = loaded_after("import webapp")
    assert "whoosh" not in loaded and "nltk" not in loaded
    assert not [m for m in loaded_modules("import webapp") if m.startswith("indexer.solr")]
    assert "flask" in loaded  # the check itself works: it sees what was imported


def loaded_modules(imports: str) -> set[str]:
    """Return every module a fresh interpreter has loaded after running `imports`."""
    code = f"import sys\n{imports}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_the_neutral_core_loads_no_engine_and_no_front_end() -> None:
    loaded = loaded_after("\n".join(f"import {name}" for name in CORE))
    assert not loaded & {"whoosh", "nltk", "flask", "webapp", "newsarchive", "click"}


def test_the_command_and_the_web_app_load_nothing_of_solr() -> None:
    code = "import sys, webapp, newsarchive.cli\nprint(' '.join(m for m in sys.modules if 'solr' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["newsarchive.solr_cli"]  # the `solr` command group: it imports no Solr module


def test_the_command_loads_the_engine_only_when_it_opens_one() -> None:
    assert "whoosh" not in loaded_after("import newsarchive.cli")
    assert "whoosh" in loaded_after("from indexer.backend import open_backend; open_backend('whoosh', 'nowhere')")


def test_nothing_under_indexer_imports_the_web_app_or_the_command() -> None:
    offenders = []
    for path in (ROOT / "indexer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("webapp", "newsarchive", "flask", "click")]
    assert offenders == []


def test_the_web_app_reaches_an_engine_only_through_the_backend_seam() -> None:
    offenders = []
    for path in (ROOT / "webapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith(("whoosh", "nltk", "indexer.whoosh", "indexer.analysis")):
                    offenders.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert offenders == []


def test_an_unknown_backend_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match="NEWSARCHIVE_BACKEND must be one of solr, whoosh, not 'lucene'"):
        open_backend(environ={"NEWSARCHIVE_BACKEND": "lucene"}, folder=tmp_path)


def test_the_backend_comes_from_the_environment(tmp_path: Path) -> None:
    backend = open_backend(environ={"NEWSARCHIVE_BACKEND": "whoosh", "NEWSARCHIVE_INDEX": str(tmp_path / "ix")})
    assert backend.name == "whoosh" and backend.folder == tmp_path / "ix"
    with pytest.raises(IndexNotFoundError, match="newsarchive index PATH"):
        backend.stats()  # opening needs no index; using one does, and says how to build it
    assert not (tmp_path / "ix").exists()


def test_the_command_refuses_an_unknown_backend_with_the_known_ones(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsarchive.cli import main

    for args in (["search", "oil"], ["stats"], ["index", str(tmp_path)], ["serve"]):
        result = CliRunner().invoke(main, [*args, "--index", str(tmp_path / "ix")],
                                    env={"NEWSARCHIVE_BACKEND": "lucene"})
        assert result.exit_code == 1, args
        assert "Error: NEWSARCHIVE_BACKEND must be one of solr, whoosh, not 'lucene'" in result.output, args
    assert not (tmp_path / "ix").exists()
