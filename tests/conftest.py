"""Test-session settings shared by every test module.

Hypothesis runs derandomized: the examples it tries are a fixed function of
each test, so a CI run either always passes or always fails for a given code
base (like the fixed seeds of the statistical tests).
"""

from hypothesis import settings

settings.register_profile("venturesim", derandomize=True, print_blob=True)
settings.load_profile("venturesim")
