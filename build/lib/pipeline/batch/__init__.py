"""Batch: the one chain of stages for one file (``chain``), the pool of workers with time limits
(``pool``), the cache, the choice of inputs, progress, the summary, and a whole run (``runner``)."""
