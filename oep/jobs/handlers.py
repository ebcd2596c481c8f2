"""Import every feature's job handlers so that the registry is complete in each process."""

import oep.certificates.jobs  # noqa: F401
import oep.reports.jobs  # noqa: F401
