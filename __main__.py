"""elk-stack: a secure Elastic logging stack for the MT4 bridge, on Docker.

Thin on purpose: settings are read and checked first (nothing is declared when a value is
wrong), then one ElkStack component builds everything and its outputs are exported.
"""

import pulumi

from components.elk_stack import ElkStack
from components.settings.load import load_email_password, load_settings

settings, own_ca = load_settings()
stack = ElkStack("elk", settings, own_ca, email_password=load_email_password())

for key, value in stack.outputs.items():
    pulumi.export(key, value)
