"""Every third-party package that the code imports is named in a requirements file, not only brought by
another: the function's own code in function/requirements.txt (what Cloud Functions installs), the demo's and the
client's in local/requirements.txt (make demo's), the rest in requirements.txt; and neither the function's
environment nor the demo's holds a machine-learning framework."""

import ast
import re
import subprocess
import sys
from functools import cache
from importlib.metadata import distributions as installed
from importlib.metadata import packages_distributions

from checkout import DEMO_ENV, FUNCTION_ENV, ROOT

FIRST_PARTY = {"digit", "train", "local", "bench", "client", "examples", "checkout", "tests", "main"}
# Frameworks that run models, by the names their distributions are installed under.
FRAMEWORKS = {
    "tensorflow",
    "tensorflow-cpu",
    "tf-keras",
    "keras",
    "jax",
    "jaxlib",
    "torch",
    "onnxruntime",
    "ai-edge-litert",
}
NAMESPACES = {"google"}  # shared by many distributions: what is imported from them is named one level down


def imported(folder_or_file) -> set[str]:
    """The top-level modules imported by the Python files under a folder (or in one file)."""
    paths = [folder_or_file] if folder_or_file.is_file() else folder_or_file.rglob("*.py")
    names = set()
    for path in paths:
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {module(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(module(node.module))
        beside = {sibling.stem for sibling in path.parent.glob("*.py")}  # a script's folder is on its path
        names |= found - beside
    return {name for name in names if name.split(".")[0] not in FIRST_PARTY | set(sys.stdlib_module_names)}


def module(dotted: str) -> str:
    """The name an import is known by: its top level, or its first two levels in a namespace package."""
    parts = dotted.split(".")
    return ".".join(parts[:2]) if parts[0] in NAMESPACES else parts[0]


def distributions(modules: set[str]) -> dict[str, set[str]]:
    """For each module, the installed distributions that provide it, by their normalised names."""
    providers = packages_distributions()
    return {name: {normalised(dist) for dist in providers.get(name, []) or in_namespace(name)} for name in modules}


@cache
def in_namespace(name: str) -> list[str]:
    """The distributions whose files hold `name`, a package inside a namespace package (google.cloud)."""
    folder = name.replace(".", "/") + "/"
    return [dist.metadata["Name"] for dist in installed() if any(str(f).startswith(folder) for f in dist.files or [])]


def named_in(requirements: str) -> set[str]:
    lines = (ROOT / requirements).read_text().splitlines()
    return {normalised(re.split(r"[=<>\[ ]", line)[0]) for line in lines if line and not line.startswith(("#", "-"))}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def unnamed(modules: set[str], named: set[str]) -> dict[str, set[str]]:
    return {module: providers for module, providers in distributions(modules).items() if not providers & named}


def test_the_functions_imports_are_all_in_its_requirements():
    function = imported(ROOT / "function")
    assert function == {"flask", "functions_framework", "google.cloud", "google.api_core", "numpy", "h5py", "PIL"}
    assert unnamed(function, named_in("function/requirements.txt")) == {}


def installed_in(environment) -> set[str]:
    """The distributions pip installed in a virtual environment, by their normalised names."""
    listing = "import importlib.metadata as m; print(*(d.metadata['Name'] for d in m.distributions()))"
    held = subprocess.run([environment / "bin" / "python", "-c", listing], capture_output=True, text=True, check=True)
    return {normalised(name) for name in held.stdout.split()}


def test_the_function_installs_no_machine_learning_framework():
    named = named_in("function/requirements.txt")
    assert named == {
        "functions-framework", "flask", "google-cloud-storage", "google-api-core", "numpy", "pillow", "h5py"
    }  # fmt: skip
    # What pip installed from that file, with everything its packages brought: a framework could come with one.
    installed_there = installed_in(FUNCTION_ENV)
    assert named <= installed_there  # the environment the file makes, not another
    assert FRAMEWORKS & installed_there == set()
    assert not {"jax", "jaxlib"} & named_in("requirements.txt")


def test_the_demo_and_the_client_import_only_what_make_demo_installs_and_no_framework():
    served = set().union(*(imported(ROOT / "local" / name) for name in ("__main__.py", "stack.py", "services.py")))
    named = named_in("local/requirements.txt") | named_in("function/requirements.txt")
    assert unnamed(served | imported(ROOT / "client"), named) == {}
    installed_there = installed_in(DEMO_ENV)
    assert named <= installed_there
    assert FRAMEWORKS & installed_there == set()


def test_every_other_import_is_in_the_requirements():
    everything = set().union(
        *(imported(ROOT / part) for part in ("train", "local", "bench", "client", "examples", "tests"))
    )
    named = named_in("requirements.txt") | named_in("local/requirements.txt") | named_in("function/requirements.txt")
    assert unnamed(everything, named) == {}
