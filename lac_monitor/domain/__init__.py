"""Plain-Python core: words, codes, rules. Imports nothing third-party."""
