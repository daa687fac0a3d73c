"""Stand-in botocore for the runbook executor's tests (test/support/automation): only what step scripts use."""
