"""Background jobs: long work (bulk certificates, large reports) with progress a user can
follow, run by a thread of the web process on the embedded default, or by separate RQ
worker processes on Redis when OEP_REDIS_URL is set."""
