"""What participants and organisations say: session feedback (anonymous by default, no
account needed) and organisations' self-assessment at the start and the end."""
