"""Greetings from the environment this package is installed in, read from taipan-greetings."""
import os
import sys

__version__ = "1.0.0"


def greeting(lang="en"):
    """The greeting for `lang`, or None when taipan-greetings has none."""
    path = os.path.join(sys.prefix, "share", "taipan-greetings", "greetings.txt")
    with open(path, encoding="utf-8") as f:
        for line in f:
            code, _, text = line.rstrip("\n").partition(" ")
            if code == lang:
                return text
    return None
