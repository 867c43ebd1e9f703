"""The annotation schema: entity labels and the allowed relation label pairs (a fixed contract)."""

from typing import Dict, FrozenSet, Tuple

ENTITY_LABELS: Tuple[str, ...] = ("ORG", "PERSON", "CLUSTER", "QUANTITY", "STATUS")

RELATION_LABELS: Tuple[str, ...] = ("AFFILIATED_WITH", "HAS_STATUS", "HAS_QUANTITY", "SUPPORTS")

# relation label -> allowed (head label, child label) pairs
ALLOWED_PAIRS: Dict[str, FrozenSet[Tuple[str, str]]] = {
    "AFFILIATED_WITH": frozenset({("PERSON", "ORG")}),
    "HAS_STATUS": frozenset({("CLUSTER", "STATUS")}),
    "HAS_QUANTITY": frozenset({("CLUSTER", "QUANTITY"), ("ORG", "QUANTITY")}),
    "SUPPORTS": frozenset({("ORG", "CLUSTER")}),
}


# every (head label, child label) pair that some relation allows
CANDIDATE_PAIRS: FrozenSet[Tuple[str, str]] = frozenset(
    pair for pairs in ALLOWED_PAIRS.values() for pair in pairs
)
