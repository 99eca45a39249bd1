"""``python -m inkorg_riv.cli``: the same command as the ``inkorg-riv`` console script."""

from . import main

raise SystemExit(main())
