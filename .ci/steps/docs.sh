#!/usr/bin/env bash
# The documentation site (mkdocs.yml, docs/) builds strictly: a broken link or #anchor, a nav
# entry naming no page, a page left out of the nav, an API reference (`::: module`) that does not
# resolve or a docstring warning fails CI. Then every name in the `__all__` of the documented
# public modules must have its entry on its API page (mkdocstrings leaves out a function without
# a docstring, silently). Runs inside the venv the README's test command made, from the
# repository root; the site goes to a temporary folder, never into site/.
set -euo pipefail

python -m pip install --quiet ".[docs]"

export NO_MKDOCS_2_WARNING=1  # mkdocs-material's end-of-life banner, not a build message
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
mkdocs build --strict --site-dir "$site"

python - "$site" <<'PY'
import ast
import pathlib
import sys

site = pathlib.Path(sys.argv[1])
pages = {  # module: (its source, its API page)
    "fastbackprop": ("fastbackprop/__init__.py", "api/fastbackprop/index.html"),
    "fastbackprop.course": ("fastbackprop/course/__init__.py", "api/course/index.html"),
    "fastbackprop.course.planar": ("fastbackprop/course/planar.py", "api/planar/index.html"),
    "fastbackprop.course2.initialization": ("fastbackprop/course2/initialization.py", "api/course2/index.html"),
    "fastbackprop.course2.regularization": ("fastbackprop/course2/regularization.py", "api/course2/index.html"),
    "fastbackprop.course2.gradient_checking": ("fastbackprop/course2/gradient_checking.py", "api/course2/index.html"),
    "fastbackprop.course2.gradient_checking_2017": ("fastbackprop/course2/gradient_checking_2017.py", "api/course2/index.html"),
    "fastbackprop.course2.optimization": ("fastbackprop/course2/optimization.py", "api/course2/index.html"),
    "fastbackprop.course2.optimization_2017": ("fastbackprop/course2/optimization_2017.py", "api/course2/index.html"),
}
missing = []
for module, (source, page) in pages.items():
    tree = ast.parse(pathlib.Path(source).read_text())
    names = next(ast.literal_eval(node.value) for node in tree.body
                 if isinstance(node, ast.Assign)
                 and any(getattr(t, "id", None) == "__all__" for t in node.targets))
    html = (site / page).read_text()
    missing += [f"{module}.{name} (docs/{page.replace('/index.html', '.md')})"
                for name in names if f'id="{module}.{name}"' not in html]
if missing:
    sys.exit("docs: public names missing from the API pages (no docstring?): "
             + ", ".join(missing))
print(f"docs: the API pages list every name of {', '.join(pages)}.__all__")
PY
echo "docs: mkdocs build --strict passed"
