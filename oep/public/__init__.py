"""Public pages: the programme page, the health check and the language switch."""
