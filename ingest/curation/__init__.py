"""Printed reports coming in: their transcribed figures packaged as releases, and audited for slips."""
