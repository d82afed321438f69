"""The real-browser test of the built book runs only from `make browser-test`.

It needs a built book (`make book`) and a Chromium, so the default `make test`
run does not collect it: `make browser-test` sets BROWSER_TEST=1.
"""

import os

if os.environ.get("BROWSER_TEST") != "1":
    collect_ignore_glob = ["test_*.py"]
