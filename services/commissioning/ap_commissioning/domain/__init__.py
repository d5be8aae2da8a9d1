"""Pure rules of commissioning: commands, deciders, folds and the refusals named after their rules."""
