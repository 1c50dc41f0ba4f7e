"""File content is data only: nothing PeakGUI reads is unpickled, evaluated or executed."""

from __future__ import annotations

import ast
from pathlib import Path

import peakgui

PACKAGE = Path(peakgui.__file__).parent
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRS = {("pickle", "load"), ("pickle", "loads"), ("marshal", "loads"),
                   ("yaml", "load"), ("dill", "loads"), ("joblib", "load")}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _name(func: ast.expr) -> tuple[str, ...]:
    if isinstance(func, ast.Name):
        return (func.id,)
    if isinstance(func, ast.Attribute):
        return (*_name(func.value), func.attr)
    return ()


def _pickle_safe(call: ast.Call) -> bool:
    kw = {k.arg: k.value for k in call.keywords}
    value = kw.get("allow_pickle")
    return isinstance(value, ast.Constant) and value.value is False


def offences_in(tree: ast.AST, where: str) -> list[str]:
    found = []
    for call in _calls(tree):
        name = _name(call.func)
        at = f"{where}:{call.lineno}"
        if len(name) == 1 and name[0] in FORBIDDEN_CALLS:
            found.append(f"{at} calls {name[0]}()")
        if len(name) >= 2 and name[-2:] in FORBIDDEN_ATTRS:
            found.append(f"{at} calls {'.'.join(name)}()")
        if name[:1] in (("np",), ("numpy",)) and name[-1:] in (("load",), ("save",)) \
                and not _pickle_safe(call):
            found.append(f"{at} calls numpy.{name[-1]} without allow_pickle=False")
    return found


def test_no_code_from_files_is_run_or_unpickled():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 10
    offences = []
    for path in sources:
        tree = ast.parse(path.read_text(), filename=str(path))
        offences += offences_in(tree, str(path.relative_to(PACKAGE)))
    assert not offences, "\n".join(offences)


def test_the_checker_catches_what_it_forbids():
    bad = ast.parse("import numpy as np\nnp.load('x.npy')\neval(attrs['expr'])\n"
                    "np.save('y.npy', a, allow_pickle=False)\npickle.loads(b)\n")
    found = offences_in(bad, "bad.py")
    assert len(found) == 3
    assert any("numpy.load" in f for f in found) and any("eval" in f for f in found)
