"""The set-up must find Python 3.10 (PATH, then pyenv) or explain in one line what to install."""
import subprocess
from pathlib import Path

from bot.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "find-python.sh"


def _run(path: str, pyenv_root: Path) -> subprocess.CompletedProcess:
    env = {"PATH": path, "PYENV_ROOT": str(pyenv_root), "HOME": str(pyenv_root)}
    return subprocess.run(["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True)


def _fake_python(folder: Path, name: str, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / name
    major, minor = version.split(".")[:2]
    exe.write_text(f"#!/bin/sh\n[ \"$1\" = -c ] && exit $([ {major}{minor} = 310 ] && echo 0 || echo 1)\n")
    exe.chmod(0o755)
    return exe


def test_fails_with_one_line_saying_what_to_install(tmp_path: Path) -> None:
    _fake_python(tmp_path / "bin", "python3", "3.11")
    result = _run(f"{tmp_path}/bin:/usr/bin:/bin", tmp_path / "no-pyenv")
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "install" in result.stderr and "3.10" in result.stderr


def test_finds_python310_under_pyenv_when_path_has_none(tmp_path: Path) -> None:
    _fake_python(tmp_path / "bin", "python3", "3.11")
    expected = _fake_python(tmp_path / "pyenv" / "versions" / "3.10.13" / "bin", "python3.10", "3.10")
    result = _run(f"{tmp_path}/bin:/usr/bin:/bin", tmp_path / "pyenv")
    assert result.returncode == 0 and result.stdout.strip() == str(expected)


def test_prefers_python310_on_path(tmp_path: Path) -> None:
    on_path = _fake_python(tmp_path / "bin", "python3.10", "3.10")
    _fake_python(tmp_path / "pyenv" / "versions" / "3.10.13" / "bin", "python3.10", "3.10")
    result = _run(f"{tmp_path}/bin:/usr/bin:/bin", tmp_path / "pyenv")
    assert result.stdout.strip() == str(on_path)
