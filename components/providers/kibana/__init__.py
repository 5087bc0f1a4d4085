"""Dynamic providers for Kibana objects: one small HTTP client, one provider per object kind.

Every provider is stdlib-only and pickled by value (see ``by_value``), like the cluster health
gate: Pulumi runs dynamic providers in a process of their own, where this project may not be
importable.
"""
