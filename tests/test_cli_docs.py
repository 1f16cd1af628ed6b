"""Every command and option of the CLI is documented in docs/cli.md (and nothing documented is gone)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from lunshu.cli import app

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def _is_option(p: Any) -> bool:
    return getattr(p, "param_type_name", "") == "option"


def _commands(cmd: Any, prefix: str = "") -> dict[str, Any]:
    """Typer vendors its own click: walk groups and parameters by duck typing."""
    out: dict[str, Any] = {}
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            out.update(_commands(sub, f"{prefix} {name}".strip()))
    else:
        out[prefix] = cmd
    return out


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^### `lunshu ([^`]+)`", text, flags=re.MULTILINE)
    out = {}
    for i in range(1, len(parts), 2):
        name = parts[i].split(" ")
        words = []
        for w in name:
            if w.startswith(("-", "[", "<")) or w.isupper():
                break
            words.append(w)
        out[" ".join(words)] = parts[i + 1]
    return out


def test_every_command_and_option_is_documented() -> None:
    root = typer.main.get_command(app)
    sections = _sections(DOC.read_text(encoding="utf-8"))
    commands = _commands(root)
    missing_cmds = sorted(set(commands) - set(sections))
    assert not missing_cmds, f"undocumented commands: {missing_cmds}"
    stale = sorted(set(sections) - set(commands))
    assert not stale, f"documented commands that no longer exist: {stale}"
    missing_opts = []
    for name, cmd in commands.items():
        for p in cmd.params:
            if _is_option(p):
                longs = [o for o in p.opts if o.startswith("--")] or p.opts
                if not any(o in sections[name] for o in longs):
                    missing_opts.append(f"{name} {longs[0]}")
    assert not missing_opts, f"undocumented options: {missing_opts}"
    for p in root.params:
        if _is_option(p) and p.opts[0] not in ("--help",):
            assert p.opts[0] in DOC.read_text(encoding="utf-8")


def test_a_bad_option_value_is_a_usage_error(tmp_path: Path) -> None:
    from conftest import run_cli

    r = run_cli("ingest", "--field", "no-equals-sign", str(tmp_path), db=tmp_path / "x.db")
    assert r.returncode == 2 and "key=COLUMN" in r.stderr and "Traceback" not in r.stderr


def test_environment_table_is_current_and_complete() -> None:
    """docs/cli.md carries the settings table as generated; no module reads a LUNSHU_ variable of its own."""
    from lunshu import settings

    text = DOC.read_text(encoding="utf-8")
    assert settings.table_markdown() in text, "docs/cli.md: regenerate the environment table from settings.py"
    src = DOC.parents[1] / "src" / "lunshu"
    readers = [str(p.relative_to(src)) for p in src.rglob("*.py")
               if p.name != "settings.py" and re.search(r"environ(\.get)?\(?\[?[\"']LUNSHU_|getenv\([\"']LUNSHU_",
                                                        p.read_text(encoding="utf-8"))]
    assert not readers, f"read LUNSHU_* through lunshu.settings: {readers}"
    used = set(re.findall(r"LUNSHU_[A-Z_]+", "".join(p.read_text(encoding="utf-8") for p in src.rglob("*.py"))))
    declared = {s.name for s in settings.SETTINGS}
    assert used <= declared, f"undeclared settings: {sorted(used - declared)}"


def test_help_lists_the_environment(cli: Any) -> None:
    from lunshu import settings

    out = cli("--help", env={"COLUMNS": "200"}).stdout
    for s in settings.SETTINGS:
        assert s.name in out
