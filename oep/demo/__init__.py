"""The demo programme: a realistic edition to explore OEP with (``flask --app oep oep demo``)."""
