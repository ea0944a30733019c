"""MNO Workflow: executable Standard Operating Procedures for national referral mechanisms."""
