"""Evaluation harness: datasets, metrics, reports, calibration."""
