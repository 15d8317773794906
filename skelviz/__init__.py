"""skelviz: a notebook-first reproduction of Skeleton-Contrastive 3D Action Representation Learning.

Thoker, Doughty, Snoek, ACM MM 2021 ("ISC"). Importing the package has no side effects; the
submodules are imported where they are used (``from skelviz.augment import ...``).
"""

__version__ = "0.1.0"
