"""The README's commands, run as pasted from the checkout's root against a function server: every line of its
sh blocks that asks `$URL` answers the reading that the README shows under it, so that the front page cannot
drift from what the function does."""

import os
import re
import subprocess

from checkout import README, ROOT
from local.stack import DEFAULT_PORTS

SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHOWN = ("# → ", "#   ")  # the answer the README shows under a command, and its further lines
ANSWERED = re.compile(r'^\{"(?:prediction|number)": "?(\d+)')  # the function's JSON: its digit, or its number
CLIENT = re.compile(r"^(\S+): (\d+) \(\d+\.\d %\)$", re.MULTILINE)  # the client's FILE: DIGIT (PROBABILITY %)


def asking_commands() -> list[tuple[str, str]]:
    """Each command of the README's sh blocks that asks $URL, with the answer the README shows below it."""
    found: list[tuple[str, list[str]]] = []
    for block in SH_BLOCK.findall(README.read_text()):
        for line in block.splitlines():
            if line.startswith(SHOWN) and found:
                found[-1][1].append(line[len(SHOWN[0]) :])
            elif line and not line.startswith("#"):
                found.append((line, []))
    return [(command, "\n".join(shown)) for command, shown in found if "$URL" in command]


def readings(output: str) -> list[str]:
    """What an answer reads: the function's digit or number, or each of the client's `FILE: DIGIT`."""
    answered = ANSWERED.match(output)
    return [answered[1]] if answered else [f"{name}: {digit}" for name, digit in CLIENT.findall(output)]


def test_the_readme_sets_url_to_the_demo_s_function():
    assert f"\nURL=http://127.0.0.1:{DEFAULT_PORTS['function']}\n" in README.read_text()


def test_every_command_in_the_readme_answers_the_reading_it_shows(function_url):
    asked = asking_commands()
    assert [command.split()[0] for command, _ in asked] == [
        "curl",
        "curl",
        ".venv-demo/bin/python",
    ]  # a digit, a number, the client
    for command, shown in asked:
        result = subprocess.run(
            ["sh", "-c", command],  # sh, not bash: a Mac's or Debian's, as pasted
            cwd=ROOT,
            env={**os.environ, "URL": function_url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (command, result.stderr)
        assert readings(result.stdout) == readings(shown) != [], (command, result.stdout[:500], result.stderr)
