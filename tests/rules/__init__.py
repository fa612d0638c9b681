"""Tests of single rules on inline compose projects (the branches a sample cannot show on its own)."""
