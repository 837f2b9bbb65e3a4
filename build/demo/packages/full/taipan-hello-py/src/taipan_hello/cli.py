"""The `taipan-hello-py` command."""
import platform
import sys

from . import greeting


def main():
    lang = sys.argv[1] if len(sys.argv) > 1 else "en"
    text = greeting(lang)
    if text is None:
        print("taipan-hello-py: no greeting for language '%s'" % lang, file=sys.stderr)
        return 1
    print(text)
    print("(python %s in %s)" % (platform.python_version(), sys.prefix))
    return 0
