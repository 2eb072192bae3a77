"""The shape of forum/: no import circles, layers that run one way, views that import no views, and imports
inside functions only where a comment says why (docs/architecture.md explains the layers)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp

FORUM = Path(__file__).resolve().parent.parent / "forum"
LAYER_OF_SUFFIX = {"views": 3, "forms": 2, "services": 2, "models": 1}


def import_graph():
    return grimp.build_graph("forum")


def circles(graph) -> list[list[str]]:
    """The strongly connected groups of modules (Tarjan), i.e. every import circle."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(module):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def layer(module: str) -> int | None:
    """views 3, forms and services 2, models 1 (by the last part of the name: views, board_views, …)."""
    last = module.rsplit(".", 1)[-1]
    for suffix, number in LAYER_OF_SUFFIX.items():
        if last == suffix or last.endswith("_" + suffix):
            return number
    return None


def test_there_is_no_import_circle_in_forum():
    assert circles(import_graph()) == []


def test_layers_run_one_way_views_then_forms_and_services_then_models():
    graph = import_graph()
    upward = []
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if layer(module) is not None and layer(imported) is not None and layer(imported) > layer(module):
                upward.append(f"{module} imports {imported}")
    assert sorted(upward) == []


def test_views_import_no_views():
    graph = import_graph()
    crossing = [f"{module} imports {imported}" for module in graph.modules if layer(module) == 3
                for imported in graph.find_modules_directly_imported_by(module) if layer(imported) == 3]
    assert crossing == []


def test_the_audit_log_sits_below_every_domain_package():
    imported = import_graph().find_modules_directly_imported_by("forum.audit")
    assert imported <= {"forum.clock", "forum.extensions"}


def test_imports_inside_functions_say_why():
    unexplained = []
    for path in sorted(FORUM.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    line, above = lines[inner.lineno - 1], lines[inner.lineno - 2]
                    explained = "#" in line or above.strip().startswith("#") or '"""' in above
                    if not explained:
                        unexplained.append(f"{path.relative_to(FORUM.parent)}:{inner.lineno}: {line.strip()}")
    assert unexplained == []


def test_views_enforce_the_fine_predicate_of_each_act_not_the_reach():
    """`can_moderate_post`/`can_moderate_thread` say who may moderate at all; a view must require the predicate
    of its act (can_hide_post, can_lock_thread, …), the same one its button is shown by, and may use the reach
    only to tell a moot double action from a forbidden one (require_unless_moot(…, reach=…))."""
    offenders = []
    for path in sorted(FORUM.rglob("*views.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"require\(can_moderate_(post|thread)\(", line):
                offenders.append(f"{path.relative_to(FORUM.parent)}:{number}: {line.strip()}")
    assert offenders == []


RULE_CATCH = re.compile(r"except [\w.]*((Discussion|Event|Idea|Moderation|Organisation)Error|StaleEdit|CaseClosed"
                        r"|RuleBroken)")


def test_views_have_one_idiom_for_refusals_and_read_filters_by_get_forms():
    """A service's refusal reaches the user through forms.attempt() (a field's message or a flashed warning, with
    the error's HTTP status) — no view catches a RuleBroken itself; list filters and `?quote=` are GET forms
    (forms.FilterForm), so no view reads request.args by hand."""
    offenders = []
    for path in sorted(FORUM.rglob("*views.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RULE_CATCH.search(line) or "request.args" in line:
                offenders.append(f"{path.relative_to(FORUM.parent)}:{number}: {line.strip()}")
    allowed = {"forum/accounts/views.py": "request.args.get(\"next\"",  # the login's return address
               "forum/moderation/views.py": "**request.args"}  # the audit log's CSV link keeps the filters
    offenders = [line for line in offenders if not any(line.startswith(path) and text in line
                                                       for path, text in allowed.items())]
    assert offenders == []
