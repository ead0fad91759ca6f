"""The goals of the speed suite, one module per benchmark script.

``goals/<name>.py`` holds the goals checked on ``bench_<name>.py``'s JSON: ``GOALS``
(a list of :class:`_goals.Goal`, each naming the issue that set it) and
``MEMORY_METHOD`` (how that script measures peak memory). ``run_suite.py`` finds them
by name; a new script declares its goals by adding its module here.
"""
