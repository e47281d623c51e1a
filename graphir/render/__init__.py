"""Pictures and worked examples: DOT, rendered frames, trace tables, explanations."""
