"""Settings profiles: ``local`` (the demo, embedded default), ``test`` and ``production``."""
