"""This process's count of the index and taxonomy changes it made itself (below ``base`` and
``facets``, which both note changes, so neither imports the other to do it)."""

_local_generation = 0


def local_generation() -> int:
    """Changes when this process changes the index or the taxonomy: lets per-process
    micro-caches (the search page's) drop what they hold at once."""
    return _local_generation


def note_local_change() -> None:
    from core.cache import forget_request_reads

    global _local_generation
    _local_generation += 1
    forget_request_reads()  # a version number read earlier in this request is stale now
