"""casegraph: a knowledge-graph explorer for investigators, where every fact keeps its evidence."""

__version__ = "0.1.0"
