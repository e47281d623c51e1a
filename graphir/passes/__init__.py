"""Passes over the IR: evaluate, compile, forward, reverse, clean-up. One flat loop each."""
