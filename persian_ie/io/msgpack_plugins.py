"""Read .spacy files without scanning every installed package once per paragraph.

srsly finds its msgpack encoders and decoders in catalogue registries that include entry points, and
asks for them on every `msgpack_loads`; `DocBin.get_docs` calls it once per doc for `user_data` (each
paragraph's meta and relations). That scan of every installed distribution was about a third of the
time of reading a .spacy file into training examples here (dev.spacy, 3,318 paragraphs: 10.1 s, 6.6 s
without it; `corpus_read_speed` in `persian_ie/benchmarks/pipeline.py`), and training reads the train and
dev files dozens of times (every initialize pass, every epoch, every evaluation).
"""

from typing import Iterable

import catalogue
from srsly.msgpack import msgpack_decoders, msgpack_encoders


def load_msgpack_plugins_once(registries: Iterable[catalogue.Registry] = (msgpack_encoders, msgpack_decoders)) -> None:
    """Register the plugins the entry points provide now, then stop asking for them on every call.

    Every encoder and decoder stays available, with the same precedence (a function registered by name
    wins over an entry point of that name); only a package installed after this process started is
    not seen.
    """
    for registry in registries:
        if not registry.entry_points:
            continue
        plugins = registry.get_all()
        registry.entry_points = False
        for name, func in plugins.items():
            registry.register(name, func=func)
