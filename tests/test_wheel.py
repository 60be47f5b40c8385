"""An installed formkit carries its forms: build the wheel, install it in a fresh virtualenv
and render a person's Word documents from another folder.

The new virtualenv gets formkit only from the wheel (``--no-deps``). Its third-party packages
(docxtpl, pydantic, …) come from the virtualenv running the tests: a ``.pth`` file holding the
path of that site-packages folder adds the folder to ``sys.path`` without processing the
``.pth`` files inside it, so the editable install of this checkout stays invisible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import docx
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "cases" / "ma-jun.yaml"
NAME = "马俊"


def _env() -> dict[str, str]:
    """The environment without anything that would point Python or formkit at this checkout."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "FORMKIT_FORMS"):
        env.pop(name, None)
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600)


def _build_wheel(tmp: Path) -> Path:
    """Build the wheel from a copy of the project (the checkout gets no build/ or egg-info, and
    nothing left there by an earlier build can slip into the wheel)."""
    src = tmp / "project"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    dist = tmp / "dist"
    tries = []
    # with build isolation pip fetches setuptools>=68 (pyproject's build-system) the way
    # `pip install -e .` does; without it, the setuptools of this virtualenv must do
    for extra in ([], ["--no-build-isolation"]):
        result = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", *extra, "-w", str(dist), str(src)], tmp)
        tries.append(f"$ pip wheel {' '.join(extra)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        wheels = sorted(dist.glob("formkit-*.whl"))
        if result.returncode == 0 and wheels:
            return wheels[0]
    raise AssertionError("could not build the wheel:\n" + "\n".join(tries))


def _site_packages(python: Path | str, cwd: Path) -> list[Path]:
    result = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'));"
                   "print(sysconfig.get_path('platlib'))"], cwd)
    assert result.returncode == 0, result.stderr
    return list(dict.fromkeys(Path(line) for line in result.stdout.split()))


def _text(path: Path) -> str:
    """Every piece of text of a .docx: body (tables included), headers and footers."""
    document = docx.Document(str(path))
    parts = [document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    return "".join(t.text or "" for part in parts for t in part.iter(qn("w:t")))


def test_the_installed_wheel_renders_documents_from_another_folder(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)

    venv = tmp_path / "venv"
    result = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    assert result.returncode == 0, result.stderr
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    result = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                   str(wheel)], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    # the third-party packages of the test virtualenv, as plain paths (not processed as site dirs)
    ours = [str(p) for p in dict.fromkeys([Path(sysconfig.get_path("purelib")), Path(sysconfig.get_path("platlib"))])]
    (_site_packages(python, tmp_path)[0] / "_formkit_test_deps.pth").write_text("\n".join(ours) + "\n", "utf-8")

    work = tmp_path / "elsewhere"
    work.mkdir()
    record = work / SAMPLE.name
    shutil.copy(SAMPLE, record)

    where = _run([str(python), "-c", "import os, sys, formkit, formkit.forms; print(formkit.__file__); "
                  "print(formkit.forms.forms_root()); "
                  "print(*[p for p in sys.path if os.path.isdir(os.path.join(p or '.', 'formkit'))], sep='\\n')"],
                 work)
    assert where.returncode == 0, where.stderr
    module, forms, *visible = (Path(line).resolve() for line in where.stdout.splitlines())
    assert venv.resolve() in module.parents, f"formkit imported from {module}, not from the wheel in {venv}"
    assert venv.resolve() in forms.parents, f"forms read from {forms}, not from the wheel in {venv}"
    assert visible and all(venv.resolve() in p.parents for p in visible), f"other formkit copies on sys.path: {visible}"

    out = work / "out"
    result = _run([str(python), "-m", "formkit", "render", record.name, "--out", str(out), "--format", "docx"],
                  work)
    assert result.returncode == 0, result.stdout + result.stderr

    files = sorted(out.rglob("*.docx"))
    assert files, f"no .docx written under {out}: {result.stdout}"
    for form in ("申请登记表", "服务协议", "考核鉴定表"):
        assert any(form in f.name for f in files), (form, [f.name for f in files])
    for path in files:
        assert NAME in _text(path), f"{path.name} does not contain {NAME}"
