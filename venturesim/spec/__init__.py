"""The scenario language's building blocks: the base model and field helpers, distribution specs, time series,
errors with YAML positions, and sampling. Every domain's schema is built from these; the composition of the
domains into one scenario is :mod:`venturesim.scenario`."""
