"""The documentation is complete and its links hold: every setting, command and option is documented, no link is dead.

Modelled on Datasette's test_settings_are_documented: the lists come from the code (the SETTINGS table, the click
group), so a setting or an option added without its documentation fails here, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from indexer.settings import SMTP_SETTINGS, SOLR_SETTINGS
from newsarchive.cli import main as cli  # the `newsarchive` command (its click group)
from webapp.settings import SETTINGS, Setting

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
CONFIGURATION = DOCS / "configuration.md"
CLI_REFERENCE = DOCS / "cli.md"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 160
# The web app's settings (the library's INDEX and BACKEND among them), the Solr backend's and e-mail alerts'.
ALL_SETTINGS = (*SETTINGS, *SOLR_SETTINGS, *SMTP_SETTINGS)
VARIABLES = sorted({setting.env for setting in ALL_SETTINGS})

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_RESULT_FILE = re.compile(r"`(bench/results/[^`\s<>*]+)`")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)


def _prose(path: Path) -> str:
    """Return a page without its fenced code blocks (a link in an example is not a link)."""
    return _FENCE.sub("", path.read_text(encoding="utf-8"))


def _slug(heading: str) -> str:
    """Return GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(match[2]) for match in _HEADING.finditer(_prose(path))}


# Settings: every NEWSARCHIVE_* variable is in docs/configuration.md, with its default.


@pytest.mark.parametrize("variable", VARIABLES)
def test_settings_are_documented(variable: str) -> None:
    assert f"`{variable}`" in CONFIGURATION.read_text(encoding="utf-8"), f"{variable} is not in {CONFIGURATION.name}"


@pytest.mark.parametrize("setting", [s for s in ALL_SETTINGS if s.default != ""], ids=lambda s: s.env)
def test_setting_defaults_are_documented(setting: Setting) -> None:
    row = re.search(rf"^\| `{setting.env}` \| ([^|]*) \|", CONFIGURATION.read_text(encoding="utf-8"), re.M)
    assert row, f"{setting.env} has no row in the table of {CONFIGURATION.name}"
    assert f"`{setting.default}`" in row[1], f"{setting.env}: the table's default is not {setting.default}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_unknown_setting_is_documented(page: Path) -> None:
    named = set(re.findall(r"NEWSARCHIVE_[A-Z][A-Z_]*[A-Z]", page.read_text(encoding="utf-8")))
    unknown = sorted(named - set(VARIABLES))
    assert not unknown, f"{page.name} names settings the code does not read: {unknown}"


# Commands: every command has a section of docs/cli.md (`## newsarchive NAME`) that names each of its options.


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        yield prefix + name, command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")


def _flags(command: click.Command) -> list[str]:
    """Return the long flags of a command's options (--per-page; --x and --no-x for a switch)."""
    options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    return [flag for option in options for flag in (*option.opts, *option.secondary_opts) if flag.startswith("--")]


def _sections(path: Path) -> dict[str, str]:
    """Return the text of each `## newsarchive NAME` section of the CLI reference, by NAME ("" for the preamble)."""
    text = _prose(path)
    sections, name, start = {}, "", 0
    for match in re.finditer(r"^## (.+)$", text, re.M):
        sections[name] = text[start:match.start()]
        title = match[1].replace("`", "").strip()
        name = title.removeprefix("newsarchive ") if title.startswith("newsarchive ") else f"(other) {title}"
        start = match.end()
    sections[name] = text[start:]
    return sections


COMMANDS = dict(_commands(cli))
OPTIONS = [(name, flag) for name, command in COMMANDS.items() for flag in _flags(command)]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_commands_are_documented(name: str) -> None:
    assert name in _sections(CLI_REFERENCE), f"{CLI_REFERENCE.name} has no section '## `newsarchive {name}`'"


@pytest.mark.parametrize(("name", "flag"), OPTIONS, ids=[f"{name} {flag}" for name, flag in OPTIONS])
def test_options_are_documented(name: str, flag: str) -> None:
    section = _sections(CLI_REFERENCE).get(name, "")
    assert re.search(rf"`{re.escape(flag)}[ `=]", section), f"`newsarchive {name}`: {flag} is not in its section"


@pytest.mark.parametrize("flag", _flags(cli))
def test_group_options_are_documented(flag: str) -> None:
    assert re.search(rf"`[^`]*{re.escape(flag)}[ `]", _sections(CLI_REFERENCE)[""]), f"{flag} is not in the preamble"


def test_no_unknown_command_is_documented() -> None:
    documented = {name for name in _sections(CLI_REFERENCE) if name and not name.startswith("(other)")}
    assert documented <= set(COMMANDS), f"sections for commands that do not exist: {sorted(documented - set(COMMANDS))}"


# Links: every relative link in README.md and docs/*.md reaches a file in the repository (and its heading).


def _links() -> list[tuple[Path, str]]:
    found = [(page, target) for page in PAGES for target in _LINK.findall(_prose(page))]
    found += [(page, f"/{path}") for page in PAGES for path in _RESULT_FILE.findall(page.read_text(encoding="utf-8"))]
    return sorted({(page, target) for page, target in found if not re.match(r"[a-z][a-z0-9+.-]*:", target)})


LINKS = _links()


@pytest.mark.parametrize(("page", "target"), LINKS, ids=[f"{p.name}->{t}" for p, t in LINKS])
def test_links_reach_files(page: Path, target: str) -> None:
    path, _, anchor = target.partition("#")
    file = page if not path else (ROOT / path.lstrip("/") if path.startswith("/") else page.parent / path).resolve()
    assert file.is_relative_to(ROOT), f"{page.name}: {target} leaves the repository"
    assert file.exists(), f"{page.name}: {target} does not exist"
    if anchor and file.suffix == ".md":
        assert anchor in _anchors(file), f"{page.name}: {file.name} has no heading #{anchor}"


def test_the_dated_results_are_linked() -> None:
    linked = [target for page, target in LINKS if page.name == "performance.md" and "bench/results/reuters-" in target]
    assert linked, "docs/performance.md links no Reuters result under bench/results/"


def test_readme_is_a_front_door() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines: move reference material to docs/"
