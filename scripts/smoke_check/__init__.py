"""Post-deploy smoke check for the MT4 ELK stack (standard library only).

Split into small modules so each piece (outputs, TLS, HTTP, Logstash, checks, report) can be
tested on its own; ``scripts/smoke.py`` is the entry point users run.
"""
