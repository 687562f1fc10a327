"""Readers and writers: every file a user authors comes in through here, validated."""
