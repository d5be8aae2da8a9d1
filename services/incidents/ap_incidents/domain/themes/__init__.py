"""The theme modules of the pupil path: each keeps its commands' models, deciders and declarations, and the
fold and correction rule of every event they emit (``domain/theme.py``); ``domain/declarations.py`` lists them."""
