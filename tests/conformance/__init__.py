"""Port conformance suites, run against every backend.

`*_cases.py` hold abstract test classes (no `Test` prefix, so pytest does not
collect them alone). A backend module subclasses each one and supplies
`make_store(workdir) -> Store`, as test_sqlite.py does; known backend bugs are
marked there, by overriding the test with an xfail, never in the cases.
"""
