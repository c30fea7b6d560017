"""Operations: health and readiness probes, metrics, error reporting, logs and a quiet job consumer.

Nothing here reads a person's data: probes, metrics and error reports carry counts, states and
code locations only.
"""
