"""The stack's guardrails as pure functions, shared by the CrossGuard pack (``policy/__main__.py``)
and the rendered preview (``python -m components.preview``). Imports nothing from Pulumi."""
