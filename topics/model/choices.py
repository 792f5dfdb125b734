"""Names of the choices the model layer offers, cheap to import (the CLI builds its options
from them without loading numpy, pandas or scipy)."""

#: Term rankings of :func:`topics.model.terms.term_table`, in its order.
METHODS = ("probability", "relevance", "frex", "lift")
#: Distances between topic mixes of :func:`topics.model.metrics.pairwise_distances`.
DISTANCES = ("jensen_shannon", "hellinger")
#: Relevance λ of `topics show`, the figures' term rankings and the LDAvis page's start.
LAMBDA = 0.6
