"""Tests of the rules: every sample's findings (test_samples.py), the rule catalogue (test_catalogue.py), and
single rules on inline projects or recorded engine answers, for the branches a sample cannot show on its own
(test_dnNNN.py)."""
